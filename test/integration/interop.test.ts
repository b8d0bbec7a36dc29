/**
 * Interoperability with the tools JASMIN users already have: what Tessera's
 * core writes, `s3cmd` and `/usr/bin/aws` read back byte-identical, and the
 * other way round.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, createHash } from 'node:crypto';
import * as ops from '../../src/lib/s3/ops/index';
import { contentMd5 } from '../../src/lib/s3/checksum';
import { createBucket, destroyBucket, rgwClient, uniqueBucket } from '../helpers/s3';
import { aws, s3cmd } from '../helpers/cli';
import type { S3Client } from '../../src/lib/s3/client';

const MiB = 1024 * 1024;
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
// Keys every tool can address on its command line.
const KEYS = ['interop/plain.bin', 'interop/with space+plus.bin', 'interop/ünïcödé 😀.bin'];

let bucket: string;
let client: S3Client;
let dir: string;

beforeAll(async () => {
  client = rgwClient();
  bucket = uniqueBucket('interop');
  await createBucket(bucket);
  dir = mkdtempSync(join(tmpdir(), 'tessera-interop-'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await destroyBucket(bucket);
});

async function readBackWithBoth(key: string, expected: Uint8Array): Promise<void> {
  const viaS3cmd = join(dir, `s3cmd-${Math.random()}`);
  const r1 = await s3cmd(['get', '--force', `s3://${bucket}/${key}`, viaS3cmd]);
  expect(r1.code, r1.stderr).toBe(0);
  expect(sha(readFileSync(viaS3cmd))).toBe(sha(expected));
  const viaAws = join(dir, `aws-${Math.random()}`);
  const r2 = await aws(['s3', 'cp', `s3://${bucket}/${key}`, viaAws]);
  expect(r2.code, r2.stderr).toBe(0);
  expect(sha(readFileSync(viaAws))).toBe(sha(expected));
}

describe('Tessera writes, the peers read', () => {
  it.each(KEYS)('single PUT of %s', async (key) => {
    const body = randomBytes(300_000);
    await client.send(ops.PutObject, { bucket, key, body, contentMd5: await contentMd5(body) });
    await readBackWithBoth(key, body);
  });

  it('a multipart object', async () => {
    const key = 'interop/multipart 3 parts.bin';
    const parts = [randomBytes(5 * MiB), randomBytes(5 * MiB), randomBytes(777)];
    const { uploadId } = await client.send(ops.CreateMultipartUpload, { bucket, key });
    const done = [];
    for (let i = 0; i < parts.length; i++) {
      const r = await client.send(ops.UploadPart, { bucket, key, uploadId, partNumber: i + 1, body: parts[i]!, contentMd5: await contentMd5(parts[i]!) });
      done.push({ partNumber: i + 1, etag: r.etag! });
    }
    await client.send(ops.CompleteMultipartUpload, { bucket, key, uploadId, parts: done });
    await readBackWithBoth(key, Buffer.concat(parts));
  });
});

describe('the peers write, Tessera reads', () => {
  it('s3cmd put, Tessera lists, heads and gets', async () => {
    const body = randomBytes(250_000);
    const file = join(dir, 'from-s3cmd.bin');
    writeFileSync(file, body);
    const key = 'peers/from s3cmd ü.bin';
    const r = await s3cmd(['put', file, `s3://${bucket}/${key}`]);
    expect(r.code, r.stderr).toBe(0);
    const page = await client.send(ops.ListObjectsV2, { bucket, prefix: 'peers/' });
    expect(page.objects.map((o) => o.key)).toContain(key);
    expect((await client.send(ops.HeadObject, { bucket, key })).size).toBe(body.length);
    const got = new Uint8Array(await (await client.send(ops.GetObject, { bucket, key })).body.arrayBuffer());
    expect(sha(got)).toBe(sha(body));
  });

  it('aws s3 cp (multipart above its 8 MiB threshold), Tessera gets it whole and by ranges', async () => {
    const body = randomBytes(20 * MiB + 5);
    const file = join(dir, 'from-aws.bin');
    writeFileSync(file, body);
    const key = 'peers/from aws+cli.bin';
    const r = await aws(['s3', 'cp', file, `s3://${bucket}/${key}`]);
    expect(r.code, r.stderr).toBe(0);
    const head = await client.send(ops.HeadObject, { bucket, key });
    expect(head.size).toBe(body.length);
    expect(head.etag).toMatch(/-\d+$/);
    const got = new Uint8Array(await (await client.send(ops.GetObject, { bucket, key })).body.arrayBuffer());
    expect(sha(got)).toBe(sha(body));
    const slice = await client.send(ops.GetObject, { bucket, key, range: { start: 8 * MiB - 3, end: 8 * MiB + 2 } });
    expect(Buffer.from(await slice.body.arrayBuffer()).equals(body.subarray(8 * MiB - 3, 8 * MiB + 3))).toBe(true);
  });
});
