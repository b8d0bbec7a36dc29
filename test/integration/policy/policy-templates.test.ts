/**
 * The policy templates, written in the AWS/Ceph dialect, do on the real RGW
 * what their explanation says. (The Swarm dialect is JASMIN's own and is
 * checked against its documented shape in the unit tests.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ops from '../../../src/lib/s3/ops/index';
import { S3Error } from '../../../src/lib/s3/errors';
import { TEMPLATES, writePolicy, readPolicy, lintPolicy, examineCors, corsFixSteps, putPolicyConfirmed, deletePolicyConfirmed } from '../../../src/lib/policy/index';
import { S3Client } from '../../../src/lib/s3/client';
import { loadRgwEnv } from '../../helpers/rgw-env';
import { createBucket, destroyBucket, rgwClient, rgwService, uniqueBucket } from '../../helpers/s3';
import { s3cmd } from '../../helpers/cli';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

let bucket: string;
const owner = () => rgwClient();
const anon = () => rgwClient('anonymous');
const other = () => rgwClient('other');

async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return e instanceof S3Error ? e.code : String(e);
  }
}

async function apply(id: string, users: string[] = []): Promise<void> {
  const t = TEMPLATES.find((x) => x.id === id)!;
  const text = writePolicy(t.build({ dialect: 'aws', users, tenancy: 'tessera' }), bucket);
  expect(lintPolicy(text, bucket)).toEqual([]);
  await owner().send(ops.PutBucketPolicy, { bucket, policy: text });
  // Read back, edit nothing, and the store's copy means the same.
  const stored = await owner().send(ops.GetBucketPolicy, { bucket });
  expect(readPolicy(stored, bucket).statements.map((s) => s.actions)).toEqual(readPolicy(text, bucket).statements.map((s) => s.actions));
}

beforeAll(async () => {
  bucket = uniqueBucket('policy');
  await createBucket(bucket);
  await owner().send(ops.PutObject, { bucket, key: 'data/file.txt', body: 'hello' });
});
afterAll(() => destroyBucket(bucket));

describe('policy templates on the RGW', () => {
  it('read-only for everyone: anonymous reads work, anonymous listing and writes do not', async () => {
    await apply('public-read');
    expect(await outcome(anon().send(ops.GetObject, { bucket, key: 'data/file.txt' }))).toBe('ok');
    expect(await outcome(anon().send(ops.ListObjectsV2, { bucket }))).toBe('AccessDenied');
    expect(await outcome(anon().send(ops.PutObject, { bucket, key: 'x', body: 'x' }))).toBe('AccessDenied');
    // A missing key on an unlistable bucket is 403, not 404 (what the Zarr reader must expect).
    expect(await outcome(anon().send(ops.GetObject, { bucket, key: 'missing' }))).toBe('AccessDenied');
  });

  it('read and list for everyone', async () => {
    await apply('public-read-list');
    expect(await outcome(anon().send(ops.ListObjectsV2, { bucket }))).toBe('ok');
    expect(await outcome(anon().send(ops.GetObject, { bucket, key: 'data/file.txt' }))).toBe('ok');
    expect(await outcome(anon().send(ops.GetObject, { bucket, key: 'missing' }))).toBe('NoSuchKey');
  });

  it('read-only and read-write for a named user', async () => {
    await apply('users-read', ['tessera-other']);
    expect(await outcome(other().send(ops.GetObject, { bucket, key: 'data/file.txt' }))).toBe('ok');
    expect(await outcome(other().send(ops.ListObjectsV2, { bucket }))).toBe('ok');
    expect(await outcome(other().send(ops.PutObject, { bucket, key: 'by-other', body: 'x' }))).toBe('AccessDenied');
    expect(await outcome(anon().send(ops.GetObject, { bucket, key: 'data/file.txt' }))).toBe('AccessDenied');
    await apply('users-write', ['tessera-other']);
    expect(await outcome(other().send(ops.PutObject, { bucket, key: 'by-other', body: 'x' }))).toBe('ok');
    expect(await outcome(other().send(ops.DeleteObject, { bucket, key: 'by-other' }))).toBe('ok');
  });

  it('deleting the policy makes the bucket private again', async () => {
    await owner().send(ops.DeleteBucketPolicy, { bucket });
    expect(await outcome(other().send(ops.GetObject, { bucket, key: 'data/file.txt' }))).toBe('AccessDenied');
  });
});

describe('CORS doctor fix on the RGW', () => {
  it('the s3cmd step it prints, run for real, makes the bucket healthy for the origin', async () => {
    const origin = 'http://127.0.0.1:4173';
    const before = await rgwService().send('GetBucketCors', { bucket }).catch(() => []);
    const report = examineCors(before, origin);
    expect(report.healthy).toBe(false);
    const [step] = corsFixSteps(report.fixed, bucket, loadRgwEnv().endpoint);
    const dir = mkdtempSync(join(tmpdir(), 'tessera-cors-'));
    try {
      writeFileSync(join(dir, step!.file!.name), step!.file!.content);
      const args = step!.command.split(' ').slice(1);
      const r = await s3cmd(args, { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const after = await rgwService().send('GetBucketCors', { bucket });
    expect(examineCors(after, origin).healthy).toBe(true);
    const pre = await fetch(`${loadRgwEnv().endpoint}/${bucket}/data/file.txt`, {
      method: 'OPTIONS',
      headers: { Origin: origin, 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'authorization,x-amz-date,x-amz-content-sha256,content-md5' },
    });
    expect(pre.status).toBe(200);
    expect(pre.headers.get('access-control-allow-origin')).toBe(origin);
  });
});

describe('policy writes confirmed by reading back', () => {
  // The seam: what a browser sees when the store's answer to PUT/DELETE ?policy has no CORS headers.
  function blindClient(): S3Client {
    const env = loadRgwEnv();
    return new S3Client({
      endpoint: owner().endpoint,
      credentials: { accessKeyId: env.accessKeyId, secretAccessKey: env.secretAccessKey },
      retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
      fetch: async (input, init) => {
        const res = await fetch(input, init);
        const url = String(input instanceof Request ? input.url : input);
        if (/[?&]policy(=|&|$)/.test(url) && (init?.method === 'PUT' || init?.method === 'DELETE')) throw new TypeError('Failed to fetch');
        return res;
      },
    });
  }

  it('a write whose answer was unreadable is confirmed when the stored policy is ours', async () => {
    const text = writePolicy(TEMPLATES[0]!.build({ dialect: 'aws' }), bucket);
    expect(await putPolicyConfirmed(blindClient(), bucket, text)).toEqual({ confirmedByReadBack: true });
    expect(await deletePolicyConfirmed(blindClient(), bucket)).toEqual({ confirmedByReadBack: true });
  });

  it('a write that really failed is still an error', async () => {
    // The other user may not write this bucket's policy: the read-back (also refused) cannot confirm.
    const env = loadRgwEnv();
    const blindOther = new S3Client({
      endpoint: owner().endpoint,
      credentials: { accessKeyId: env.otherAccessKeyId, secretAccessKey: env.otherSecretAccessKey },
      retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
      fetch: async (input, init) => {
        await fetch(input, init);
        if (init?.method === 'PUT') throw new TypeError('Failed to fetch');
        return fetch(input, init);
      },
    });
    const text = writePolicy(TEMPLATES[0]!.build({ dialect: 'aws' }), bucket);
    await expect(putPolicyConfirmed(blindOther, bucket, text)).rejects.toMatchObject({ code: 'NetworkError' });
    await expect(owner().send(ops.GetBucketPolicy, { bucket })).rejects.toMatchObject({ code: 'NoSuchBucketPolicy' });
  });
});
