import { describe, expect, it } from 'vitest';
import { importCredentials, parseIni, redactLine } from '../../../src/lib/creds/importers';

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
    expect(importCredentials('[x]\nhost_base = h\n').warnings).toEqual(['[x] (line 1) has no access_key and no secret_key; it was left out.']);
  });


  it('names the one JASMIN JSON field that is missing', () => {
    const warn = (o: object): string[] => importCredentials(JSON.stringify(o)).warnings;
    expect(warn({ token: 'TOK', endpoint_url: 'https://t-o.s3-ext.jc.rl.ac.uk' })).toEqual(['The JSON has no "secret".']);
    expect(warn({ secret: 'SEC', endpoint_url: 'https://t-o.s3-ext.jc.rl.ac.uk' })).toEqual(['The JSON has no "token".']);
    expect(warn({ endpoint_url: 'https://t-o.s3-ext.jc.rl.ac.uk' })).toEqual(['The JSON has no "token" and no "secret".']);
    expect(warn({ token: 'TOK', secret: '' })).toEqual(['The JSON has an empty "secret".']);
    expect(warn({ token: 42, secret: 'SEC' })).toEqual(['The JSON has a "token" that is not text.']);
    const noEndpoint = importCredentials(JSON.stringify({ token: 'TOK', secret: 'SEC' }));
    expect(noEndpoint.profiles).toHaveLength(1);
    expect(noEndpoint.warnings).toEqual(['The JSON has no "endpoint_url": give the tenancy name or endpoint.']);
    for (const w of [...warn({ token: 'TOK' }), ...noEndpoint.warnings]) expect(w).not.toMatch(/TOK|SEC/);
  });

  it('names the .s3cfg line it could not use, never showing a secret', () => {
    const r = importCredentials(['[default]', 'access_key = AKJASMIN1', 'secret_key wJalrXUtnFEMIK7MDENGbPxRfiCY', 'host_base = t-o.s3-ext.jc.rl.ac.uk', 'just some words', '[other]', 'secret_key = s3cr3tValue123456'].join('\n'));
    expect(r.profiles).toHaveLength(0);
    expect(r.warnings).toEqual([
      'Line 3 ("secret_key [hidden]") is not a [section] or a "key = value" line inside one; it was left out.',
      'Line 5 ("just some words") is not a [section] or a "key = value" line inside one; it was left out.',
      '[default] (line 1) has no secret_key; it was left out.',
      '[other] (line 6) has no access_key; it was left out.',
    ]);
    expect(r.warnings.join(' ')).not.toMatch(/wJalr|s3cr3t/);
    const before = importCredentials('access_key = AK\n[default]\naccess_key = AK\nsecret_key = S\nhost_base = h.example.org\n');
    expect(before.profiles).toHaveLength(1);
    expect(before.warnings).toEqual(['Line 1 ("access_key = AK") is not a [section] or a "key = value" line inside one; it was left out.']);
  });

  it('hides secrets in the lines it shows back', () => {
    expect(redactLine('  secret_key = abc')).toBe('secret_key = [hidden]');
    expect(redactLine('aws_session_token: xyz')).toBe('aws_session_token: [hidden]');
    expect(redactLine('aws_secret_access_key wJalrXUtnFEMI')).toBe('aws_secret_access_key [hidden]');
    expect(redactLine('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY')).toBe('[hidden]');
    expect(redactLine('host_base = h')).toBe('host_base = h');
  });

  it('names what an mc alias or an aws profile lacks', () => {
    const mc = importCredentials(
      JSON.stringify({
        aliases: {
          a: { url: 'https://a.example.org', accessKey: 'AK' },
          b: { url: 'https://b.example.org', secretKey: 'SK' },
          c: { accessKey: 'AK', secretKey: 'SK' },
          d: 'nonsense',
        },
      }),
    );
    expect(mc.warnings).toEqual([
      'Alias "a" has no "secretKey"; it was left out.',
      'Alias "b" has no "accessKey"; it was left out.',
      'Alias "c" has no "url": give the endpoint.',
      'Alias "d" is not an object with url, accessKey and secretKey; it was left out.',
    ]);
    expect(mc.profiles.map((p) => p.name)).toEqual(['c']);
    const aws = importCredentials(['[default]', 'aws_access_key_id = AK', '', '[other]', 'aws_secret_access_key = SECRETVALUE', '[third]', 'aws_access_key_id =', 'aws_secret_access_key = S'].join('\n'));
    expect(aws.warnings).toEqual([
      '[other] (line 4) has aws_secret_access_key but no aws_access_key_id; it was left out.',
      '[default] (line 1) has no aws_secret_access_key; it was left out.',
      '[third] (line 6) has an empty aws_access_key_id; it was left out.',
    ]);
    expect(aws.warnings.join(' ')).not.toContain('SECRETVALUE');
  });

  it('parses INI comments and sub-keys', () => {
    const ini = parseIni('# c\n[a]\nk = v\ns3 =\n  x = 1\nz=2\n');
    // `s3 =` may head sub-keys or be a setting left empty: both are kept.
    expect(Object.fromEntries(ini.get('a')!)).toEqual({ k: 'v', s3: '', 's3.x': '1', z: '2' });
  });
});
