/**
 * The S3 core over HTTPS, as users reach JASMIN's `-ext` endpoints: through
 * the TLS fronts of scripts/net.sh (nginx, one offering HTTP/2 and one
 * HTTP/1.1 only; Node's fetch speaks HTTP/1.1 to both) and the shaped
 * network. Listing pages, multipart, ranges, presigned GET and PUT and a
 * policy read back, each checked against what the store holds.
 *
 * Node trusts the fronts' throw-away CA through NODE_EXTRA_CA_CERTS, which
 * the integration set-up (test/integration/net-setup.ts) sets before the test
 * processes start.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { S3Client } from '../../src/lib/s3/client';
import { resolveEndpoint } from '../../src/lib/s3/endpoint';
import { contentMd5 } from '../../src/lib/s3/checksum';
import * as ops from '../../src/lib/s3/ops/index';
import { createBucket, destroyBucket, rgwClient, uniqueBucket } from '../helpers/s3';
import { loadRgwEnv } from '../helpers/rgw-env';
import { accessLogSince, accessLogSize, loadNetEnv } from '../helpers/net-env';

const MiB = 1024 * 1024;
const md5hex = (b: Uint8Array) => createHash('md5').update(b).digest('hex');

describe.each(['h2', 'h1'] as const)('the S3 core over HTTPS (front %s)', (front) => {
  const bucket = uniqueBucket(`https-${front}`);
  let client: S3Client;
  let from = 0;

  beforeAll(async () => {
    const net = loadNetEnv();
    const env = loadRgwEnv();
    client = new S3Client({ endpoint: resolveEndpoint(net[front], { region: env.region }).endpoint, credentials: { accessKeyId: env.accessKeyId, secretAccessKey: env.secretAccessKey } });
    await createBucket(bucket);
    from = accessLogSize();
  });

  afterAll(async () => {
    await destroyBucket(bucket);
  });

  it('pages a listing with continuation tokens', async () => {
    const keys = Array.from({ length: 25 }, (_, i) => `list/k ${String(i).padStart(2, '0')}+é`);
    await Promise.all(keys.map((key) => client.send(ops.PutObject, { bucket, key, body: key })));
    const pages = [];
    for await (const p of ops.listPages(client, { bucket, prefix: 'list/', maxKeys: 10 })) pages.push(p);
    expect(pages.map((p) => p.objects.length)).toEqual([10, 10, 5]);
    expect(pages.flatMap((p) => p.objects.map((o) => o.key))).toEqual([...keys].sort());
  });

  it('uploads in parts with Content-MD5, completes, and reads ranges back', async () => {
    const key = 'mp/over https.bin';
    const parts = [randomBytes(5 * MiB), randomBytes(5 * MiB), randomBytes(777)];
    const { uploadId } = await client.send(ops.CreateMultipartUpload, { bucket, key });
    const etags = [];
    for (let i = 0; i < parts.length; i++) {
      const r = await client.send(ops.UploadPart, { bucket, key, uploadId, partNumber: i + 1, body: parts[i]!, contentMd5: await contentMd5(parts[i]!) });
      expect(r.etag).toBe(md5hex(parts[i]!));
      etags.push({ partNumber: i + 1, etag: r.etag! });
    }
    expect((await ops.listAllParts(client, { bucket, key, uploadId })).map((p) => p.size)).toEqual(parts.map((p) => p.length));
    await client.send(ops.CompleteMultipartUpload, { bucket, key, uploadId, parts: etags });
    const whole = Buffer.concat(parts);
    const head = await client.send(ops.HeadObject, { bucket, key });
    expect(head.size).toBe(whole.length);
    const mid = await client.send(ops.GetObject, { bucket, key, range: { start: 5 * MiB - 3, end: 5 * MiB + 3 } });
    expect(mid.status).toBe(206);
    expect(Buffer.from(await mid.body.arrayBuffer())).toEqual(whole.subarray(5 * MiB - 3, 5 * MiB + 4));
    const tail = await client.send(ops.GetObject, { bucket, key, suffixLength: 100 });
    expect(Buffer.from(await tail.body.arrayBuffer())).toEqual(whole.subarray(whole.length - 100));
  });

  it('GETs and PUTs through presigned URLs made for the HTTPS host', async () => {
    const put = await client.presign({ method: 'PUT', bucket, key: 'pre/a b+c' }, 600);
    expect(put.startsWith(`${loadNetEnv()[front]}/`)).toBe(true);
    expect((await fetch(put, { method: 'PUT', body: 'over https' })).status).toBe(200);
    const get = await client.presign({ method: 'GET', bucket, key: 'pre/a b+c' }, 600);
    const res = await fetch(get, { headers: { Range: 'bytes=5-9' } });
    expect(res.status).toBe(206);
    expect(await res.text()).toBe('https');
    // The same object, read straight from the store.
    expect(await (await rgwClient().send(ops.GetObject, { bucket, key: 'pre/a b+c' })).body.text()).toBe('over https');
  });

  it('writes a bucket policy and reads it back', async () => {
    const policy = { Version: '2012-10-17', Statement: [{ Sid: 'read', Effect: 'Allow', Principal: '*', Action: ['s3:GetObject'], Resource: [`arn:aws:s3:::${bucket}/pre/*`] }] };
    await client.send(ops.PutBucketPolicy, { bucket, policy: JSON.stringify(policy) });
    expect(JSON.parse(await client.send(ops.GetBucketPolicy, { bucket }))).toMatchObject({ Statement: [{ Sid: 'read', Effect: 'Allow' }] });
    await client.send(ops.DeleteBucketPolicy, { bucket });
  });

  it('went through the front it names', () => {
    const log = accessLogSince(from);
    expect(log.length).toBeGreaterThan(20);
    // Node's fetch offers HTTP/1.1 only, so both fronts log it; the browser tests see HTTP/2.
    expect(log.filter((l) => l.uri.includes(bucket)).every((l) => l.protocol === 'HTTP/1.1')).toBe(true);
  });
});
