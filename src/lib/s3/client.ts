/**
 * The one place that does S3 I/O: builds the URL, signs (or not, for
 * anonymous access), sends, retries, corrects clock skew, and turns failures
 * into `S3Error`s. Runs in a worker, a window or Node alike.
 */
import { requestUrl, type Endpoint } from './endpoint';
import { S3Error, abortedError, codeForStatus, messageFor } from './errors';
import { DEFAULT_RETRY, backoffDelay, sleep, type RetryPolicy } from './retry';
import { presignUrl, signRequest, signString, type Credentials } from './signer';
import type { Operation, S3Request } from './request';
import { XmlParseError } from './xml';
import { parseErrorXml } from './error-xml';
import { MAX_ERROR_BYTES, readText, withHeadersTimeout } from './body';
import { noteResponse } from './protocol';

export interface S3ClientConfig {
  endpoint: Endpoint;
  /** `null` for anonymous (unsigned) requests to public buckets. */
  credentials: Credentials | null;
  retry?: RetryPolicy;
  /** Injected for tests. */
  fetch?: typeof fetch;
  now?: () => number;
  random?: () => number;
  /** Give up on a GET or HEAD whose answer has not started after this long (default 30 s). */
  timeoutMs?: number;
}

export interface SendOptions {
  signal?: AbortSignal;
  /** Called before each retry with the error that caused it. */
  onRetry?: (error: S3Error, attempt: number, delayMs: number) => void;
  /**
   * Bytes of the request body handed to the network so far, as they go (in a
   * browser). Each attempt counts from 0 again. Not called where the runtime
   * cannot tell (Node, or an injected `fetch`).
   */
  onUploadProgress?: (sentBytes: number) => void;
  /** Attempts at most for this request (fewer than the client's policy; 1: never retried). */
  maxAttempts?: number;
  /**
   * Signed in the query string (a URL valid for PRESIGNED_SEND_SECONDS), not in an
   * `Authorization` header: a GET or HEAD whose other headers are CORS-safelisted
   * (none, or one plain `Range`) then needs no CORS preflight, which costs a round
   * trip before every request to a new URL. The URL stays in this thread.
   */
  presigned?: boolean;
}

/** How long the URL of a `presigned` send is valid: long enough for a slow clock, never reused. */
export const PRESIGNED_SEND_SECONDS = 300;

/** Who signs a form upload's policy, and when (see `S3Client.signPolicy`). */
export interface PolicyScope {
  accessKeyId: string;
  sessionToken?: string;
  region: string;
  /** Milliseconds by the store's clock (ours corrected for skew). */
  now: number;
}

const SKEW_CODES = new Set(['RequestTimeTooSkewed', 'RequestExpired']);
/** S3 accepts 15 minutes of skew; correct anything past 5. */
const SKEW_TOLERANCE_MS = 5 * 60_000;

export class S3Client {
  readonly endpoint: Endpoint;
  readonly anonymous: boolean;
  #credentials: Credentials | null;
  #retry: RetryPolicy;
  #fetch: typeof fetch;
  /** No `fetch` was injected: requests may go through XMLHttpRequest when progress is wanted. */
  #platformFetch: boolean;
  #now: () => number;
  #random: () => number;
  #timeoutMs: number | undefined;
  #signingKeys = new Map<string, ArrayBuffer>();
  #skewProbed = false;
  /** Milliseconds to add to the local clock to get the store's clock. */
  clockOffsetMs = 0;

  constructor(config: S3ClientConfig) {
    this.endpoint = config.endpoint;
    this.#credentials = config.credentials;
    this.anonymous = config.credentials === null;
    this.#retry = config.retry ?? DEFAULT_RETRY;
    this.#fetch = config.fetch ?? ((input, init) => fetch(input, init));
    this.#platformFetch = config.fetch === undefined;
    this.#now = config.now ?? Date.now;
    this.#random = config.random ?? Math.random;
    this.#timeoutMs = config.timeoutMs;
  }

  /** Run one operation: build, sign, send (with retries), parse. */
  async send<I, O>(op: Operation<I, O>, input: I, options: SendOptions = {}): Promise<O> {
    const req = op.build(input);
    const response = await this.sendRaw(req, options);
    try {
      return await op.parse(response, input);
    } catch (e) {
      if (e instanceof S3Error) throw e;
      if (e instanceof XmlParseError) {
        throw new S3Error({ operation: req.operation, status: response.status, code: 'InvalidResponse', bucket: req.bucket, key: req.key, retryable: false }, { cause: e });
      }
      if (options.signal?.aborted) throw abortedError(req.operation);
      throw e;
    }
  }

  /** Send a request with retries and skew correction; returns the 2xx response unread. */
  async sendRaw(req: S3Request, options: SendOptions = {}): Promise<Response> {
    const replayable = !(typeof ReadableStream !== 'undefined' && req.body instanceof ReadableStream);
    let url: string;
    try {
      url = requestUrl(this.endpoint, req.bucket, req.key, req.query);
    } catch (e) {
      // A bucket name that would change the request's address: named by the builder, never retried.
      if (e instanceof S3Error) throw new S3Error({ ...e.toJSON(), operation: req.operation }, { cause: e });
      // A key no URL can carry ("." or ".."): say so, do not retry.
      throw new S3Error({ operation: req.operation, status: 0, code: 'InvalidKey', message: (e as Error).message, bucket: req.bucket, key: req.key, retryable: false }, { cause: e });
    }
    let skewCorrected = false;
    let networkFailures = 0;
    for (let attempt = 0; ; attempt++) {
      if (options.signal?.aborted) throw abortedError(req.operation);
      let error: S3Error;
      let retryAfter: number | undefined;
      try {
        // A form upload (PostObject) is small (see FORM_UPLOAD_MAX) and answered as soon as its body
        // is in: it gets the same bound. Other bodies are bounded by upload progress (xhrFetch).
        const response = req.method === 'GET' || req.method === 'HEAD' || req.operation === 'PostObject'
          ? await withHeadersTimeout((signal) => this.#attempt(req, url, signal, options.onUploadProgress, options.presigned), { operation: req.operation, bucket: req.bucket, key: req.key, ms: this.#timeoutMs }, options.signal)
          : await this.#attempt(req, url, options.signal, options.onUploadProgress, options.presigned);
        if (response.type === 'opaqueredirect') throw redirectedError(req);
        if (response.ok) return response;
        error = await errorFromResponse(req, response);
        retryAfter = Number(response.headers.get('retry-after')) || undefined;
      } catch (e) {
        if (e instanceof S3Error) throw e;
        if (options.signal?.aborted) throw abortedError(req.operation);
        error = new S3Error({ operation: req.operation, status: 0, code: 'NetworkError', bucket: req.bucket, key: req.key, retryable: true }, { cause: e });
      }
      if (SKEW_CODES.has(error.code) && !skewCorrected && replayable) {
        const server = error.serverTime ? Date.parse(error.serverTime) : NaN;
        if (Number.isFinite(server)) {
          this.clockOffsetMs = server - this.#now();
          skewCorrected = true;
          continue;
        }
      }
      // In a browser a skewed clock looks like a network error: stores send no
      // CORS headers with auth failures. Ask the store for its time once.
      if (error.code === 'NetworkError' && !skewCorrected && replayable && this.#credentials && req.bucket && !this.#skewProbed) {
        this.#skewProbed = true;
        const offset = await this.#probeClockOffset(req.bucket, options.signal);
        if (offset !== undefined && Math.abs(offset - this.clockOffsetMs) > SKEW_TOLERANCE_MS) {
          this.clockOffsetMs = offset;
          skewCorrected = true;
          continue;
        }
      }
      if (error.code === 'NetworkError') networkFailures++;
      const networkBudget = this.#retry.maxNetworkAttempts ?? this.#retry.maxAttempts;
      const maxAttempts = Math.min(this.#retry.maxAttempts, options.maxAttempts ?? Infinity);
      if (!error.retryable || !replayable || attempt + 1 >= maxAttempts || SKEW_CODES.has(error.code) || networkFailures >= networkBudget) throw error;
      const delay = backoffDelay(this.#retry, attempt, retryAfter, this.#random);
      options.onRetry?.(error, attempt + 1, delay);
      try {
        await sleep(delay, options.signal);
      } catch {
        throw abortedError(req.operation);
      }
    }
  }

  /**
   * The store's clock minus ours, from the `Date` of an unsigned simple GET
   * (stores answer those with CORS headers; the bucket's rule must expose
   * `Date`, as Tessera's recommended rule does). Undefined when unreadable.
   */
  async #probeClockOffset(bucket: string, signal?: AbortSignal): Promise<number | undefined> {
    try {
      const res = await withHeadersTimeout((sig) => this.#fetch(requestUrl(this.endpoint, bucket, undefined, { 'max-keys': '0' }), { method: 'GET', signal: sig, cache: 'no-store' }), { operation: 'ClockProbe', ms: this.#timeoutMs }, signal);
      await res.body?.cancel().catch(() => undefined);
      const date = Date.parse(res.headers.get('date') ?? '');
      return Number.isFinite(date) ? date - this.#now() : undefined;
    } catch {
      return undefined;
    }
  }

  async #attempt(req: S3Request, url: string, signal?: AbortSignal, onUploadProgress?: (sentBytes: number) => void, presigned = false): Promise<Response> {
    // Never through the browser's HTTP cache: every signed request is unique, and a
    // cached GET range is written to the disk cache as well as read (measured in
    // Chromium, 1 GiB in 64 MiB ranges: ~3.0 s with the cache, ~2.2 s without).
    // A store's redirect is never followed: it could send a signed request, or
    // the page's reads, to another origin. S3 itself redirects only to say the
    // region or addressing is wrong (301/307 with an error body, read below).
    const init: RequestInit & { duplex?: 'half' } = { method: req.method, signal, cache: 'no-store', redirect: 'manual' };
    if (req.body !== undefined) {
      init.body = req.body as BodyInit;
      if (typeof ReadableStream !== 'undefined' && req.body instanceof ReadableStream) init.duplex = 'half';
    }
    if (this.#credentials && !req.unsigned && presigned) {
      // Signed anew for every attempt, like a header signature (the clock may have been corrected).
      init.headers = req.headers;
      return this.#send(await this.#presignUrl(req.method, url, this.#credentials, PRESIGNED_SEND_SECONDS), init, onUploadProgress);
    }
    if (this.#credentials && !req.unsigned) {
      const signed = await signRequest({
        method: req.method,
        url,
        headers: req.headers,
        region: this.endpoint.region,
        credentials: this.#credentials,
        now: this.#now() + this.clockOffsetMs,
        cache: this.#signingKeys,
      });
      init.headers = signed.headers;
      return this.#send(signed.url, init, onUploadProgress);
    }
    init.headers = req.headers;
    return this.#send(url, init, onUploadProgress);
  }

  #send(url: string, init: RequestInit, onUploadProgress?: (sentBytes: number) => void): Promise<Response> {
    const body = init.body;
    if (onUploadProgress && body != null && this.#platformFetch && typeof XMLHttpRequest !== 'undefined' && !(typeof ReadableStream !== 'undefined' && body instanceof ReadableStream)) {
      return xhrFetch(url, init, onUploadProgress);
    }
    // Each answer's status line says which HTTP the store speaks (see protocol.ts).
    return this.#fetch(url, init).then((res) => {
      noteResponse(url, res);
      return res;
    });
  }

  /**
   * Send a request as given, unsigned, with this client's `fetch`: the
   * diagnosis probes must see what this client's own requests see.
   */
  fetchUnsigned(url: string, init: RequestInit = {}): Promise<Response> {
    return this.#fetch(url, init);
  }

  /**
   * Sign a form upload's policy (PostObject): `make` builds the form for the
   * signer's scope, and the base64 policy it returns is signed here, where
   * the secret is. Null for an anonymous connection.
   */
  async signPolicy<F extends { policy: string }>(make: (scope: PolicyScope) => F): Promise<(F & { signature: string }) | null> {
    if (!this.#credentials) return null;
    const now = this.#now() + this.clockOffsetMs;
    const form = make({ accessKeyId: this.#credentials.accessKeyId, sessionToken: this.#credentials.sessionToken, region: this.endpoint.region, now });
    const signature = await signString(form.policy, { region: this.endpoint.region, credentials: this.#credentials, now, cache: this.#signingKeys });
    return { ...form, signature };
  }

  /** A presigned URL for a GET or PUT of one object (or any request without a body). */
  async presign(req: Pick<S3Request, 'method' | 'bucket' | 'key' | 'query'>, expiresInSeconds: number): Promise<string> {
    const url = requestUrl(this.endpoint, req.bucket, req.key, req.query);
    if (!this.#credentials) return url;
    return this.#presignUrl(req.method, url, this.#credentials, expiresInSeconds);
  }

  #presignUrl(method: S3Request['method'], url: string, credentials: Credentials, expiresIn: number): Promise<string> {
    return presignUrl({ method, url, region: this.endpoint.region, credentials, now: this.#now() + this.clockOffsetMs, cache: this.#signingKeys, expiresIn });
  }
}

/**
 * An upload that has sent nothing and heard nothing for this long is dropped
 * and sent again. Chromium 156 can leave a File-bodied request waiting for
 * ever with no connection open: seen in a folder upload through the `lan`
 * shaper, 8 of 398 PUTs at readyState 1 with their files open in the network
 * service and no socket; aborting them let the retries store all 8. Progress
 * events come every few tens of ms while bytes move, so a live upload, even on
 * a slow link, never goes this long without one.
 */
export const UPLOAD_STALL_MS = 30_000;

/**
 * `fetch` through XMLHttpRequest, for its upload progress events (they exist
 * in dedicated workers too). `fetch` itself reports nothing while a body is
 * sent, and its one way to watch the bytes go, a `ReadableStream` body with
 * `duplex: 'half'`, needs HTTP/2: Chromium fails such a request over
 * HTTP/1.1 ("Failed to fetch", checked against Ceph RGW), which is what most
 * stores and every plain-HTTP endpoint speak. A stream body would also lose
 * retries (it cannot be sent twice) and the browser's fast path for File
 * slices. XHR sends the same File slices at least as fast (Chromium, 8 PUTs
 * of 64 MiB slices of a file on disk to the local RGW on 2 shared cores:
 * fetch 50-60 MiB/s, XHR 60-84 MiB/s over three runs each).
 */
export function xhrFetch(url: string, init: RequestInit, onUploadProgress: (sentBytes: number) => void, { stallMs = UPLOAD_STALL_MS, Xhr = XMLHttpRequest }: { stallMs?: number; Xhr?: typeof XMLHttpRequest } = {}): Promise<Response> {
  return new Promise<Response>((resolve, reject) => {
    const signal = init.signal;
    if (signal?.aborted) return reject(signal.reason);
    const xhr = new Xhr();
    xhr.open(init.method ?? 'GET', url);
    xhr.responseType = 'arraybuffer';
    new Headers(init.headers).forEach((value, name) => xhr.setRequestHeader(name, value));
    const onAbort = () => xhr.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    // Nothing sent and nothing answered for `stallMs`: the attempt is dropped as a network failure,
    // so the client's retry sends it again (see UPLOAD_STALL_MS).
    let stalled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        stalled = true;
        xhr.abort();
      }, stallMs);
    };
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    xhr.upload.onprogress = (e) => {
      arm();
      onUploadProgress(e.loaded);
    };
    // The whole body is out: the answer gets a full `stallMs` of its own, and so does each piece of it.
    xhr.upload.onload = arm;
    xhr.onreadystatechange = arm;
    xhr.onload = () => {
      done();
      // As fetch would: a status below 200 is no answer a Response can carry.
      if (xhr.status < 200) return reject(new TypeError('Network request failed'));
      const headers = new Headers();
      for (const line of xhr.getAllResponseHeaders().trim().split(/[\r\n]+/)) {
        const at = line.indexOf(':');
        if (at > 0) headers.append(line.slice(0, at).trim(), line.slice(at + 1).trim());
      }
      const empty = xhr.status === 204 || xhr.status === 205 || xhr.status === 304;
      // The browser's own request (not a stand-in): its status line says which HTTP the store speaks (see protocol.ts).
      if (Xhr === globalThis.XMLHttpRequest) noteResponse(url, { status: xhr.status, statusText: xhr.statusText, type: 'cors' });
      resolve(new Response(empty ? null : (xhr.response as ArrayBuffer | null), { status: xhr.status, statusText: xhr.statusText, headers }));
    };
    // Shaped like fetch's failures, so retries and error messages treat both alike.
    xhr.onerror = () => {
      done();
      reject(new TypeError('Network request failed'));
    };
    xhr.ontimeout = xhr.onerror;
    xhr.onabort = () => {
      done();
      if (stalled) reject(new TypeError(`Network request stalled: nothing was sent or received for ${Math.round(stallMs / 1000)} s`));
      else reject(signal?.reason ?? new DOMException('The request was aborted.', 'AbortError'));
    };
    arm();
    xhr.send(init.body as XMLHttpRequestBodyInit);
  });
}

/** A redirect the browser hid (`redirect: 'manual'`): not followed, and said so. */
export function redirectedError(req: Pick<S3Request, 'operation' | 'bucket' | 'key'>): S3Error {
  return new S3Error({
    operation: req.operation, status: 0, code: 'Redirected', bucket: req.bucket, key: req.key, retryable: false,
    message: 'The store answered with a redirect to another address; Tessera does not follow redirects from a store (check the endpoint URL, its region and addressing style).',
  });
}

/** Build an `S3Error` from a non-2xx response, reading its XML body when there is one. */
export async function errorFromResponse(req: Pick<S3Request, 'operation' | 'bucket' | 'key' | 'method'>, response: Response): Promise<S3Error> {
  let code: string | undefined;
  let serverMessage: string | undefined;
  let requestId = response.headers.get('x-amz-request-id') ?? undefined;
  let serverTime: string | undefined;
  if (req.method !== 'HEAD') {
    const body = await readText(response, { operation: req.operation, maxBytes: MAX_ERROR_BYTES, truncate: true }).catch(() => '');
    const parsed = parseErrorXml(body);
    if (parsed) {
      code = parsed.code;
      serverMessage = parsed.message;
      requestId = parsed.requestId ?? requestId;
      serverTime = parsed.serverTime;
    }
  } else {
    await response.body?.cancel().catch(() => undefined);
  }
  serverTime ??= response.headers.get('date') ?? undefined;
  code ||= codeForStatus(response.status, req.key !== undefined);
  if (response.status === 301 || response.status === 307) {
    serverMessage = 'The store redirected the request: the region or addressing style may be wrong for this bucket.';
  }
  return new S3Error({
    operation: req.operation,
    status: response.status,
    code,
    message: messageFor(code, serverMessage),
    requestId,
    bucket: req.bucket,
    key: req.key,
    serverTime,
  });
}

export { parseErrorXml } from './error-xml';
