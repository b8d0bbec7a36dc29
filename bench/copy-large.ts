/**
 * Server-side copy of an object above S3's 5 GiB single-copy limit: Tessera's
 * copy (UploadPartCopy in 512 MiB parts, four at a time, the source checked
 * before Complete) against `aws s3 cp s3://… s3://…` on the same RGW, then
 * both copies checked against the source by size and by the MD5 of byte
 * ranges spread over the object. No byte passes through the client, so
 * Tessera's copy runs here in Node with the code the S3 worker runs.
 * Wants the bluestore RGW (`scripts/rgw.sh up --bluestore`): about 17 GiB.
 * Not a test: nothing fails on speed.
 *
 *   npx tsx bench/copy-large.ts [GiB=5.125]
 */
import { createHash, randomBytes } from 'node:crypto';
import { copyObject } from '../src/lib/explorer/copy';
import { AbortMultipartUpload, CompleteMultipartUpload, CreateMultipartUpload, DeleteObject, GetObject, HeadObject, UploadPart, UploadPartCopy } from '../src/lib/s3/ops/index';
import { aws } from '../test/helpers/cli';
import { createBucket, destroyBucket, rgwClient, uniqueBucket } from '../test/helpers/s3';

const GiB = 1024 ** 3;
const size = Math.round(Number(process.argv[2] ?? 5.125) * GiB);
const client = rgwClient();
const bucket = uniqueBucket('bench-copy');
await createBucket(bucket);

async function md5Range(key: string, start: number, end: number): Promise<string> {
  const out = await client.send(GetObject, { bucket, key, range: { start, end } });
  return createHash('md5').update(new Uint8Array(await out.body.arrayBuffer())).digest('hex');
}

/** MD5s of 1 MiB at 16 offsets spread over the object (first and last bytes included). */
async function fingerprint(key: string): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < 16; i++) {
    const start = Math.floor(((size - 1024 * 1024) * i) / 15);
    out.push(await md5Range(key, start, start + 1024 * 1024 - 1));
  }
  return out;
}

try {
  // A 1 GiB random seed, then the big source built from it server-side.
  const seed = 'seed.bin';
  {
    const { uploadId } = await client.send(CreateMultipartUpload, { bucket, key: seed });
    const parts = [];
    for (let n = 1; n <= 16; n++) parts.push({ partNumber: n, etag: (await client.send(UploadPart, { bucket, key: seed, uploadId, partNumber: n, body: randomBytes(64 * 1024 * 1024) })).etag! });
    await client.send(CompleteMultipartUpload, { bucket, key: seed, uploadId, parts });
  }
  const source = 'big/source.bin';
  {
    const { uploadId } = await client.send(CreateMultipartUpload, { bucket, key: source });
    try {
      const parts = [];
      for (let n = 1, off = 0; off < size; n++, off += GiB) {
        const len = Math.min(GiB, size - off);
        parts.push({ partNumber: n, etag: (await client.send(UploadPartCopy, { bucket, key: source, uploadId, partNumber: n, sourceBucket: bucket, sourceKey: seed, range: { start: 0, end: len - 1 } })).etag });
      }
      await client.send(CompleteMultipartUpload, { bucket, key: source, uploadId, parts });
    } catch (e) {
      await client.send(AbortMultipartUpload, { bucket, key: source, uploadId }).catch(() => undefined);
      throw e;
    }
  }
  await client.send(DeleteObject, { bucket, key: seed });
  const head = await client.send(HeadObject, { bucket, key: source });
  console.log(`source: ${(head.size / GiB).toFixed(3)} GiB, ETag ${head.etag}`);
  const want = await fingerprint(source);

  let t0 = performance.now();
  const copied = await copyObject(client, { bucket, key: source }, { bucket, key: 'big/tessera-copy.bin' });
  const tessera = performance.now() - t0;
  const tOk = copied.size === size && JSON.stringify(await fingerprint('big/tessera-copy.bin')) === JSON.stringify(want);
  await client.send(DeleteObject, { bucket, key: 'big/tessera-copy.bin' });

  t0 = performance.now();
  const r = await aws(['s3', 'cp', '--only-show-errors', `s3://${bucket}/${source}`, `s3://${bucket}/big/aws-copy.bin`], { timeoutMs: 30 * 60 * 1000 });
  const awsMs = performance.now() - t0;
  if (r.code !== 0) throw new Error(`aws s3 cp failed: ${r.stderr.slice(-400)}`);
  const aHead = await client.send(HeadObject, { bucket, key: 'big/aws-copy.bin' });
  const aOk = aHead.size === size && JSON.stringify(await fingerprint('big/aws-copy.bin')) === JSON.stringify(want);

  console.log(`\nServer-side copy of ${(size / GiB).toFixed(3)} GiB (above the 5 GiB single-copy limit):`);
  console.log(`  Tessera (UploadPartCopy, 512 MiB parts x4): ${(tessera / 1000).toFixed(2)} s, ETag ${copied.etag}, ${tOk ? 'size and 16 sampled ranges identical' : 'MISMATCH'}`);
  console.log(`  aws s3 cp:                                  ${(awsMs / 1000).toFixed(2)} s, ETag ${aHead.etag}, ${aOk ? 'size and 16 sampled ranges identical' : 'MISMATCH'}  -> Tessera ${(awsMs / tessera).toFixed(2)}x`);
  if (!tOk || !aOk) process.exitCode = 1;
} finally {
  await destroyBucket(bucket);
}
