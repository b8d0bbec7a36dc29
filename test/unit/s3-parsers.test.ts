/**
 * Every response parser against real Ceph RGW XML (captured by
 * test/integration/rgw-xml-capture.test.ts into test/fixtures/rgw-xml).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as ops from '../../src/lib/s3/ops/index';
import { errorFromResponse, parseErrorXml } from '../../src/lib/s3/client';
import { S3Error } from '../../src/lib/s3/errors';
import { parseXml, XmlParseError } from '../../src/lib/s3/xml';

const DIR = join(import.meta.dirname, '../fixtures/rgw-xml');
const files = readdirSync(DIR);
function fixture(name: string): { status: number; body: string } {
  const file = files.find((f) => f.startsWith(`${name}.`));
  if (!file) throw new Error(`no fixture ${name}`);
  return { status: Number(file.split('.').at(-2)), body: readFileSync(join(DIR, file), 'utf8') };
}
const xml = (name: string) => fixture(name).body;

describe('ListBuckets', () => {
  it('reads names, dates and the owner', () => {
    const r = ops.parseListBuckets(xml('list-buckets'));
    expect(r.buckets.length).toBeGreaterThan(0);
    expect(r.buckets.map((b) => b.name)).toContain('tessera-fixtures');
    expect(r.owner?.id).toBe('tessera-test');
    for (const b of r.buckets) expect(b.creationDate).toMatch(/^\d{4}-\d\d-\d\dT/);
  });
});

describe('ListObjects', () => {
  it('V2: decodes url-encoded keys, reads sizes, quoted ETags, dates, storage class', () => {
    const page = ops.parseListObjects(xml('list-objects-v2-all'));
    expect(page.api).toBe('v2');
    expect(page.isTruncated).toBe(false);
    expect(page.nextToken).toBeUndefined();
    const keys = page.objects.map((o) => o.key);
    expect(keys).toEqual(['<&>"\'.txt', 'a/1.txt', 'a/2.txt', 'b/c/3.txt', 'ctl\u0001\ttab.txt', 'plus+ space.txt', 'ünï 😀.txt']);
    const plus = page.objects.find((o) => o.key === 'plus+ space.txt')!;
    expect(plus.size).toBe('plus+ space.txt'.length);
    expect(plus.etag).toMatch(/^[0-9a-f]{32}$/);
    expect(plus.storageClass).toBe('STANDARD');
    expect(plus.lastModified).toMatch(/^2\d{3}-\d\d-\d\dT\d\d:\d\d:\d\d/);
  });

  it('V2: a truncated page gives the continuation token', () => {
    const page = ops.parseListObjects(xml('list-objects-v2-truncated'));
    expect(page.isTruncated).toBe(true);
    expect(page.objects).toHaveLength(3);
    expect(page.nextToken).toBeTruthy();
  });

  it('V2: pseudo-folders with a delimiter', () => {
    const page = ops.parseListObjects(xml('list-objects-v2-delimiter'));
    expect(page.prefixes).toEqual(['a/', 'b/']);
    expect(page.objects.map((o) => o.key)).not.toContain('a/1.txt');
  });

  it('v1: the last key is the marker without a delimiter; NextMarker with one', () => {
    const page = ops.parseListObjects(xml('list-objects-v1-truncated'));
    expect(page.api).toBe('v1');
    expect(page.isTruncated).toBe(true);
    expect(page.nextToken).toBe(page.objects.at(-1)!.key);
    const delim = ops.parseListObjects(xml('list-objects-v1-delimiter-truncated'));
    expect(delim.prefixes).toEqual(['a/']);
    expect(delim.nextToken).toBe('a/');
  });

  it('decodes only when the store says the keys are encoded', () => {
    const raw = xml('list-objects-v2-all').replace('<EncodingType>url</EncodingType>', '');
    const page = ops.parseListObjects(raw);
    expect(page.objects.map((o) => o.key)).toContain('a%2F1.txt');
  });

  it('a body that is not a listing is an InvalidResponse error', () => {
    expect(() => ops.parseListObjects(xml('list-buckets'))).toThrow(S3Error);
  });
});

describe('multipart', () => {
  it('CreateMultipartUpload gives the upload id', async () => {
    const res = new Response(xml('create-multipart-upload'), { status: 200 });
    const out = await ops.CreateMultipartUpload.parse(res, { bucket: 'b', key: 'k' });
    expect(out.uploadId).toMatch(/^2~/);
  });

  it('ListParts: parts, truncation, next marker', () => {
    const page = ops.parseListParts(xml('list-parts-truncated'));
    expect(page.isTruncated).toBe(true);
    expect(page.nextPartNumberMarker).toBe(1);
    expect(page.parts).toEqual([{ partNumber: 1, etag: expect.stringMatching(/^[0-9a-f]{32}$/), size: 8, lastModified: expect.any(String) }]);
  });

  it('ListMultipartUploads', () => {
    const page = ops.parseListMultipartUploads(xml('list-multipart-uploads'));
    expect(page.uploads.length).toBeGreaterThanOrEqual(1);
    expect(page.uploads[0]!.key).toBe('mp/x');
    expect(page.uploads[0]!.uploadId).toMatch(/^2~/);
    expect(page.uploads[0]!.initiated).toMatch(/^\d{4}-/);
  });

  it("CompleteMultipartUpload: RGW's empty ETag is undefined, not an error", () => {
    const out = ops.parseCompleteResult(xml('complete-multipart-upload'));
    expect(out.etag).toBeUndefined();
    expect(out.location).toContain('/tessera-fixtures/mp/one');
  });

  it('CompleteMultipartUpload: a 200 that carries <Error> is an error', () => {
    const body = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message><RequestId>656c76696e6727732072657175657374</RequestId></Error>';
    try {
      ops.parseCompleteResult(body, 'b', 'k');
      throw new Error('should have thrown');
    } catch (e) {
      expect(e).toBeInstanceOf(S3Error);
      expect((e as S3Error).code).toBe('InternalError');
      expect((e as S3Error).retryable).toBe(true);
      expect((e as S3Error).requestId).toBe('656c76696e6727732072657175657374');
      expect((e as S3Error).status).toBe(200);
    }
  });

  it('AWS-style Complete answer with an ETag', () => {
    const body = `<CompleteMultipartUploadResult><Location>https://x/b/k</Location><Bucket>b</Bucket><Key>k</Key><ETag>"3858f62230ac3c915f300c664312c11f-9"</ETag></CompleteMultipartUploadResult>`;
    expect(ops.parseCompleteResult(body).etag).toBe('3858f62230ac3c915f300c664312c11f-9');
  });

  it('the Complete body lists parts in order with quoted ETags', () => {
    const body = ops.buildCompleteBody([{ partNumber: 2, etag: 'bb' }, { partNumber: 1, etag: 'aa' }]);
    expect(body).toContain('<Part><PartNumber>1</PartNumber><ETag>&quot;aa&quot;</ETag></Part><Part><PartNumber>2</PartNumber>');
  });
});

describe('copies and deletes', () => {
  it('CopyObject and UploadPartCopy results', () => {
    expect(ops.parseCopyResult(xml('copy-object'), 'CopyObject', 'b', 'k', 'CopyObjectResult').etag).toMatch(/^[0-9a-f]{32}$/);
    expect(ops.parseCopyResult(xml('upload-part-copy'), 'UploadPartCopy', 'b', 'k', 'CopyPartResult').etag).toMatch(/^[0-9a-f]{32}$/);
  });

  it('a copy answered 200 with <Error> is an error', () => {
    expect(() => ops.parseCopyResult('<Error><Code>SlowDown</Code><Message></Message></Error>', 'CopyObject', 'b', 'k', 'CopyObjectResult')).toThrow(
      expect.objectContaining({ code: 'SlowDown', retryable: true }),
    );
  });

  it('DeleteObjects result, and per-key errors', () => {
    expect(ops.parseDeleteResult(xml('delete-objects')).deleted.sort()).toEqual(['a/1.txt', 'never-existed']);
    const withError = ops.parseDeleteResult('<DeleteResult><Deleted><Key>a</Key></Deleted><Error><Key>b &amp; c</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error></DeleteResult>');
    expect(withError.errors).toEqual([{ key: 'b & c', code: 'AccessDenied', message: 'Access Denied' }]);
  });

  it('the Delete body escapes keys', () => {
    expect(ops.buildDeleteBody(['<a&b>', 'c\rd'])).toContain('<Key>&lt;a&amp;b&gt;</Key></Object><Object><Key>c&#13;d</Key>');
  });
});

describe('CORS and ACL', () => {
  it('reads a CORS configuration', () => {
    const rules = ops.parseCorsXml(xml('get-bucket-cors'));
    expect(rules).toHaveLength(1);
    expect(rules[0]!.allowedOrigins).toEqual(['http://127.0.0.1:4173', 'https://example.org']);
    expect(rules[0]!.allowedHeaders).toEqual(['*']);
    expect(rules[0]!.exposeHeaders).toContain('ETag');
    expect(rules[0]!.maxAgeSeconds).toBe(3600);
  });

  it('CORS XML round-trips through build and parse', () => {
    const rule = { id: 'app & co', allowedOrigins: ['https://a.example'], allowedMethods: ['GET', 'PUT'], allowedHeaders: ['*'], exposeHeaders: ['ETag'], maxAgeSeconds: 3000 };
    expect(ops.parseCorsXml(ops.buildCorsXml([rule]))).toEqual([rule]);
  });

  it('reads an object ACL', () => {
    const acl = ops.parseAcl(xml('get-object-acl'));
    expect(acl.owner?.id).toBe('tessera-test');
    expect(acl.grants[0]).toMatchObject({ id: 'tessera-test', permission: 'FULL_CONTROL' });
    expect(ops.isPublicRead(acl)).toBe(false);
  });
});

describe('errors', () => {
  const cases: [string, string, number][] = [
    ['get-no-such-key', 'NoSuchKey', 404],
    ['list-no-such-bucket', 'NoSuchBucket', 404],
    ['delete-bucket-not-empty', 'BucketNotEmpty', 409],
    ['list-access-denied', 'AccessDenied', 403],
    ['list-signature-mismatch', 'SignatureDoesNotMatch', 403],
    ['list-invalid-access-key', 'InvalidAccessKeyId', 403],
    ['list-request-time-too-skewed', 'RequestTimeTooSkewed', 403],
    ['put-bad-digest', 'BadDigest', 400],
    ['complete-entity-too-small', 'EntityTooSmall', 400],
    ['get-bucket-cors-none', 'NoSuchCORSConfiguration', 404],
    ['get-bucket-policy-none', 'NoSuchBucketPolicy', 404],
    ['list-parts-no-such-upload', 'NoSuchKey', 404],
  ];
  it.each(cases)('%s is %s', async (name, code, status) => {
    const f = fixture(name);
    expect(f.status).toBe(status);
    const parsed = parseErrorXml(f.body);
    expect(parsed?.code).toBe(code);
    expect(parsed?.requestId).toMatch(/^tx/);
    const res = new Response(f.body, { status, headers: { date: 'Sun, 29 Nov 2026 11:00:00 GMT' } });
    const err = await errorFromResponse({ operation: 'Op', method: 'GET', bucket: 'b', key: 'k' }, res);
    expect(err.code).toBe(code);
    expect(err.status).toBe(status);
    // RGW sends an empty <Message>: ours is in plain words, never empty.
    expect(err.message.length).toBeGreaterThan(10);
    expect(err.serverTime).toBe('Sun, 29 Nov 2026 11:00:00 GMT');
  });

  it('HEAD errors have no body: the code comes from the status', async () => {
    const err = await errorFromResponse({ operation: 'HeadObject', method: 'HEAD', bucket: 'b', key: 'k' }, new Response(null, { status: 404 }));
    expect(err.code).toBe('NoSuchKey');
    const bucketErr = await errorFromResponse({ operation: 'HeadBucket', method: 'HEAD', bucket: 'b' }, new Response(null, { status: 404 }));
    expect(bucketErr.code).toBe('NoSuchBucket');
  });

  it('malformed XML is a clear XmlParseError, not a crash', () => {
    expect(() => parseXml('<ListBucketResult><Contents><Key>a</Contents>')).toThrow(XmlParseError);
    expect(parseErrorXml('<Error><Code>oops')).toBeUndefined();
    expect(parseErrorXml('<html>proxy error</html>')).toBeUndefined();
  });

  it('a non-S3 error body (a proxy page) still gives a structured error', async () => {
    const err = await errorFromResponse({ operation: 'GetObject', method: 'GET', bucket: 'b', key: 'k' }, new Response('<html>Bad gateway</html>', { status: 502 }));
    expect(err.code).toBe('BadGateway');
    expect(err.retryable).toBe(true);
  });
});
