/**
 * Telling apart why a page gets no readable answer: nothing answers, no such
 * bucket, an invalid name, wrong keys, CORS. The probes run against a `fetch`
 * that behaves as a browser's does (an answer without CORS headers is
 * unreadable, a `no-cors` request resolves whenever a server answered), in
 * front of stores that behave as Ceph RGW does (no CORS headers for a bucket
 * it does not have, nor with 403 SignatureDoesNotMatch) or as a store whose
 * every answer carries CORS headers (MinIO's default, or the app served from
 * the store's own origin).
 */
import { describe, expect, it } from 'vitest';
import {
  blocksConnect,
  checkService,
  classifyBucketProbes,
  classifyServiceProbe,
  corsMayBeCause,
  diagnoseBucket,
  probe,
  type Diagnosis,
  type ProbeResult,
} from '../../src/lib/s3/diagnose';
import { S3Client } from '../../src/lib/s3/client';
import { resolveEndpoint } from '../../src/lib/s3/endpoint';
import { explainDiagnosis, explainError } from '../../src/lib/explain';
import { examineObservation } from '../../src/lib/policy/cors-probe';

const ORIGIN = 'https://app.example';
const ENDPOINT = 'https://store.example';

interface Answer {
  status: number;
  code?: string;
  /** Whether the answer carries CORS headers for the page's origin. */
  cors: boolean;
}
/** What the store does with a request: an answer, or nothing at all. */
type Store = (url: URL) => Answer | 'down';

const xmlError = (code: string) => `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message></Message></Error>`;

/** A `fetch` as a page's: CORS decides what is readable; `no-cors` only says whether anything answered. */
function browserFetch(store: Store): { fetch: typeof fetch; requests: { url: string; mode: string }[] } {
  const requests: { url: string; mode: string }[] = [];
  const f = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    const mode = init?.mode ?? 'cors';
    requests.push({ url, mode });
    if (init?.signal?.aborted) throw new DOMException('aborted', 'AbortError');
    const answer = store(new URL(url));
    if (answer === 'down') throw new TypeError('Failed to fetch');
    // An opaque response: status and body hidden (stood in for by an empty 200).
    if (mode === 'no-cors') return new Response(null, { status: 200 });
    if (!answer.cors) throw new TypeError('Failed to fetch');
    return new Response(answer.code ? xmlError(answer.code) : '<ListBucketResult/>', { status: answer.status });
  }) as typeof fetch;
  return { fetch: f, requests };
}

const signed = (url: URL) => url.searchParams.has('X-Amz-Signature');
const bucketOf = (url: URL) => url.pathname.split('/')[1] ?? '';

/**
 * A Ceph RGW as measured: CORS headers only for buckets that have a rule for
 * the origin, and not with 403 SignatureDoesNotMatch; none on the service
 * endpoint. `secretOk` says whether the keys are right.
 */
function rgwLike(buckets: Record<string, { corsForOrigin: boolean }>, secretOk = true): Store {
  return (url) => {
    const name = bucketOf(url);
    if (!name) return signed(url) && !secretOk ? { status: 403, code: 'SignatureDoesNotMatch', cors: false } : { status: 200, cors: false };
    const b = buckets[name];
    if (!b) return { status: 404, code: 'NoSuchBucket', cors: false };
    if (signed(url)) return secretOk ? { status: 200, cors: b.corsForOrigin } : { status: 403, code: 'SignatureDoesNotMatch', cors: false };
    return { status: 403, code: 'AccessDenied', cors: b.corsForOrigin };
  };
}

/** A store whose every answer carries CORS headers (MinIO's default). */
function corsEverywhere(buckets: string[], keys: 'ok' | 'bad-secret' | 'unknown-key' = 'ok'): Store {
  return (url) => {
    if (signed(url) && keys === 'bad-secret') return { status: 403, code: 'SignatureDoesNotMatch', cors: true };
    if (signed(url) && keys === 'unknown-key') return { status: 403, code: 'InvalidAccessKeyId', cors: true };
    const name = bucketOf(url);
    if (name && !buckets.includes(name)) return { status: 404, code: 'NoSuchBucket', cors: true };
    return signed(url) ? { status: 200, cors: true } : { status: 403, code: 'AccessDenied', cors: true };
  };
}

function client(fetcher: typeof fetch, who: 'keys' | 'anonymous' = 'keys', endpoint = ENDPOINT): S3Client {
  return new S3Client({
    endpoint: resolveEndpoint(endpoint).endpoint,
    credentials: who === 'anonymous' ? null : { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    fetch: fetcher,
  });
}

async function diagnose(store: Store, bucket: string, who: 'keys' | 'anonymous' = 'keys', endpoint = ENDPOINT): Promise<{ d: Diagnosis; requests: { url: string; mode: string }[] }> {
  const { fetch, requests } = browserFetch(store);
  const d = await diagnoseBucket(client(fetch, who, endpoint), bucket, { fetch, origin: ORIGIN });
  return { d, requests };
}

const ctx = (bucket: string, anonymous = false) => ({ bucket, origin: ORIGIN, endpointUrl: ENDPOINT, anonymous });

describe('probes', () => {
  it('read an answer with CORS headers, and say "opaque" or "nothing" for the others', async () => {
    const { fetch } = browserFetch((url) => (url.pathname === '/down/' ? 'down' : url.pathname === '/hidden/' ? { status: 404, cors: false } : { status: 404, code: 'NoSuchBucket', cors: true }));
    expect(await probe(`${ENDPOINT}/open/`, { fetch })).toEqual({ seen: 'readable', status: 404, code: 'NoSuchBucket' });
    expect(await probe(`${ENDPOINT}/hidden/`, { fetch })).toEqual({ seen: 'opaque' });
    expect(await probe(`${ENDPOINT}/down/`, { fetch })).toEqual({ seen: 'nothing' });
  });

  it('stop when cancelled, rather than calling a cancelled check "nothing answers"', async () => {
    const { fetch } = browserFetch(() => 'down');
    const controller = new AbortController();
    controller.abort();
    await expect(probe(`${ENDPOINT}/b/`, { fetch, signal: controller.signal })).rejects.toMatchObject({ code: 'Aborted' });
  });
});

describe('diagnosing a bucket', () => {
  it('nothing listening at the endpoint: "nothing answers", and no CORS commands', async () => {
    const { d } = await diagnose(() => 'down', 'my-data', 'keys', 'http://127.0.0.1:9');
    expect(d.kind).toBe('nothing-answers');
    expect(d.detail).toContain('Nothing answers at http://127.0.0.1:9');
    const x = explainDiagnosis(d, { ...ctx('my-data'), endpointUrl: 'http://127.0.0.1:9' });
    expect(x.fix).toBeUndefined();
    expect(JSON.stringify(x)).not.toMatch(/setcors|CORS rule/);
  });

  it('an HTTP endpoint from an HTTPS page is named as mixed content', async () => {
    const { d } = await diagnose(() => 'down', 'my-data', 'keys', 'http://store.example');
    expect(d.kind).toBe('nothing-answers');
    expect(d.detail).toMatch(/mixed content/);
  });

  it('an invalid name is named by its rule, without any request', async () => {
    const { d, requests } = await diagnose(rgwLike({}), 'localhost:9000/');
    expect(d).toEqual({ kind: 'invalid-name', detail: expect.stringMatching(/colon/) });
    expect(requests).toEqual([]);
    expect(explainDiagnosis(d, ctx('localhost:9000/')).fix).toBeUndefined();
  });

  it('a missing bucket on a store whose answers carry CORS headers: "no such bucket", no CORS commands', async () => {
    const { d } = await diagnose(corsEverywhere(['other']), 'not-here');
    expect(d.kind).toBe('no-such-bucket');
    expect(explainDiagnosis(d, ctx('not-here')).fix).toBeUndefined();
  });

  it('a missing bucket where the store sends no CORS for it (RGW, AWS): both causes named, existence check first', async () => {
    const { d, requests } = await diagnose(rgwLike({ other: { corsForOrigin: true } }), 'not-here');
    expect(d.kind).toBe('missing-or-no-cors');
    expect(d.detail).toMatch(/does not exist/);
    // It did hear the store: the no-cors probe got an answer.
    expect(requests.some((r) => r.mode === 'no-cors')).toBe(true);
    const x = explainDiagnosis(d, ctx('not-here'));
    expect(x.title).toBe('No such bucket, or no CORS rule for this page');
    expect(x.fix!.indexOf('s3cmd ls s3://not-here')).toBeLessThan(x.fix!.indexOf('s3cmd setcors'));
    expect(x.fix).toMatch(/If it exists/);
  });

  it('wrong secret where the store hides the refusal (RGW): the bucket answers anonymously, not signed', async () => {
    const { d } = await diagnose(rgwLike({ shared: { corsForOrigin: true } }, false), 'shared');
    expect(d.kind).toBe('bad-credentials');
    const x = explainDiagnosis(d, ctx('shared'));
    expect(x.title).toBe('Wrong keys');
    expect(x.fix).toBeUndefined();
  });

  it('wrong secret or unknown access key where the refusal is readable', async () => {
    expect((await diagnose(corsEverywhere(['b'], 'bad-secret'), 'b')).d).toMatchObject({ kind: 'bad-credentials', detail: expect.stringMatching(/secret key is wrong/) });
    expect((await diagnose(corsEverywhere(['b'], 'unknown-key'), 'b')).d).toMatchObject({ kind: 'bad-credentials', detail: expect.stringMatching(/InvalidAccessKeyId/) });
  });

  it('right keys and a readable presigned listing: the CORS rule is too narrow, and the fix is printed', async () => {
    const { d } = await diagnose(rgwLike({ b: { corsForOrigin: true } }), 'b');
    expect(d.kind).toBe('cors-too-narrow');
    expect(corsMayBeCause(d)).toBe(true);
    expect(explainDiagnosis(d, ctx('b')).fix).toContain('s3cmd setcors rules.xml s3://b');
  });

  it('an anonymous user is told about anonymous access, never about keys', async () => {
    const { d } = await diagnose(rgwLike({ b: { corsForOrigin: true } }), 'b', 'anonymous');
    expect(d.kind).toBe('access-denied');
    const texts = [d.detail, JSON.stringify(explainDiagnosis(d, ctx('b', true)))];
    const unread = await diagnose(rgwLike({}), 'gone', 'anonymous');
    texts.push(JSON.stringify(explainDiagnosis(unread.d, ctx('gone', true))));
    texts.push(JSON.stringify(explainError({ code: 'NetworkError', operation: 'ListObjectsV2' }, { anonymous: true })));
    texts.push(JSON.stringify(explainError({ code: 'AccessDenied', operation: 'ListObjectsV2', message: 'Access denied.' }, { anonymous: true })));
    for (const t of texts) expect(t).not.toMatch(/these keys|the keys|keys may/i);
  });
});

describe('classification table', () => {
  const base = { bucket: 'b', endpointUrl: ENDPOINT, origin: ORIGIN };
  const R = (status: number, code?: string): ProbeResult => (code ? { seen: 'readable', status, code } : { seen: 'readable', status });
  const O: ProbeResult = { seen: 'opaque' };
  const N: ProbeResult = { seen: 'nothing' };
  it.each([
    [false, N, undefined, 'nothing-answers'],
    [false, O, N, 'nothing-answers'],
    [false, R(404, 'NoSuchBucket'), R(404, 'NoSuchBucket'), 'no-such-bucket'],
    [false, R(404), O, 'no-such-bucket'],
    [false, O, O, 'missing-or-no-cors'],
    [false, O, R(404, 'NoSuchBucket'), 'no-such-bucket'],
    [false, R(403, 'AccessDenied'), O, 'bad-credentials'],
    [false, R(403, 'AccessDenied'), R(403, 'SignatureDoesNotMatch'), 'bad-credentials'],
    [false, R(403, 'AccessDenied'), R(403, 'InvalidAccessKeyId'), 'bad-credentials'],
    [false, R(403, 'AccessDenied'), R(403, 'RequestTimeTooSkewed'), 'clock-skew'],
    [false, R(403, 'AccessDenied'), R(200), 'cors-too-narrow'],
    [false, R(200), R(403, 'AccessDenied'), 'access-denied'],
    [false, R(403, 'AccessDenied'), R(500, 'InternalError'), 'unexpected'],
    [true, R(200), undefined, 'ok'],
    [true, R(403, 'AccessDenied'), undefined, 'access-denied'],
    [true, O, undefined, 'missing-or-no-cors'],
    [true, N, undefined, 'nothing-answers'],
  ] as const)('anonymous=%s, anonymous GET %j, presigned GET %j: %s', (anonymous, anon, signedProbe, kind) => {
    expect(classifyBucketProbes({ ...base, anonymous, anon, signed: signedProbe }).kind).toBe(kind);
  });
});

describe('checking a connection at Connect', () => {
  async function check(store: Store, who: 'keys' | 'anonymous' = 'keys', endpoint = ENDPOINT) {
    const { fetch, requests } = browserFetch(store);
    return { c: await checkService(client(fetch, who, endpoint), { fetch, origin: ORIGIN }), requests };
  }

  it('refuses when nothing answers', async () => {
    const { c } = await check(() => 'down', 'keys', 'http://127.0.0.1:9');
    expect(c.kind).toBe('nothing-answers');
    expect(c.detail).toContain('Nothing answers at http://127.0.0.1:9');
    expect(blocksConnect(c)).toBe(true);
  });

  it('refuses keys the store refuses readably, accepts keys it accepts', async () => {
    const bad = (await check(corsEverywhere([], 'bad-secret'))).c;
    expect(bad.kind).toBe('bad-credentials');
    expect(blocksConnect(bad)).toBe(true);
    const unknown = (await check(corsEverywhere([], 'unknown-key'))).c;
    expect(unknown).toMatchObject({ kind: 'bad-credentials', detail: expect.stringMatching(/access key/) });
    const good = (await check(corsEverywhere([]))).c;
    expect(good.kind).toBe('verified');
    expect(blocksConnect(good)).toBe(false);
  });

  it('says plainly when the keys cannot be checked from a page, and does not block (RGW: no CORS on the service endpoint)', async () => {
    const { c, requests } = await check(rgwLike({}, false));
    expect(c.kind).toBe('unchecked');
    expect(c.detail).toBe(
      "Connected; the keys could not be checked from this page because the store's service endpoint sends no CORS; they will be checked when you open a bucket.",
    );
    expect(blocksConnect(c)).toBe(false);
    // One presigned GET (no preflight) and one no-cors GET: cheap.
    expect(requests.map((r) => r.mode)).toEqual(['cors', 'no-cors']);
    expect(new URL(requests[0]!.url).searchParams.has('X-Amz-Signature')).toBe(true);
  });

  it('connects unchecked, saying so, when the store does not answer in time (a host that swallows packets)', async () => {
    const requests: string[] = [];
    const hanging = ((input: RequestInfo | URL, init?: RequestInit) => {
      requests.push(String(input));
      return new Promise<Response>((_, reject) => {
        const fail = () => reject(new DOMException('aborted', 'AbortError'));
        if (init?.signal?.aborted) fail();
        init?.signal?.addEventListener('abort', fail);
      });
    }) as typeof fetch;
    const c = await checkService(client(hanging), { fetch: hanging, timeoutMs: 50 });
    expect(c).toMatchObject({ kind: 'unchecked', detail: expect.stringMatching(/did not answer within/) });
    expect(blocksConnect(c)).toBe(false);
    expect(requests).toHaveLength(1);
    // Cancelled by the caller: cancelled, not "connected".
    const controller = new AbortController();
    const pending = checkService(client(hanging), { fetch: hanging, signal: controller.signal, timeoutMs: 60_000 });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'Aborted' });
  });

  it('anonymous: connected when anything answers, never a word about keys', async () => {
    const { c } = await check(rgwLike({}), 'anonymous');
    expect(c.kind).toBe('answers');
    expect(c.detail).not.toMatch(/key/i);
    expect(classifyServiceProbe({ anonymous: true, endpointUrl: ENDPOINT, probe: { seen: 'readable', status: 403, code: 'AccessDenied' } }).kind).toBe('answers');
  });
});

describe('the CORS doctor offers a CORS fix only when CORS is the cause', () => {
  it('no fix when nothing answers, the bucket is missing or the keys are wrong', () => {
    for (const cause of [
      { kind: 'nothing-answers', detail: 'Nothing answers at http://127.0.0.1:9.' },
      { kind: 'no-such-bucket', detail: 'The bucket "b" does not exist.' },
      { kind: 'bad-credentials', detail: 'Wrong.' },
      { kind: 'invalid-name', detail: 'A bucket name cannot contain a colon.' },
    ] as Diagnosis[]) {
      const report = examineObservation({ rules: null, listing: false, exposed: {}, diagnosis: cause }, ORIGIN);
      expect(report.healthy).toBe(false);
      expect(report.fixed).toEqual([]);
      expect(report.cause).toEqual(cause);
      expect(report.findings).toEqual([{ level: 'error', message: cause.detail }]);
    }
  });

  it('a fix, once the bucket is known to exist, when the page cannot tell', () => {
    const report = examineObservation({ rules: null, listing: false, exposed: {}, diagnosis: { kind: 'missing-or-no-cors', detail: 'Either…' } }, ORIGIN);
    expect(report.existenceUnknown).toBe(true);
    expect(report.fixed[0]?.allowedOrigins).toEqual([ORIGIN]);
  });
});
