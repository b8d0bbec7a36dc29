/**
 * Why did a request from the page get no readable answer? A browser shows the
 * same "Failed to fetch" when nothing listens at the endpoint, when the bucket
 * has no CORS rule for this page, when the bucket does not exist (stores send
 * no CORS headers for a bucket they do not have) and when the keys are wrong
 * (Ceph RGW sends no CORS headers with 403 SignatureDoesNotMatch). We tell
 * them apart with requests that need no preflight:
 *
 * - an anonymous GET and a query-presigned GET, read normally: a readable
 *   answer names its cause (`NoSuchBucket`, `SignatureDoesNotMatch`...);
 * - the same GET with `mode: 'no-cors'`: it resolves (with an opaque response)
 *   whenever any server answered, and fails only at the network level, so it
 *   tells "nothing answers" from "answers without CORS". Browsers that block
 *   opaque XML answers (ORB) still resolve `fetch()` with an emptied response
 *   (annevk/orb#43), so a live store is never taken for a dead one.
 *
 * Only the probes' outcomes decide (see `classifyBucketProbes`, which is pure).
 */
import type { S3Client } from './client';
import { bucketNameProblem, requestUrl } from './endpoint';
import { parseErrorXml } from './client';
import { abortedError } from './errors';

export type Diagnosis =
  | { kind: 'ok'; detail: string }
  | { kind: 'invalid-name'; detail: string }
  | { kind: 'nothing-answers'; detail: string }
  | { kind: 'no-such-bucket'; detail: string }
  | { kind: 'missing-or-no-cors'; detail: string }
  | { kind: 'bad-credentials'; detail: string }
  | { kind: 'clock-skew'; detail: string }
  | { kind: 'cors-too-narrow'; detail: string }
  | { kind: 'access-denied'; detail: string }
  | { kind: 'unexpected'; detail: string };

export type DiagnosisKind = Diagnosis['kind'];

/** Whether CORS is (or, when the page cannot tell, may be) the cause: only then is a CORS fix worth printing. */
export function corsMayBeCause(d: Diagnosis): boolean {
  return d.kind === 'missing-or-no-cors' || d.kind === 'cors-too-narrow';
}

/** What a request that needs no preflight got back, as the page sees it. */
export type ProbeResult =
  /** An answer the page can read (the store sent CORS headers, or no CORS applies). */
  | { seen: 'readable'; status: number; code?: string }
  /** A server answered, but without CORS headers for this page: nothing of it is readable. */
  | { seen: 'opaque' }
  /** No answer at all: nothing listens, the host name or TLS failed, or the network is down. */
  | { seen: 'nothing' };

export interface ProbeOptions {
  fetch?: typeof fetch;
  signal?: AbortSignal;
  /** The page's origin, to recognise mixed content (defaults to where this code runs). */
  origin?: string;
}

function hereOrigin(): string | undefined {
  return (globalThis as { location?: { origin?: string } }).location?.origin;
}

/** One GET that needs no preflight: read normally, then (when unreadable) again with `no-cors`. */
export async function probe(url: string, options: ProbeOptions = {}): Promise<ProbeResult> {
  const fetcher = options.fetch ?? ((input, init) => fetch(input, init));
  const { signal } = options;
  try {
    const res = await fetcher(url, { method: 'GET', signal, cache: 'no-store' });
    const body = await res.text().catch(() => '');
    const code = parseErrorXml(body)?.code;
    return code ? { seen: 'readable', status: res.status, code } : { seen: 'readable', status: res.status };
  } catch {
    if (signal?.aborted) throw abortedError('Diagnose');
  }
  try {
    const res = await fetcher(url, { method: 'GET', mode: 'no-cors', signal, cache: 'no-store' });
    await res.body?.cancel().catch(() => undefined);
    return { seen: 'opaque' };
  } catch {
    if (signal?.aborted) throw abortedError('Diagnose');
    return { seen: 'nothing' };
  }
}

/** Probes go through the client's own `fetch` unless told otherwise. */
function withClientFetch(client: S3Client, options: ProbeOptions): ProbeOptions {
  return options.fetch ? options : { ...options, fetch: (input, init) => client.fetchUnsigned(String(input), init) };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Why nothing answers, in the user's words. */
export function nothingAnswers(endpointUrl: string, origin?: string): string {
  try {
    const endpoint = new URL(endpointUrl);
    if (origin?.startsWith('https:') && endpoint.protocol === 'http:' && !isLoopback(endpoint.hostname)) {
      return `Nothing answers at ${endpointUrl} for this page: it is served over HTTPS and the endpoint is plain HTTP, which browsers refuse (mixed content). Use the store's HTTPS endpoint.`;
    }
  } catch {
    // Not a URL: fall through to the plain message.
  }
  return `Nothing answers at ${endpointUrl}: no server responded, not even with an error. Check the endpoint's host name and port, that the store is up, and your network or VPN.`;
}

interface BucketProbes {
  bucket: string;
  endpointUrl: string;
  anonymous: boolean;
  /** The anonymous GET of a one-key listing. */
  anon: ProbeResult;
  /** The same listing presigned with the keys (absent for anonymous connections). */
  signed?: ProbeResult;
  origin?: string;
}

/** What a readable answer to the presigned listing says about the keys and the bucket. */
function fromSigned(p: BucketProbes, signed: Extract<ProbeResult, { seen: 'readable' }>): Diagnosis {
  const { bucket, endpointUrl } = p;
  const code = signed.code;
  if (code === 'SignatureDoesNotMatch') return { kind: 'bad-credentials', detail: 'The store refused the signature made with these keys (SignatureDoesNotMatch): the secret key is wrong.' };
  if (code === 'InvalidAccessKeyId') return { kind: 'bad-credentials', detail: 'The store does not know this access key (InvalidAccessKeyId).' };
  if (code === 'RequestTimeTooSkewed' || code === 'RequestExpired') return { kind: 'clock-skew', detail: `This computer's clock is too far from the store's (${code}).` };
  if (code === 'NoSuchBucket' || (signed.status === 404 && !code)) return { kind: 'no-such-bucket', detail: `The bucket "${bucket}" does not exist on ${endpointUrl}.` };
  if (signed.status >= 200 && signed.status < 300) {
    return {
      kind: 'cors-too-narrow',
      detail: `The keys are right and requests that need no preflight work, but the bucket's CORS rule refuses the headers or methods the app sends (it needs AllowedHeader * and the methods GET, HEAD, PUT, POST, DELETE).`,
    };
  }
  if (signed.status === 403) return { kind: 'access-denied', detail: `These keys may not list the bucket "${bucket}" (${code ?? 'AccessDenied'}).` };
  return { kind: 'unexpected', detail: `The store answered ${signed.status} ${code ?? ''}`.trim() + '.' };
}

/**
 * Decide from the probes' outcomes. Pure, so every combination is testable.
 *
 * @example
 * classifyBucketProbes({ bucket: 'b', endpointUrl: 'http://127.0.0.1:9', anonymous: true, anon: { seen: 'nothing' } }).kind // 'nothing-answers'
 */
export function classifyBucketProbes(p: BucketProbes): Diagnosis {
  const { anon, signed, bucket, endpointUrl } = p;
  if (anon.seen === 'nothing' || signed?.seen === 'nothing') return { kind: 'nothing-answers', detail: nothingAnswers(endpointUrl, p.origin) };
  if (anon.seen === 'readable' && (anon.code === 'NoSuchBucket' || (anon.status === 404 && !anon.code))) {
    return { kind: 'no-such-bucket', detail: `The bucket "${bucket}" does not exist on ${endpointUrl}.` };
  }
  if (signed?.seen === 'readable') return fromSigned(p, signed);
  if (anon.seen === 'readable') {
    if (p.anonymous) {
      if (anon.status >= 200 && anon.status < 300) return { kind: 'ok', detail: `The bucket "${bucket}" answers this page normally.` };
      if (anon.status === 403) {
        return { kind: 'access-denied', detail: `The bucket "${bucket}" may not be listed anonymously (${anon.code ?? 'AccessDenied'}). Objects in it may still be readable by their key; connect with keys to list it.` };
      }
      return { kind: 'unexpected', detail: `The store answered ${anon.status} ${anon.code ?? ''}`.trim() + '.' };
    }
    // The bucket's CORS rule lets this page read anonymous answers, yet the
    // signed request got none: stores send no CORS headers with a refused signature.
    return {
      kind: 'bad-credentials',
      detail: `The bucket "${bucket}" answers this page (its CORS rule allows it), but not when the request is signed with these keys: the store refuses them. The secret key (or the access key) is most likely wrong.`,
    };
  }
  return {
    kind: 'missing-or-no-cors',
    detail:
      `The store at ${endpointUrl} answers, but gives this page no readable answer about the bucket "${bucket}". ` +
      `Either the bucket does not exist, or its CORS rules do not allow this page's origin. ` +
      `Stores send no CORS headers for a bucket they do not have, so a web page cannot tell these two apart.`,
  };
}

/**
 * Probe a bucket from where this code runs (a worker of the page, so the
 * browser's CORS rules apply) and say what is wrong. An invalid name is
 * reported without any request.
 */
export async function diagnoseBucket(client: S3Client, bucket: string, options: ProbeOptions = {}): Promise<Diagnosis> {
  const problem = bucketNameProblem(bucket, client.endpoint.style);
  if (problem) return { kind: 'invalid-name', detail: problem };
  options = withClientFetch(client, options);
  const origin = options.origin ?? hereOrigin();
  const query = { 'list-type': '2', 'max-keys': '1' };
  const anon = await probe(requestUrl(client.endpoint, bucket, undefined, query), options);
  const base = { bucket, endpointUrl: client.endpoint.url, anonymous: client.anonymous, anon, origin };
  if (client.anonymous || anon.seen === 'nothing') return classifyBucketProbes(base);
  const signed = await probe(await client.presign({ method: 'GET', bucket, query }, 60), options);
  return classifyBucketProbes({ ...base, signed });
}

// ---- The connection as a whole, checked once at Connect.

export type ConnectionCheck =
  /** The store answered a signed ListBuckets: the keys work. */
  | { kind: 'verified'; detail: string }
  /** Anonymous: the store answers; there are no keys to check. */
  | { kind: 'answers'; detail: string }
  /** The store answers, but the page cannot read whether it accepted the keys. */
  | { kind: 'unchecked'; detail: string }
  | { kind: 'clock-skew'; detail: string }
  | { kind: 'nothing-answers'; detail: string }
  | { kind: 'bad-credentials'; detail: string };

/** Whether a check proves the connection cannot work, so Connect should refuse it. */
export function blocksConnect(check: ConnectionCheck): boolean {
  return check.kind === 'nothing-answers' || check.kind === 'bad-credentials';
}

/** Decide from one GET of the service root (ListBuckets), presigned when there are keys. Pure. */
export function classifyServiceProbe(p: { anonymous: boolean; endpointUrl: string; probe: ProbeResult; origin?: string }): ConnectionCheck {
  const { probe: r, endpointUrl } = p;
  if (r.seen === 'nothing') return { kind: 'nothing-answers', detail: nothingAnswers(endpointUrl, p.origin) };
  if (p.anonymous) return { kind: 'answers', detail: `Connected anonymously to ${endpointUrl}: public buckets can be opened by name.` };
  if (r.seen === 'readable') {
    if (r.status >= 200 && r.status < 300) return { kind: 'verified', detail: `Connected: ${endpointUrl} accepted the keys.` };
    if (r.code === 'SignatureDoesNotMatch') return { kind: 'bad-credentials', detail: `${endpointUrl} refused the secret key (SignatureDoesNotMatch): check it, it is shown only once when the key is made.` };
    if (r.code === 'InvalidAccessKeyId') return { kind: 'bad-credentials', detail: `${endpointUrl} does not know this access key (InvalidAccessKeyId): check it, and whether it has expired.` };
    if (r.code === 'RequestTimeTooSkewed' || r.code === 'RequestExpired') {
      return { kind: 'clock-skew', detail: `Connected, but this computer's clock is too far from the store's (${r.code}): requests will be refused until the clock is set right.` };
    }
    return {
      kind: 'unchecked',
      detail: `Connected; the keys could not be checked because ${endpointUrl} refused to list buckets (${r.code ?? r.status}); they will be checked when you open a bucket.`,
    };
  }
  return {
    kind: 'unchecked',
    detail: "Connected; the keys could not be checked from this page because the store's service endpoint sends no CORS; they will be checked when you open a bucket.",
  };
}

/** How long Connect waits for the store before connecting unchecked. */
export const CHECK_TIMEOUT_MS = 10_000;

/**
 * One cheap request at Connect: ListBuckets as a presigned GET (no
 * preflight), then a `no-cors` GET if unreadable. A host that swallows
 * packets would hold Connect for minutes, so after `timeoutMs` it connects
 * unchecked and says so.
 */
export async function checkService(client: S3Client, options: ProbeOptions & { timeoutMs?: number } = {}): Promise<ConnectionCheck> {
  const url = await client.presign({ method: 'GET' }, 60);
  const ms = options.timeoutMs ?? CHECK_TIMEOUT_MS;
  // One signal for the caller's cancel and the time limit (AbortSignal.any is too recent for some browsers).
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, ms);
  const cancel = () => controller.abort();
  if (options.signal?.aborted) cancel();
  options.signal?.addEventListener('abort', cancel, { once: true });
  let result: ProbeResult;
  try {
    result = await probe(url, withClientFetch(client, { ...options, signal: controller.signal }));
  } catch (e) {
    if (!timedOut || options.signal?.aborted) throw e;
    return {
      kind: 'unchecked',
      detail: `Connected, but ${client.endpoint.url} did not answer within ${Math.round(ms / 1000)} seconds, so nothing could be checked; opening a bucket will say what is wrong.`,
    };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', cancel);
  }
  return classifyServiceProbe({ anonymous: client.anonymous, endpointUrl: client.endpoint.url, probe: result, origin: options.origin ?? hereOrigin() });
}
