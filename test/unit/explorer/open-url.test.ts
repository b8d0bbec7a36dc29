import { describe, expect, it } from 'vitest';
import { parseOpenUrl } from '../../../src/lib/explorer/open-url';
import { checkProfile, loadProfiles, removeProfile, upsertProfile, type Profile } from '../../../src/lib/creds/profiles';
import { seal } from '../../../src/lib/creds/vault';

describe('open by URL', () => {
  it('reads path-style URLs: bucket, prefix or key, decoded', () => {
    expect(parseOpenUrl('https://cedaproc-o.s3-ext.jc.rl.ac.uk/era5/2024/')).toMatchObject({ endpoint: 'https://cedaproc-o.s3-ext.jc.rl.ac.uk', bucket: 'era5', path: '2024/', isPrefix: true });
    expect(parseOpenUrl('http://127.0.0.1:7480/b/a%20b/c.nc')).toMatchObject({ endpoint: 'http://127.0.0.1:7480', bucket: 'b', path: 'a b/c.nc', isPrefix: false });
    expect(parseOpenUrl('https://host.example/bucket')).toMatchObject({ bucket: 'bucket', path: '', isPrefix: true });
  });
  it('turns an internal JASMIN URL into the external one, with a note', () => {
    const t = parseOpenUrl('http://my-tenancy-o.s3.jc.rl.ac.uk/data/x.zarr/');
    expect(t.endpoint).toBe('https://my-tenancy-o.s3-ext.jc.rl.ac.uk');
    expect(t.notes[0]).toContain('internal');
  });
  it('needs an endpoint for s3:// and knows AWS virtual hosts', () => {
    expect(() => parseOpenUrl('s3://b/k')).toThrow(/endpoint/);
    expect(parseOpenUrl('s3://b/k/', 'my-tenancy')).toMatchObject({ endpoint: 'https://my-tenancy-o.s3-ext.jc.rl.ac.uk', bucket: 'b', path: 'k/', isPrefix: true });
    expect(parseOpenUrl('https://noaa-gfs.s3.eu-west-2.amazonaws.com/gfs/x')).toMatchObject({ endpoint: 'https://s3.eu-west-2.amazonaws.com', region: 'eu-west-2', bucket: 'noaa-gfs', path: 'gfs/x' });
  });
  it('refuses signed links and other schemes in plain words', () => {
    expect(() => parseOpenUrl('https://h/b/k?X-Amz-Signature=abc')).toThrow(/signed link/);
    expect(() => parseOpenUrl('ftp://h/b')).toThrow(/s3:\/\//);
    expect(() => parseOpenUrl('')).toThrow(/Paste a URL/);
  });
});

describe('profiles', () => {
  function memory(): { getItem(k: string): string | null; setItem(k: string, v: string): void; data: Map<string, string> } {
    const data = new Map<string, string>();
    return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
  }
  it('stores profiles with sealed keys only, never a plain secret', async () => {
    const store = memory();
    const p: Profile = { id: '1', name: 'tenancy', endpoint: 'https://t-o.s3-ext.jc.rl.ac.uk', anonymous: false, accessKeyHint: 'AKIA…XYZ', sealed: await seal({ accessKeyId: 'AKIAXYZ', secretAccessKey: 'plain-secret' }, 'a long passphrase') };
    upsertProfile(store, p);
    expect([...store.data.values()].join('')).not.toContain('plain-secret');
    expect(loadProfiles(store)).toHaveLength(1);
    expect(() => checkProfile({ ...p, secretAccessKey: 'x' } as Profile)).toThrow(/cannot store "secretAccessKey"/);
    expect(removeProfile(store, '1')).toEqual([]);
    // Sealing stretches the passphrase with Argon2id (64 MiB): about half a second, more on a busy machine.
  }, 60_000);
});
