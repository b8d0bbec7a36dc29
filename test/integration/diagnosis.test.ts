/**
 * Diagnoses against the real Ceph RGW. A page's view is reproduced with a
 * `fetch` that sends the page's Origin and, as a browser does, refuses to
 * read an answer without CORS headers for it (a `no-cors` request only learns
 * that something answered). The probes are simple GETs, which a browser sends
 * without a preflight, so what the RGW itself puts in its answers decides,
 * e.g. no CORS headers with 403 SignatureDoesNotMatch nor for a bucket it
 * does not have. Plain Node `fetch` stands for a page served from the
 * store's own origin, where every answer is readable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Client } from '../../src/lib/s3/client';
import { resolveEndpoint } from '../../src/lib/s3/endpoint';
import { checkService, diagnoseBucket } from '../../src/lib/s3/diagnose';
import { observeCors, examineObservation } from '../../src/lib/policy/cors-probe';
import { createBucket, destroyBucket, uniqueBucket } from '../helpers/s3';
import { loadRgwEnv } from '../helpers/rgw-env';

const ORIGIN = 'http://127.0.0.1:4999';

/** A page's `fetch` at ORIGIN, recording what it asks for. */
function pageFetch(): { fetch: typeof fetch; urls: string[] } {
  const urls: string[] = [];
  const f = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    urls.push(url);
    const headers = new Headers(init?.headers);
    headers.set('origin', ORIGIN);
    const { mode, ...rest } = init ?? {};
    const res = await fetch(url, { ...rest, headers });
    if (mode === 'no-cors') {
      // Opaque: the page learns only that something answered.
      await res.body?.cancel();
      return new Response(null, { status: 200 });
    }
    const allowed = res.headers.get('access-control-allow-origin');
    if (allowed !== ORIGIN && allowed !== '*') {
      await res.body?.cancel();
      throw new TypeError('Failed to fetch');
    }
    return res;
  }) as typeof fetch;
  return { fetch: f, urls };
}

type Who = 'main' | 'bad-secret' | 'unknown-key' | 'anonymous';

function client(who: Who, fetcher: typeof fetch, endpointUrl?: string): S3Client {
  const env = loadRgwEnv();
  const endpoint = resolveEndpoint(endpointUrl ?? env.endpoint).endpoint;
  const credentials =
    who === 'anonymous'
      ? null
      : { accessKeyId: who === 'unknown-key' ? 'TESSERANOSUCHKEY0000' : env.accessKeyId, secretAccessKey: who === 'bad-secret' ? 'not-the-secret' : env.secretAccessKey };
  return new S3Client({ endpoint, credentials, fetch: fetcher });
}

let withCors: string;
let withoutCors: string;
const missing = uniqueBucket('diag-missing');

beforeAll(async () => {
  withCors = uniqueBucket('diag-cors');
  withoutCors = uniqueBucket('diag-nocors');
  await createBucket(withCors, { corsOrigins: [ORIGIN] });
  await createBucket(withoutCors);
});

afterAll(async () => {
  await destroyBucket(withCors);
  await destroyBucket(withoutCors);
});

describe('a bucket, as a page on another origin sees it', () => {
  async function diagnose(who: Who, bucket: string, endpointUrl?: string) {
    const { fetch, urls } = pageFetch();
    return { d: await diagnoseBucket(client(who, fetch, endpointUrl), bucket, { fetch, origin: ORIGIN }), urls };
  }

  it('wrong secret or unknown access key on a bucket with CORS: wrong keys (RGW hides the refusal from the page)', async () => {
    expect((await diagnose('bad-secret', withCors)).d.kind).toBe('bad-credentials');
    expect((await diagnose('unknown-key', withCors)).d.kind).toBe('bad-credentials');
  });

  it('right keys where simple requests work: the CORS rule is what refuses the app', async () => {
    expect((await diagnose('main', withCors)).d.kind).toBe('cors-too-narrow');
  });

  it('a bucket without CORS and a missing bucket look the same to the page: both named', async () => {
    expect((await diagnose('main', withoutCors)).d.kind).toBe('missing-or-no-cors');
    expect((await diagnose('main', missing)).d.kind).toBe('missing-or-no-cors');
    expect((await diagnose('anonymous', missing)).d.kind).toBe('missing-or-no-cors');
  });

  it('anonymous on a private bucket with CORS: denied anonymously', async () => {
    const { d } = await diagnose('anonymous', withCors);
    expect(d.kind).toBe('access-denied');
    expect(d.detail).not.toMatch(/these keys/);
  });

  it('nothing listening at the endpoint: nothing answers', async () => {
    const { d } = await diagnose('main', withCors, 'http://127.0.0.1:9');
    expect(d).toMatchObject({ kind: 'nothing-answers', detail: expect.stringContaining('Nothing answers at http://127.0.0.1:9') });
  });

  it('an invalid name: named by its rule, nothing sent', async () => {
    const { d, urls } = await diagnose('main', 'localhost:7480/');
    expect(d.kind).toBe('invalid-name');
    expect(urls).toEqual([]);
  });

  it('the CORS doctor offers no CORS fix when nothing answers, and a conditional one when the bucket may not exist', async () => {
    const dead = pageFetch();
    const deadReport = examineObservation(await observeCors(client('main', dead.fetch, 'http://127.0.0.1:9'), withCors), ORIGIN);
    expect(deadReport.cause?.kind).toBe('nothing-answers');
    expect(deadReport.fixed).toEqual([]);
    const page = pageFetch();
    const missingReport = examineObservation(await observeCors(client('main', page.fetch), missing), ORIGIN);
    expect(missingReport.existenceUnknown).toBe(true);
    expect(missingReport.fixed[0]?.allowedOrigins).toEqual([ORIGIN]);
  });
});

describe('a bucket, as a page on the store’s own origin sees it', () => {
  const plain: typeof fetch = (input, init) => fetch(input, init);
  it('names the missing bucket and the refused keys from the readable answers', async () => {
    expect((await diagnoseBucket(client('main', plain), missing, { fetch: plain })).kind).toBe('no-such-bucket');
    expect(await diagnoseBucket(client('bad-secret', plain), withoutCors, { fetch: plain })).toMatchObject({ kind: 'bad-credentials', detail: expect.stringMatching(/SignatureDoesNotMatch/) });
    expect(await diagnoseBucket(client('unknown-key', plain), withoutCors, { fetch: plain })).toMatchObject({ kind: 'bad-credentials', detail: expect.stringMatching(/InvalidAccessKeyId/) });
  });
});

describe('the check made at Connect', () => {
  it('from another origin: the RGW service endpoint sends no CORS, so the keys are not judged and Connect is not blocked', async () => {
    for (const who of ['main', 'bad-secret'] as const) {
      const { fetch } = pageFetch();
      expect((await checkService(client(who, fetch), { fetch })).kind).toBe('unchecked');
    }
    const { fetch } = pageFetch();
    expect((await checkService(client('anonymous', fetch), { fetch })).kind).toBe('answers');
  });

  it('from the store’s own origin: right keys verified, wrong ones refused', async () => {
    const plain: typeof fetch = (input, init) => fetch(input, init);
    expect((await checkService(client('main', plain), { fetch: plain })).kind).toBe('verified');
    expect(await checkService(client('bad-secret', plain), { fetch: plain })).toMatchObject({ kind: 'bad-credentials', detail: expect.stringMatching(/SignatureDoesNotMatch/) });
    expect(await checkService(client('unknown-key', plain), { fetch: plain })).toMatchObject({ kind: 'bad-credentials', detail: expect.stringMatching(/InvalidAccessKeyId/) });
  });

  it('nothing listening: refused', async () => {
    const { fetch } = pageFetch();
    expect((await checkService(client('main', fetch, 'http://127.0.0.1:9'), { fetch })).kind).toBe('nothing-answers');
  });
});
