import { describe, expect, it } from 'vitest';
import { importCredentials, parseIni } from '../../../src/lib/creds/importers';
import { seal, unseal, isSealedSecret } from '../../../src/lib/creds/vault';

describe('credential imports', () => {
  it('reads ~/.s3cfg as s3cmd writes it, JASMIN internal host turned external', () => {
    const r = importCredentials(`[default]
access_key = AKJASMIN1
secret_key = s3cr3t/with=chars
host_base = my-tenancy-o.s3.jc.rl.ac.uk
host_bucket = my-tenancy-o.s3.jc.rl.ac.uk
use_https = False
signature_v2 = False
`);
    expect(r.format).toBe('s3cfg');
    expect(r.profiles).toHaveLength(1);
    expect(r.profiles[0]).toMatchObject({ name: 's3cmd', endpoint: 'https://my-tenancy-o.s3-ext.jc.rl.ac.uk', accessKeyId: 'AKJASMIN1', secretAccessKey: 's3cr3t/with=chars' });
    expect(r.profiles[0]!.notes.join(' ')).toMatch(/internal endpoint/);
  });

  it('reads the JASMIN JSON {token, secret, endpoint_url}', () => {
    const r = importCredentials(JSON.stringify({ token: 'TOK', secret: 'SEC', endpoint_url: 'http://cedaproc-o.s3.jc.rl.ac.uk' }));
    expect(r.format).toBe('jasmin-json');
    expect(r.profiles[0]).toMatchObject({ name: 'cedaproc', endpoint: 'https://cedaproc-o.s3-ext.jc.rl.ac.uk', accessKeyId: 'TOK', secretAccessKey: 'SEC' });
  });

  it("reads mc's config.json aliases, skipping keyless ones", () => {
    const r = importCredentials(
      JSON.stringify({
        version: '10',
        aliases: {
          jasmin: { url: 'https://my-tenancy-o.s3-ext.jc.rl.ac.uk', accessKey: 'MCKEY', secretKey: 'MCSECRET', api: 's3v4', path: 'auto' },
          local: { url: 'http://localhost:9000', accessKey: '', secretKey: '', api: 'S3v4', path: 'auto' },
        },
      }),
    );
    expect(r.format).toBe('mc-config');
    expect(r.profiles.map((p) => p.name)).toEqual(['jasmin']);
    expect(r.warnings.join(' ')).toContain('local');
  });

  it('reads ~/.aws/credentials plus config, with endpoint_url in either form', () => {
    const r = importCredentials(`[default]
aws_access_key_id = AKIDEFAULT
aws_secret_access_key = defsecret

[other]
aws_access_key_id = AKIOTHER
aws_secret_access_key = othersecret
aws_session_token = tok

[profile other]
region = eu-west-2
s3 =
    endpoint_url = http://other-o.s3.jc.rl.ac.uk

[default]
endpoint_url = https://store.example.org:8443
`);
    expect(r.format).toBe('aws');
    const byName = Object.fromEntries(r.profiles.map((p) => [p.name, p]));
    expect(byName.aws).toMatchObject({ endpoint: 'https://store.example.org:8443', accessKeyId: 'AKIDEFAULT' });
    expect(byName.other).toMatchObject({ endpoint: 'https://other-o.s3-ext.jc.rl.ac.uk', region: 'eu-west-2', sessionToken: 'tok' });
  });

  it('says plainly what it cannot read', () => {
    expect(() => importCredentials('')).toThrow(/Paste or drop/);
    expect(() => importCredentials('{not json')).toThrow(/cannot be read/);
    expect(() => importCredentials('hello world')).toThrow(/Not a credentials file/);
    expect(importCredentials('[x]\nhost_base = h\n').warnings[0]).toContain('[x] has no access_key');
  });

  it('parses INI comments and sub-keys', () => {
    const ini = parseIni('# c\n[a]\nk = v\ns3 =\n  x = 1\nz=2\n');
    expect(Object.fromEntries(ini.get('a')!)).toEqual({ k: 'v', 's3.x': '1', z: '2' });
  });
});

describe('vault', () => {
  it('seals keys with a passphrase and opens them only with it', async () => {
    const sealed = await seal({ accessKeyId: 'AK', secretAccessKey: 'very secret' }, 'correct horse');
    expect(isSealedSecret(sealed)).toBe(true);
    expect(JSON.stringify(sealed)).not.toContain('very secret');
    expect(await unseal(sealed, 'correct horse')).toEqual({ accessKeyId: 'AK', secretAccessKey: 'very secret' });
    await expect(unseal(sealed, 'wrong horse!')).rejects.toThrow(/Wrong passphrase/);
    await expect(seal({ accessKeyId: 'a', secretAccessKey: 'b' }, 'short')).rejects.toThrow(/8 characters/);
  });
});
