import { afterEach, describe, expect, it, vi } from 'vitest';
import { KeyRing, vaultApi } from '../../../workers/s3-api/vault';
import { sharedOrigin } from '../../../src/lib/creds/same-origin';
import { unseal } from '../../../src/lib/creds/vault';

const keys = { accessKeyId: 'AKRING000001', secretAccessKey: 'ring/secret+Key=0001' };
const DAY = 86_400_000;

afterEach(() => vi.useRealTimers());

describe('key ring (S3 worker)', () => {
  it('forgets the keys after the idle time, tells the page once, and activity postpones it', () => {
    vi.useFakeTimers();
    let dropped = 0;
    const locks: number[] = [];
    const ring = new KeyRing(() => dropped++);
    ring.setIdleLock(15, () => locks.push(Date.now()));
    ring.hold(keys);
    vi.advanceTimersByTime(14 * 60_000);
    ring.touch();
    vi.advanceTimersByTime(14 * 60_000);
    expect(ring.keys).toEqual(keys);
    vi.advanceTimersByTime(60_000 + 1);
    expect(ring.keys).toBeNull();
    expect(ring.status()).toEqual({ holding: false, idleMinutes: 15 });
    expect(locks).toHaveLength(1);
    expect(dropped).toBe(1);
    vi.advanceTimersByTime(60 * 60_000);
    expect(locks).toHaveLength(1);
  });

  it('an idle lock of 0 never locks; forget drops held and staged keys', () => {
    vi.useFakeTimers();
    const ring = new KeyRing(() => {});
    ring.setIdleLock(0);
    ring.hold(keys);
    const staged = ring.stage(keys);
    vi.advanceTimersByTime(10 * DAY);
    expect(ring.keys).toEqual(keys);
    ring.forget();
    expect(ring.keys).toBeNull();
    expect(() => ring.takeStaged(staged)).toThrow(/read the file again/);
  });

  it('a presigned link cannot outlive the key expiry date, and the error says why', () => {
    const ring = new KeyRing(() => {});
    ring.hold(keys, '2027-01-10');
    const now = Date.parse('2027-01-07T00:00:00Z');
    expect(() => ring.checkLinkExpiry(2 * 86_400, now)).not.toThrow();
    expect(() => ring.checkLinkExpiry(3 * 86_400, now)).not.toThrow();
    expect(() => ring.checkLinkExpiry(3 * 86_400 + 1, now)).toThrow(/outlive the access key, which expires on 2027-01-10 \(3 days from now\)/);
    expect(() => ring.checkLinkExpiry(60, Date.parse('2027-01-10T00:00:01Z'))).toThrow(/expired on 2027-01-10/);
    ring.setExpiry(undefined);
    expect(() => ring.checkLinkExpiry(7 * 86_400, now + 30 * DAY)).not.toThrow();
    expect(() => ring.hold(keys, '10/01/2027')).toThrow(/not a date/);
  });

  it('reads a pasted file in the worker: the page gets hints, never the secret; sealing returns only the record', async () => {
    const ring = new KeyRing(() => {});
    const api = vaultApi(ring);
    const r = api.importText({ text: JSON.stringify({ token: keys.accessKeyId, secret: keys.secretAccessKey, endpoint_url: 'https://t-o.s3-ext.jc.rl.ac.uk' }) });
    expect(JSON.stringify(r)).not.toContain(keys.secretAccessKey);
    expect(JSON.stringify(r)).not.toContain(keys.accessKeyId);
    expect(r.profiles[0]).toMatchObject({ accessKeyHint: 'AKRI…001', endpoint: 'https://t-o.s3-ext.jc.rl.ac.uk' });
    ring.hold(ring.takeStaged(r.profiles[0]!.stagedId));
    const sealed = await api.sealCurrent({ passphrase: 'correct horse' });
    expect(await unseal(sealed, 'correct horse')).toEqual(keys);
    api.forgetAll();
    await expect(api.sealCurrent({ passphrase: 'correct horse' })).rejects.toThrow(/No keys are held/);
  }, 60_000);
});

describe('shared origin', () => {
  it('tells an app served from the store (path-style bucket or bucket host) from one served apart', () => {
    expect(sharedOrigin('https://t-o.s3-ext.jc.rl.ac.uk/app/index.html#/', 'https://t-o.s3-ext.jc.rl.ac.uk')).toBe('same-origin');
    expect(sharedOrigin('http://127.0.0.1:7480/demo/index.html', 'http://127.0.0.1:7480')).toBe('same-origin');
    expect(sharedOrigin('https://app.t-o.s3-ext.jc.rl.ac.uk/', 'https://t-o.s3-ext.jc.rl.ac.uk')).toBe('bucket-host');
    expect(sharedOrigin('http://127.0.0.1:5173/', 'http://127.0.0.1:7480')).toBeNull();
    expect(sharedOrigin('https://tessera.example.org/', 'https://t-o.s3-ext.jc.rl.ac.uk')).toBeNull();
    expect(sharedOrigin('https://evilt-o.s3-ext.jc.rl.ac.uk/', 'https://t-o.s3-ext.jc.rl.ac.uk')).toBeNull();
    expect(sharedOrigin('not a url', 'https://t-o.s3-ext.jc.rl.ac.uk')).toBeNull();
  });
});
