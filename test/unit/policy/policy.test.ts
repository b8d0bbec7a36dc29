import { describe, expect, it } from 'vitest';
import {
  PolicyError,
  TEMPLATES,
  detectDialect,
  dialectFor,
  examineCors,
  explainPolicy,
  fixRules,
  lintPolicy,
  originMatches,
  parsePolicyJson,
  readPolicy,
  recommendedRule,
  tenancyOf,
  writePolicy,
  corsFixSteps,
} from '../../../src/lib/policy/index';
import { parseCorsXml } from '../../../src/lib/s3/ops/cors-rules';

const B = 'my-bucket';

// The shape of JASMIN's documented "read-only for everyone" policy (FIELD-NOTES §3).
const JASMIN_PUBLIC = `{
  "Version": "2008-10-17",
  "Id": "Read-only policy for everyone",
  "Statement": [
    {
      "Sid": "Read-only for everyone",
      "Effect": "Allow",
      "Principal": { "anonymous": ["*"] },
      "Action": ["GetObject", "GetBucketCORS"],
      "Resource": "*"
    }
  ]
}`;

const JASMIN_SHARE = `{
  "Version": "2008-10-17",
  "Statement": [
    { "Sid": "share", "Effect": "Allow", "Principal": { "user": ["jdoe"], "group": ["ncas-members"] }, "Action": ["ListBucket", "GetObject", "PutObject"], "Resource": "*" }
  ]
}`;

const AWS_PUBLIC = `{
  "Version": "2012-10-17",
  "Statement": [
    { "Sid": "read", "Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::${B}/*"] },
    { "Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam:::user/alice"]}, "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::${B}", "Condition": {"StringLike": {"s3:prefix": ["data/*"]}} }
  ]
}`;

describe('policy dialects', () => {
  it('detects JASMIN (Swarm) and AWS/Ceph documents', () => {
    expect(detectDialect(parsePolicyJson(JASMIN_PUBLIC))).toBe('swarm');
    expect(detectDialect(parsePolicyJson(JASMIN_SHARE))).toBe('swarm');
    expect(detectDialect(parsePolicyJson(AWS_PUBLIC))).toBe('aws');
  });

  it('reads JASMIN principals, actions without prefix and "*" resources', () => {
    const p = readPolicy(JASMIN_SHARE, B);
    expect(p.statements[0]).toMatchObject({ effect: 'Allow', principal: { kind: 'named', users: ['jdoe'], groups: ['ncas-members'] }, actions: ['ListBucket', 'GetObject', 'PutObject'], scope: 'bucket-and-objects' });
    expect(readPolicy(JASMIN_PUBLIC, B).statements[0]!.principal).toEqual({ kind: 'anyone' });
  });

  it('reads AWS principals, prefixed actions, ARNs and conditions', () => {
    const p = readPolicy(AWS_PUBLIC, B);
    expect(p.statements[0]).toMatchObject({ principal: { kind: 'anyone' }, actions: ['GetObject'], scope: 'objects' });
    expect(p.statements[1]).toMatchObject({ principal: { kind: 'named', users: ['alice'] }, actions: ['ListBucket'], scope: 'bucket', condition: { StringLike: { 's3:prefix': ['data/*'] } } });
  });

  it('round-trips each dialect, and converts between them', () => {
    for (const text of [JASMIN_PUBLIC, JASMIN_SHARE, AWS_PUBLIC]) {
      const p = readPolicy(text, B);
      expect(readPolicy(writePolicy(p, B), B)).toEqual(p);
    }
    const swarm = JSON.parse(writePolicy(readPolicy(JASMIN_PUBLIC, B), B));
    expect(swarm).toEqual(JSON.parse(JASMIN_PUBLIC));
    const asAws = JSON.parse(writePolicy(readPolicy(JASMIN_PUBLIC, B), B, 'aws'));
    expect(asAws.Version).toBe('2012-10-17');
    expect(asAws.Statement[0]).toMatchObject({ Principal: '*', Action: ['s3:GetObject', 's3:GetBucketCORS'], Resource: [`arn:aws:s3:::${B}`, `arn:aws:s3:::${B}/*`] });
    const backToSwarm = JSON.parse(writePolicy(readPolicy(JSON.stringify(asAws), B), B, 'swarm'));
    expect(backToSwarm.Statement[0]).toMatchObject({ Principal: { anonymous: ['*'] }, Action: ['GetObject', 'GetBucketCORS'], Resource: '*' });
  });

  it('lints what each store would refuse, in plain words', () => {
    expect(lintPolicy(JASMIN_PUBLIC, B)).toEqual([]);
    expect(lintPolicy(AWS_PUBLIC, B)).toEqual([]);
    const mixed = JASMIN_SHARE.replace('"GetObject"', '"s3:GetObject"');
    expect(lintPolicy(mixed, B).join(' ')).toMatch(/no "s3:" prefix/);
    const bare = AWS_PUBLIC.replace('"s3:GetObject"', '"GetObject"');
    expect(lintPolicy(bare, B).join(' ')).toMatch(/need the "s3:" prefix/);
    const wrongRes = AWS_PUBLIC.replace(`"arn:aws:s3:::${B}/*"`, `"arn:aws:s3:::${B}"`);
    expect(lintPolicy(wrongRes, B).join(' ')).toMatch(/act on objects/);
    expect(lintPolicy(AWS_PUBLIC.replace(B, 'other-bucket'), B).join(' ')).toMatch(/not in bucket/);
    expect(lintPolicy('{"Version": "2012-10-17",\n "Statement": [\n', B)[0]).toMatch(/not valid JSON/);
  });

  it('reports JSON errors with the line', () => {
    try {
      parsePolicyJson('{\n  "Version": "2012-10-17",\n  "Statement": [,]\n}');
      throw new Error('should throw');
    } catch (e) {
      expect(e).toBeInstanceOf(PolicyError);
      expect((e as PolicyError).line).toBe(3);
    }
    expect(() => readPolicy('{"Statement": []}', B)).toThrow(/no statements/);
    expect(() => readPolicy('{"Statement": [{"Effect": "Maybe", "Principal": "*", "Action": "s3:GetObject"}]}', B)).toThrow(/Effect/);
  });

  it('explains policies in plain words, with the traps', () => {
    const lines = explainPolicy(readPolicy(JASMIN_PUBLIC, B));
    expect(lines[0]).toBe('Anyone (no keys needed) may read objects and read the CORS rules.');
    expect(lines.join(' ')).toMatch(/cannot be listed anonymously/);
    expect(explainPolicy(readPolicy(JASMIN_SHARE, B))[0]).toBe('User jdoe and every member of tenancy ncas may list the bucket, read objects and upload and overwrite objects.');
  });

  it('templates build valid documents in both dialects', () => {
    for (const t of TEMPLATES) {
      for (const dialect of t.dialects) {
        const text = writePolicy(t.build({ dialect, users: ['alice'], tenancy: 'ncas' }), B);
        expect(lintPolicy(text, B), `${t.id} ${dialect}`).toEqual([]);
        expect(detectDialect(JSON.parse(text))).toBe(dialect);
      }
    }
    const jasmin = JSON.parse(writePolicy(TEMPLATES.find((t) => t.id === 'public-read')!.build({ dialect: 'swarm' }), B));
    expect(jasmin).toEqual(JSON.parse(JASMIN_PUBLIC));
  });

  it('refuses to write what a dialect cannot say', () => {
    const tenancy = TEMPLATES.find((t) => t.id === 'tenancy-read')!;
    expect(tenancy.dialects).toEqual(['swarm']);
    expect(() => writePolicy(tenancy.build({ dialect: 'aws', tenancy: 'ncas' }), B)).toThrow(/only in JASMIN's dialect/);
    const users = TEMPLATES.find((t) => t.id === 'users-read')!;
    expect(() => writePolicy(users.build({ dialect: 'swarm', users: [] }), B)).toThrow(/at least one user/);
  });

  it('knows JASMIN endpoints', () => {
    expect(tenancyOf('https://ncas-o.s3-ext.jc.rl.ac.uk')).toBe('ncas');
    expect(dialectFor('https://ncas-o.s3-ext.jc.rl.ac.uk')).toBe('swarm');
    expect(dialectFor('http://127.0.0.1:7480')).toBe('aws');
  });
});

describe('CORS doctor', () => {
  const origin = 'https://tessera.example.org';

  it('no rules: an error, and the fix is our rule', () => {
    const r = examineCors([], origin);
    expect(r.healthy).toBe(false);
    expect(r.findings[0]!.level).toBe('error');
    expect(r.fixed).toEqual([recommendedRule(origin)]);
  });

  it('the recommended rule is healthy', () => {
    expect(examineCors([recommendedRule(origin)], origin).healthy).toBe(true);
  });

  it("JASMIN's help example (no ExposeHeader ETag) works for reading but warns for uploads", () => {
    const jasminExample = parseCorsXml(`<CORSConfiguration><CORSRule><AllowedOrigin>${origin}</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod><AllowedMethod>POST</AllowedMethod><AllowedMethod>DELETE</AllowedMethod><AllowedMethod>HEAD</AllowedMethod><AllowedHeader>*</AllowedHeader></CORSRule></CORSConfiguration>`);
    const r = examineCors(jasminExample, origin);
    expect(r.healthy).toBe(false);
    expect(r.findings.find((f) => f.message.startsWith('ETag'))?.level).toBe('warning');
    expect(r.fixed[0]!.exposeHeaders).toContain('ETag');
  });

  it('a rule for another origin: error; the fix keeps the other rule', () => {
    const other = { ...recommendedRule('https://other.example'), id: 'theirs' };
    const r = examineCors([other], origin);
    expect(r.findings[0]!.message).toMatch(/No rule allows the origin/);
    expect(r.fixed).toEqual([recommendedRule(origin), other]);
  });

  it('missing headers and methods are named', () => {
    const narrow = { allowedOrigins: ['*'], allowedMethods: ['GET'], allowedHeaders: ['range'], exposeHeaders: [], maxAgeSeconds: 10 };
    const msgs = examineCors([narrow], origin).findings.map((f) => f.message).join('\n');
    expect(msgs).toMatch(/Method PUT is not allowed/);
    expect(msgs).toMatch(/Request header authorization is not allowed/);
    expect(msgs).toMatch(/MaxAgeSeconds/);
  });

  it('origins with one wildcard match like S3 does', () => {
    expect(originMatches('https://*.example.org', origin)).toBe(true);
    expect(originMatches('https://*.example.com', origin)).toBe(false);
    expect(originMatches('*', origin)).toBe(true);
    expect(originMatches('HTTPS://TESSERA.EXAMPLE.ORG', origin)).toBe(true);
  });

  it('fixRules drops our origin from shared rules before adding ours', () => {
    const shared = { allowedOrigins: [origin, 'https://b.example'], allowedMethods: ['GET'], allowedHeaders: [], exposeHeaders: [] };
    expect(fixRules([shared], origin)[1]!.allowedOrigins).toEqual(['https://b.example']);
  });

  it('gives exact files and commands for s3cmd and aws', () => {
    const steps = corsFixSteps([recommendedRule(origin)], 'b', 'https://ncas-o.s3-ext.jc.rl.ac.uk');
    expect(steps[0]!.command).toBe('s3cmd setcors rules.xml s3://b');
    expect(parseCorsXml(steps[0]!.file!.content)).toEqual([recommendedRule(origin)]);
    expect(steps[1]!.command).toContain('--endpoint-url https://ncas-o.s3-ext.jc.rl.ac.uk --bucket b --cors-configuration file://cors.json');
    expect(JSON.parse(steps[1]!.file!.content).CORSRules[0].ExposeHeaders).toContain('ETag');
  });
});
