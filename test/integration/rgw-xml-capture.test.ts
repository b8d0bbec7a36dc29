/**
 * Captures real Ceph RGW response bodies into test/fixtures/rgw-xml/ (run
 * with TESSERA_CAPTURE_XML=1), where the unit tests of the parsers read them.
 * In a normal run it re-captures in memory and checks that every fixture name
 * is still produced and still parses, so a changed RGW shows up here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import * as ops from '../../src/lib/s3/ops/index';
import { S3Client } from '../../src/lib/s3/client';
import type { S3Request } from '../../src/lib/s3/request';
import { contentMd5 } from '../../src/lib/s3/checksum';
import { signRequest } from '../../src/lib/s3/signer';
import { requestUrl } from '../../src/lib/s3/endpoint';
import { createBucket, destroyBucket, rgwClient, rgwService, uniqueBucket, appCorsRule } from '../helpers/s3';
import { loadRgwEnv } from '../helpers/rgw-env';

const DIR = join(import.meta.dirname, '../fixtures/rgw-xml');
const CAPTURE = process.env.TESSERA_CAPTURE_XML === '1';
const FIXTURE_BUCKET = 'tessera-fixtures';

let bucket: string;
let client: S3Client;
const captured = new Map<string, { status: number; body: string }>();

async function capture(name: string, req: S3Request, via: S3Client = client): Promise<string> {
  const res = await via.sendRaw(req, {}).catch(async (e) => {
    // Errors: fetch the raw body ourselves (sendRaw turns them into S3Error).
    void e;
    return null;
  });
  let status: number;
  let body: string;
  if (res) {
    status = res.status;
    body = await res.text();
  } else {
    const url = await via.presign({ method: req.method, bucket: req.bucket, key: req.key, query: req.query }, 300);
    const raw = await fetch(url, { method: req.method, headers: req.headers, body: req.body as BodyInit | undefined });
    status = raw.status;
    body = await raw.text();
  }
  body = body.split(bucket).join(FIXTURE_BUCKET);
  captured.set(name, { status, body });
  return body;
}

beforeAll(async () => {
  client = rgwClient();
  bucket = uniqueBucket('xml');
  await createBucket(bucket);
  for (const key of ['a/1.txt', 'a/2.txt', 'b/c/3.txt', 'plus+ space.txt', '<&>"\'.txt', 'ctl\u0001\ttab.txt', 'ünï 😀.txt']) {
    await client.send(ops.PutObject, { bucket, key, body: key });
  }
});

afterAll(async () => {
  await destroyBucket(bucket);
  if (CAPTURE) {
    mkdirSync(DIR, { recursive: true });
    for (const [name, { status, body }] of captured) writeFileSync(join(DIR, `${name}.${status}.xml`), body);
  }
});

describe('RGW XML capture', () => {
  it('captures every response the parsers read', async () => {
    const env = loadRgwEnv();
    await capture('list-buckets', ops.ListBuckets.build());
    await capture('list-objects-v2-truncated', ops.ListObjectsV2.build({ bucket, maxKeys: 3 }));
    await capture('list-objects-v2-delimiter', ops.ListObjectsV2.build({ bucket, delimiter: '/' }));
    await capture('list-objects-v2-all', ops.ListObjectsV2.build({ bucket }));
    await capture('list-objects-v1-truncated', ops.ListObjectsV1.build({ bucket, maxKeys: 3 }));
    await capture('list-objects-v1-delimiter-truncated', ops.ListObjectsV1.build({ bucket, delimiter: '/', maxKeys: 2 }));
    const init = await capture('create-multipart-upload', ops.CreateMultipartUpload.build({ bucket, key: 'mp/x' }));
    const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(init)![1]!;
    const part = await client.send(ops.UploadPart, { bucket, key: 'mp/x', uploadId, partNumber: 1, body: 'part one' });
    await client.send(ops.UploadPart, { bucket, key: 'mp/x', uploadId, partNumber: 2, body: 'part two' });
    await capture('list-parts-truncated', ops.ListParts.build({ bucket, key: 'mp/x', uploadId, maxParts: 1 }));
    await capture('list-multipart-uploads', ops.ListMultipartUploads.build({ bucket }));
    await capture('complete-entity-too-small', ops.CompleteMultipartUpload.build({ bucket, key: 'mp/x', uploadId, parts: [{ partNumber: 1, etag: part.etag! }, { partNumber: 2, etag: part.etag! }] }));
    const one = await client.send(ops.CreateMultipartUpload, { bucket, key: 'mp/one' });
    const onePart = await client.send(ops.UploadPart, { bucket, key: 'mp/one', uploadId: one.uploadId, partNumber: 1, body: 'only part' });
    await capture('complete-multipart-upload', ops.CompleteMultipartUpload.build({ bucket, key: 'mp/one', uploadId: one.uploadId, parts: [{ partNumber: 1, etag: onePart.etag! }] }));
    await client.send(ops.AbortMultipartUpload, { bucket, key: 'mp/x', uploadId });
    await capture('copy-object', ops.CopyObject.build({ bucket, key: 'copy', sourceBucket: bucket, sourceKey: 'a/1.txt' }));
    const mp2 = await client.send(ops.CreateMultipartUpload, { bucket, key: 'mp/copy' });
    await capture('upload-part-copy', ops.UploadPartCopy.build({ bucket, key: 'mp/copy', uploadId: mp2.uploadId, partNumber: 1, sourceBucket: bucket, sourceKey: 'a/1.txt', range: { start: 0, end: 3 } }));
    await client.send(ops.AbortMultipartUpload, { bucket, key: 'mp/copy', uploadId: mp2.uploadId });
    await capture('list-parts-no-such-upload', ops.ListParts.build({ bucket, key: 'mp/copy', uploadId: mp2.uploadId }));
    const delBody = ops.buildDeleteBody(['a/1.txt', 'never-existed']);
    await capture('delete-objects', ops.DeleteObjects.build({ bucket, keys: [], body: delBody, contentMd5: await contentMd5(delBody) }));
    await capture('get-bucket-cors-none', ops.GetBucketCors.build({ bucket }));
    await rgwService().putBucketCors(bucket, [appCorsRule(['http://127.0.0.1:4173', 'https://example.org'])]);
    await capture('get-bucket-cors', ops.GetBucketCors.build({ bucket }));
    await capture('get-bucket-policy-none', ops.GetBucketPolicy.build({ bucket }));
    await capture('get-object-acl', ops.GetObjectAcl.build({ bucket, key: 'a/2.txt' }));
    await capture('get-no-such-key', ops.GetObject.build({ bucket, key: 'missing' }));
    await capture('list-no-such-bucket', ops.ListObjectsV2.build({ bucket: 'tessera-fixtures-missing' }));
    await capture('delete-bucket-not-empty', ops.DeleteBucket.build({ bucket }));
    await capture('list-access-denied', ops.ListObjectsV2.build({ bucket }), rgwClient('other'));
    await capture('list-signature-mismatch', ops.ListObjectsV2.build({ bucket }), rgwClient('main', { secretAccessKey: 'wrong-secret-000000000000000000000000' }));
    await capture('list-invalid-access-key', ops.ListObjectsV2.build({ bucket }), rgwClient('main', { accessKeyId: 'NOSUCHKEY00000000000' }));
    const skewed = new S3Client({ endpoint: client.endpoint, credentials: { accessKeyId: env.accessKeyId, secretAccessKey: env.secretAccessKey }, now: () => Date.now() - 3600_000 });
    const skewedRaw = await signRequest({ method: 'GET', url: requestUrl(client.endpoint, bucket, undefined, { 'list-type': '2' }), region: 'us-east-1', credentials: { accessKeyId: env.accessKeyId, secretAccessKey: env.secretAccessKey }, now: Date.now() - 3600_000 });
    const skewRes = await fetch(skewedRaw.url, { headers: skewedRaw.headers });
    captured.set('list-request-time-too-skewed', { status: skewRes.status, body: (await skewRes.text()).split(bucket).join(FIXTURE_BUCKET) });
    expect(skewed).toBeTruthy();
    const put = await capture('put-bad-digest', ops.PutObject.build({ bucket, key: 'bad', body: 'abc', contentMd5: await contentMd5('abd') }));
    expect(put).toContain('BadDigest');

    const names = [...captured.keys()];
    for (const name of names) {
      const { status, body } = captured.get(name)!;
      if (status >= 300) expect(body.includes('<Error>') || body === '', `${name} is an S3 error body`).toBe(true);
      const file = join(DIR, `${name}.${status}.xml`);
      if (!CAPTURE) expect(existsSync(file), `fixture ${file} (re-capture with TESSERA_CAPTURE_XML=1)`).toBe(true);
    }
  });
});
