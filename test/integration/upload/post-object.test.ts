/**
 * Browser-form uploads (PostObject with a SigV4-signed policy) against the
 * real Ceph RGW, directly and through the HTTPS front: what it accepts, what
 * it refuses, what its answer carries for integrity (the ETag, the MD5 of the
 * body, in the 201's XML), and whether the bucket's CORS rule makes that
 * answer readable to a page (Access-Control-Allow-Origin on the POST's own
 * response: a form POST is a simple request, so there is no preflight to
 * carry it). Every stored object is read back and compared byte for byte.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { S3Client } from '../../../src/lib/s3/client';
import { resolveEndpoint } from '../../../src/lib/s3/endpoint';
import { S3Error } from '../../../src/lib/s3/errors';
import { GetObject, HeadObject, PostObject, postObject, postPolicy, postableKey } from '../../../src/lib/s3/ops/index';
import { signString } from '../../../src/lib/s3/signer';
import { createBucket, destroyBucket, rgwService, uniqueBucket } from '../../helpers/s3';
import { loadRgwEnv } from '../../helpers/rgw-env';
import { loadNetEnv } from '../../helpers/net-env';

const ORIGIN = 'http://127.0.0.1:5173';
const md5hex = (b: Uint8Array) => createHash('md5').update(b).digest('hex');

interface Seen {
  method: string;
  status: number;
  headers: Headers;
  requestHeaders: Headers;
}

/** Our client for `endpoint`, with a fetch that sends the page's Origin (as a browser would) and records each answer. */
function client(endpoint: string, seen: Seen[], secret?: string): S3Client {
  const env = loadRgwEnv();
  const f: typeof fetch = async (input, init) => {
    const requestHeaders = new Headers(init?.headers);
    requestHeaders.set('origin', ORIGIN);
    const res = await fetch(input, { ...init, headers: requestHeaders });
    seen.push({ method: init?.method ?? 'GET', status: res.status, headers: res.headers, requestHeaders });
    return res;
  };
  return new S3Client({
    endpoint: resolveEndpoint(endpoint, { region: env.region }).endpoint,
    credentials: { accessKeyId: env.accessKeyId, secretAccessKey: secret ?? env.secretAccessKey },
    fetch: f,
    retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
  });
}

async function readBack(c: S3Client, bucket: string, key: string): Promise<Uint8Array> {
  const res = await c.send(GetObject, { bucket, key });
  return new Uint8Array(await res.body.arrayBuffer());
}

const KEYS = ['plain.bin', 'dir/a b+c.txt', 'é/ü ñ 雨.dat', 'x%20y', 'q?x=1&y#z', `quote'"<>&.bin`, '100% ~!*()$@,;=', 'deep/er/zarr/0.0.1'];

describe.each(['rgw', 'https'] as const)('PostObject (form upload with a signed policy) on the RGW (%s)', (via) => {
  const bucket = uniqueBucket(`post-${via}`);
  const noPost = uniqueBucket(`nopost-${via}`);
  let endpoint = '';
  const seen: Seen[] = [];
  let c: S3Client;

  beforeAll(async () => {
    endpoint = via === 'rgw' ? loadRgwEnv().endpoint : loadNetEnv().h2;
    await createBucket(bucket, { corsOrigins: [ORIGIN] });
    await createBucket(noPost);
    // A rule that lets the page PUT and read, but not POST.
    await rgwService().putBucketCors(noPost, [{ allowedOrigins: [ORIGIN], allowedMethods: ['GET', 'HEAD', 'PUT', 'DELETE'], allowedHeaders: ['*'], exposeHeaders: ['ETag'] }]);
    c = client(endpoint, seen);
  });

  afterAll(async () => {
    await destroyBucket(bucket);
    await destroyBucket(noPost);
  });

  it('stores each body under its exact key, with its type and metadata, and answers 201 with the ETag = MD5 of the body', async () => {
    const sizes = [0, 1, 577 * 1024 + 3];
    for (const [i, key] of KEYS.entries()) {
      expect(postableKey(key)).toBe(true);
      const bytes = new Uint8Array(randomBytes(sizes[i % sizes.length]!));
      const sha = createHash('sha256').update(bytes).digest('hex');
      seen.length = 0;
      const out = await postObject(c, { bucket, key, body: new Blob([bytes]), contentType: 'application/x-test', metadata: { sha256: sha, note: 'café' } });
      expect(out.etag).toBe(md5hex(bytes));
      expect(seen).toHaveLength(1);
      expect(seen[0]!.method).toBe('POST');
      expect(seen[0]!.status).toBe(201);
      // Nothing of ours in the headers: the request is a simple one (no preflight in a browser).
      expect(seen[0]!.requestHeaders.get('authorization')).toBeNull();
      expect(await readBack(c, bucket, key)).toEqual(bytes);
      const head = await c.send(HeadObject, { bucket, key });
      expect(head.size).toBe(bytes.length);
      expect(head.etag).toBe(md5hex(bytes));
      expect(head.contentType).toBe('application/x-test');
      expect(head.metadata).toEqual({ sha256: sha, note: 'café' });
    }
  });

  it('answers the page readably where the bucket CORS rule allows POST, and unreadably where it does not', async () => {
    const bytes = new Uint8Array(randomBytes(1000));
    seen.length = 0;
    await postObject(c, { bucket, key: 'cors/allowed.bin', body: new Blob([bytes]) });
    expect(seen[0]!.headers.get('access-control-allow-origin')).toBe(ORIGIN);

    // Without POST in the rule the store still takes the object (a browser sends a simple request
    // without asking), but says nothing a page may read: fetch fails there, and Tessera sends a PUT.
    seen.length = 0;
    const out = await postObject(c, { bucket: noPost, key: 'cors/refused.bin', body: new Blob([bytes]) });
    expect(out.etag).toBe(md5hex(bytes));
    expect(seen[0]!.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses a form whose file is not the size the policy names', async () => {
    const env = loadRgwEnv();
    const policyFor = new Blob([new Uint8Array(100)]);
    const sent = new Uint8Array(101);
    const now = Date.now();
    const form = postPolicy({ bucket, key: 'bad/size.bin', body: policyFor }, { accessKeyId: env.accessKeyId, region: env.region, now });
    const signature = await signString(form.policy, { region: env.region, credentials: { accessKeyId: env.accessKeyId, secretAccessKey: env.secretAccessKey }, now });
    const err = await c.send(PostObject, { bucket, key: 'bad/size.bin', body: new Blob([sent]), form: { ...form, signature } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(S3Error);
    expect((err as S3Error).status).toBeGreaterThanOrEqual(400);
    await expect(c.send(HeadObject, { bucket, key: 'bad/size.bin' })).rejects.toMatchObject({ status: 404 });
  });

  it('refuses a form for another key, an expired policy and a wrong secret', async () => {
    const env = loadRgwEnv();
    const creds = { accessKeyId: env.accessKeyId, secretAccessKey: env.secretAccessKey };
    const body = new Blob([new Uint8Array(10)]);
    const now = Date.now();
    // Signed for one key, sent for another.
    const form = postPolicy({ bucket, key: 'bad/signed.bin', body }, { accessKeyId: env.accessKeyId, region: env.region, now });
    const signature = await signString(form.policy, { region: env.region, credentials: creds, now });
    const swapped = { ...form, signature, fields: form.fields.map(([n, v]) => [n, n === 'key' ? 'bad/other.bin' : v] as [string, string]) };
    await expect(c.send(PostObject, { bucket, key: 'bad/other.bin', body, form: swapped })).rejects.toMatchObject({ status: 403 });
    // A policy that expired a minute ago.
    const old = postPolicy({ bucket, key: 'bad/expired.bin', body }, { accessKeyId: env.accessKeyId, region: env.region, now: now - 120_000 }, 60);
    const oldSig = await signString(old.policy, { region: env.region, credentials: creds, now: now - 120_000 });
    await expect(c.send(PostObject, { bucket, key: 'bad/expired.bin', body, form: { ...old, signature: oldSig } })).rejects.toMatchObject({ status: 403 });
    // Signed with a wrong secret.
    const wrong = client(endpoint, [], `${env.secretAccessKey}x`);
    await expect(postObject(wrong, { bucket, key: 'bad/secret.bin', body })).rejects.toMatchObject({ status: 403 });
    for (const key of ['bad/signed.bin', 'bad/other.bin', 'bad/expired.bin', 'bad/secret.bin']) {
      await expect(c.send(HeadObject, { bucket, key })).rejects.toMatchObject({ status: 404 });
    }
  });

  it('does not check a Content-MD5 field against the body: the returned ETag is the integrity check', async () => {
    // Why Tessera's form carries no Content-MD5 and compares the ETag itself.
    const env = loadRgwEnv();
    const bytes = new Uint8Array(randomBytes(64));
    const body = new Blob([bytes]);
    const now = Date.now();
    const form = postPolicy({ bucket, key: 'md5/field.bin', body }, { accessKeyId: env.accessKeyId, region: env.region, now });
    const wrongMd5 = Buffer.from(createHash('md5').update('something else').digest()).toString('base64');
    const doc = JSON.parse(atob(form.policy)) as { conditions: unknown[] };
    doc.conditions.push({ 'Content-MD5': wrongMd5 });
    const policy = btoa(JSON.stringify(doc));
    const signature = await signString(policy, { region: env.region, credentials: { accessKeyId: env.accessKeyId, secretAccessKey: env.secretAccessKey }, now });
    const out = await c.send(PostObject, { bucket, key: 'md5/field.bin', body, form: { fields: [...form.fields, ['Content-MD5', wrongMd5]], policy, signature } });
    expect(out.etag).toBe(md5hex(bytes));
    expect(await readBack(c, bucket, 'md5/field.bin')).toEqual(bytes);
  });

  it('is not offered for keys a form cannot carry', () => {
    expect(postableKey('a/${filename}')).toBe(false);
    expect(postableKey('line\nbreak')).toBe(false);
    expect(postableKey('a/b c')).toBe(true);
  });
});
