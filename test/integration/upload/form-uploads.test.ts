/**
 * The upload engine's form uploads (PostObject for small files, no CORS
 * preflight in a browser) against the real RGW: the first small file to a
 * bucket goes alone and the rest follow as POSTs; bigger files keep the PUT;
 * a store that refuses POST gets PUTs (one refused POST, then none); an
 * answer whose ETag is not our MD5 sends the file again by PUT. Every object
 * is read back and compared with its file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Client } from '../../../src/lib/s3/client';
import { resolveEndpoint } from '../../../src/lib/s3/endpoint';
import { HeadObject } from '../../../src/lib/s3/ops/index';
import { FormUploads } from '../../../src/lib/upload/form-uploads';
import { MiB } from '../../../src/lib/upload/part-plan';
import { FORM_UPLOAD_MAX } from '../../../src/lib/upload/multipart';
import { createBucket, destroyBucket, rgwClient, uniqueBucket } from '../../helpers/s3';
import { loadRgwEnv } from '../../helpers/rgw-env';
import { TempFiles, downloadedSha256, newEngine } from './harness';

const bucket = uniqueBucket('upform');
const files = new TempFiles();
const client = rgwClient();

interface Seen {
  method: string;
  path: string;
  startedAt: number;
  endedAt: number;
  status: number;
}

/** Our client with a fetch that records each request's start and end, and may stand in for the store's answer to a POST. */
function recording(log: Seen[], answerPost?: (res: Response | undefined) => Promise<Response>): S3Client {
  const env = loadRgwEnv();
  const { endpoint } = resolveEndpoint(env.endpoint, { region: env.region });
  let tick = 0;
  const f: typeof fetch = async (input, init) => {
    const method = init?.method ?? 'GET';
    const entry: Seen = { method, path: decodeURIComponent(new URL(String(input)).pathname), startedAt: tick++, endedAt: -1, status: 0 };
    log.push(entry);
    let res: Response;
    if (method === 'POST' && answerPost) res = await answerPost(answerPost.length ? await fetch(input, init) : undefined);
    else res = await fetch(input, init);
    entry.endedAt = tick++;
    entry.status = res.status;
    return res;
  };
  return new S3Client({ endpoint, credentials: { accessKeyId: env.accessKeyId, secretAccessKey: env.secretAccessKey }, fetch: f });
}

async function upload(c: S3Client, prefix: string, sizes: number[]) {
  const { engine } = newEngine(() => c, undefined, { formUploads: true });
  const made = sizes.map((size, i) => files.random(`${prefix}-${i}.bin`, size));
  const keys = made.map((_, i) => `${prefix}/${i} é+ü.bin`);
  const ids = await engine.add(await Promise.all(made.map(async (f, i) => ({ bucket, key: keys[i]!, file: await files.blob(f.path) }))));
  await engine.idle();
  for (const [i, id] of ids.entries()) {
    const snap = engine.snapshot(id)!;
    expect(snap.status, JSON.stringify(snap.error)).toBe('done');
    expect(snap.verify?.etag).toBe('ok');
    // What the store holds is the file: read back, and the SHA-256 kept as metadata.
    expect(await downloadedSha256(client, bucket, keys[i]!)).toBe(made[i]!.sha256);
    expect((await client.send(HeadObject, { bucket, key: keys[i]! })).metadata.sha256).toBe(made[i]!.sha256);
  }
  return { engine, keys, verdict: engine.formUploads.verdict(FormUploads.key(c.endpoint.url, bucket)) };
}

beforeAll(async () => {
  await createBucket(bucket);
});

afterAll(async () => {
  files.cleanup();
  await destroyBucket(bucket);
});

describe('form uploads in the upload engine (real RGW)', () => {
  it('sends small files as POSTs, the first one alone, and bigger files as PUTs', async () => {
    const log: Seen[] = [];
    const sizes = [0, 1, 1000, FORM_UPLOAD_MAX - 1, FORM_UPLOAD_MAX, 577_000, 2 * MiB, 40_000, 70_000, 123_456];
    const { keys, verdict } = await upload(recording(log), 'mixed', sizes);
    expect(verdict).toBe('post');
    const sendsOf = (key: string) => log.filter((l) => (l.method === 'POST' && l.path === `/${bucket}`) || l.path === `/${bucket}/${key}`);
    const posts = log.filter((l) => l.method === 'POST');
    for (const [i, key] of keys.entries()) {
      const sends = sendsOf(key).filter((l) => l.method === 'PUT');
      if (sizes[i]! < FORM_UPLOAD_MAX) expect(sends).toEqual([]);
      else expect(sends.map((l) => l.status)).toEqual([200]);
    }
    expect(posts.map((p) => p.status)).toEqual(Array(sizes.filter((s) => s < FORM_UPLOAD_MAX).length).fill(201));
    // The first POST was answered before any other was sent.
    const first = posts.reduce((a, b) => (b.startedAt < a.startedAt ? b : a));
    expect(posts.filter((p) => p !== first).every((p) => p.startedAt > first.endedAt)).toBe(true);
  });

  it('falls back to PUT where the store refuses POST, and sends no further POST there', async () => {
    const log: Seen[] = [];
    const refuse = async () =>
      new Response('<?xml version="1.0" encoding="UTF-8"?><Error><Code>MethodNotAllowed</Code><Message>POST is not allowed here</Message></Error>', { status: 405, headers: { 'content-type': 'application/xml' } });
    const sizes = [10, 20_000, 30_000, 40_000, 50_000, 60_000];
    const { keys, verdict } = await upload(recording(log, refuse), 'refused', sizes);
    expect(verdict).toBe('put');
    expect(log.filter((l) => l.method === 'POST')).toHaveLength(1);
    for (const key of keys) expect(log.filter((l) => l.method === 'PUT' && l.path === `/${bucket}/${key}`).map((l) => l.status)).toEqual([200]);
  });

  it('sends a file again by PUT (with Content-MD5) when the ETag of the POST answer is not its MD5', async () => {
    const log: Seen[] = [];
    let altered = 0;
    // The store's own answer, with another ETag in it: as if the stored bytes were not the ones hashed.
    const wrongEtag = async (res: Response | undefined) => {
      const xml = await res!.text();
      altered++;
      return new Response(xml.replace(/<ETag>[^<]*<\/ETag>/, '<ETag>"00000000000000000000000000000000"</ETag>'), { status: res!.status, headers: res!.headers });
    };
    const sizes = [5000, 6000, 7000];
    const { keys, verdict } = await upload(recording(log, wrongEtag), 'etag', sizes);
    // POST works there (the mismatch is the bytes', not the method's): each file was POSTed, then PUT.
    expect(verdict).toBe('post');
    expect(altered).toBe(sizes.length);
    for (const key of keys) expect(log.filter((l) => l.method === 'PUT' && l.path === `/${bucket}/${key}`).map((l) => l.status)).toEqual([200]);
  });
});
