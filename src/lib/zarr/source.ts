/**
 * Where a store's keys come from. A source reads keys relative to the store
 * root and, when the store allows it, lists one level of "folders". The
 * contract follows zarrita's stores: a missing key is `undefined`, not an
 * exception. A 403 is reported as an `access-denied` ZarrError because only
 * the caller knows whether it means "missing" (anonymous S3 on a bucket that
 * cannot be listed) or "forbidden".
 */
import { ZarrError } from './errors';
import { readBytes, withHeadersTimeout } from '../s3/body';
import { S3Error } from '../s3/errors';
import { noteResponse } from '../s3/protocol';

export type ByteRange = { offset: number; length: number } | { suffixLength: number };

export interface ListedKey {
  /** Key relative to the store root. */
  key: string;
  size: number;
}

export interface ListLevel {
  /** Objects directly at this level. */
  keys: ListedKey[];
  /** Sub-folders, relative to the store root, each ending with "/". */
  prefixes: string[];
  /** More entries exist than were read (the level was cut at `maxPages`). */
  truncated: boolean;
}

export interface KeySource {
  /** Human-readable location, e.g. `s3://bucket/path.zarr` or the URL. */
  readonly label: string;
  /** Whether reads are unsigned (public data). */
  readonly anonymous: boolean;
  get(key: string, range?: ByteRange, signal?: AbortSignal): Promise<Uint8Array | undefined>;
  /**
   * List one level below `prefix` ("" for the root, else ending with "/").
   * Rejects when the store refuses listing.
   */
  list?(prefix: string, maxPages?: number): Promise<ListLevel>;
  /** Hint: these keys are about to be read (lets a presigning source sign them in one batch). */
  prepare?(keys: string[]): void;
}

/** The `Range` header value for a byte range (suffix ranges are not CORS-safelisted: avoid them). */
export function rangeHeader(range: ByteRange): string {
  if ('suffixLength' in range) return `bytes=-${range.suffixLength}`;
  return `bytes=${range.offset}-${range.offset + range.length - 1}`;
}

/**
 * The largest metadata document read (`.zmetadata`, `zarr.json`, `.zarray`...).
 * The consolidated metadata of CEDA's CMIP6 stores is tens of kilobytes; a
 * store of ten thousand arrays is a few megabytes.
 */
export const MAX_METADATA_BYTES = 32 * 1024 * 1024;
/** The largest object read whole (a chunk or shard): past what a browser can decode anyway. */
export const MAX_OBJECT_BYTES = 1536 * 1024 * 1024;

const METADATA = /(^|\/)(\.zmetadata|\.zarray|\.zgroup|\.zattrs|zarr\.json)$/;

/** Bytes a read of `key` may take: metadata is small, chunks can be large. */
export function readBound(key: string, range?: ByteRange): number {
  if (range) return 'suffixLength' in range ? range.suffixLength : range.length;
  return METADATA.test(key) ? MAX_METADATA_BYTES : MAX_OBJECT_BYTES;
}

/** Parse `Content-Range: bytes a-b/total`. */
function contentRange(value: string | null): { start: number; end: number; total?: number } | undefined {
  const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(value?.trim() ?? '');
  if (!m) return undefined;
  return { start: Number(m[1]), end: Number(m[2]), total: m[3] === '*' ? undefined : Number(m[3]) };
}

/** Attempts per read when the network or the store fails for a moment (network error, 429, 5xx). */
export const READ_ATTEMPTS = 3;

/** Wait `ms`, or reject at once when `signal` aborts. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), reject(signal.reason)), { once: true });
  });
}

/**
 * GET a URL, mapping statuses to the source contract. `key` is only used in
 * messages (never the URL itself: it may be presigned). A dropped connection,
 * 429 or 5xx is tried again (READ_ATTEMPTS in all, jittered back-off): over a
 * long link, or a store under load, one chunk in hundreds fails once, and a
 * chunk left blank is a wrong picture, not a slow one.
 */
export async function fetchKey(url: string, key: string, range: ByteRange | undefined, signal: AbortSignal | undefined, fetchFn: typeof fetch = fetch): Promise<Uint8Array | undefined> {
  for (let attempt = 1; ; attempt++) {
    const again = attempt < READ_ATTEMPTS;
    const backoff = () => pause((100 * 2 ** (attempt - 1)) * (0.5 + Math.random()), signal).catch((e: unknown) => {
      throw new ZarrError('aborted', 'Cancelled.', { path: key, cause: e });
    });
    let res: Response;
    try {
      // Never through the browser's HTTP cache. Chromium's in-memory cache (a
      // private window, a fresh profile) can answer a range of an object it
      // holds part of with a body cut at a 4 KiB block boundary, under the full
      // Content-Length and without an error (kolibri#15105 traces it). In the
      // slider-walk test a shard's last inner chunk, next to the index read
      // just before, came back undecodable about once in six runs under load;
      // a short body from that cache fits, though no probe made it happen on
      // demand. Tessera keeps its own decoded slices; `no-store` adds no
      // request header, so a presigned GET with a plain Range needs no preflight.
      res = await withHeadersTimeout((sig) => fetchFn(url, { headers: range ? { Range: rangeHeader(range) } : undefined, signal: sig, redirect: 'manual', cache: 'no-store' }), { operation: 'GetObject', key }, signal);
    } catch (e) {
      if ((e as Error)?.name === 'AbortError' || signal?.aborted) throw new ZarrError('aborted', 'Cancelled.', { path: key, cause: e });
      if (e instanceof S3Error) throw new ZarrError('fetch-failed', `Reading ${key} failed: ${e.message}`, { path: key, cause: e });
      if (again) {
        await backoff();
        continue;
      }
      throw new ZarrError('fetch-failed', `No answer reading ${key}: the network failed, the store is down, or the browser refused the request (CORS).`, { path: key, cause: e });
    }
    // Its status line says which HTTP the store speaks (see protocol.ts).
    noteResponse(url, res);
    // Redirects are not followed: a store's reads stay at the store's address.
    if (res.type === 'opaqueredirect' || (res.status >= 300 && res.status < 400)) {
      await res.body?.cancel().catch(() => undefined);
      throw new ZarrError('fetch-failed', `Reading ${key} failed: the store answered with a redirect to another address, which Tessera does not follow.`, { path: key });
    }
    if (res.status === 404) {
      await res.body?.cancel();
      return undefined;
    }
    if (res.status === 403) {
      await res.body?.cancel();
      throw new ZarrError('access-denied', `Access denied (403) reading ${key}.`, { path: key });
    }
    if (res.status === 416 && range) {
      await res.body?.cancel();
      throw new ZarrError('truncated-chunk', `${key} is shorter than the byte range requested: the object is truncated.`, { path: key });
    }
    if (res.status !== 200 && res.status !== 206) {
      await res.body?.cancel();
      if (again && (res.status === 429 || res.status >= 500)) {
        await backoff();
        continue;
      }
      throw new ZarrError('fetch-failed', `Reading ${key} failed: HTTP ${res.status}${attempt > 1 ? ` (after ${attempt} tries)` : ''}.`, { path: key });
    }
    const max = readBound(key, range);
    // A 206 must be the range asked for (when the store lets the page read
    // Content-Range): another range would be decoded as the wrong chunk.
    if (res.status === 206 && range && 'offset' in range) {
      const got = contentRange(res.headers.get('content-range'));
      if (got && (got.start !== range.offset || got.end > range.offset + range.length - 1)) {
        await res.body?.cancel().catch(() => undefined);
        throw new ZarrError('fetch-failed', `Reading ${key} failed: the store sent bytes ${got.start}-${got.end} for the range ${range.offset}-${range.offset + range.length - 1} that was asked for.`, { path: key });
      }
    }
    try {
      // A store that ignores Range answers 200 with the whole object: read the range from it.
      const whole = res.status === 200 && range && 'offset' in range;
      const bytes = await readBytes(res, { operation: 'GetObject', key, maxBytes: whole ? range.offset + range.length : max, truncate: !!whole }, signal);
      if (whole) return bytes.slice(range.offset, range.offset + range.length);
      if (range && bytes.byteLength > max) throw new ZarrError('fetch-failed', `Reading ${key} failed: the store sent ${bytes.byteLength} bytes for a range of ${max}.`, { path: key });
      // A body shorter than the range its headers declare was cut on the way
      // (the same as a dropped connection): try again rather than decode it.
      const declared = res.status === 206 && range ? contentRange(res.headers.get('content-range')) : undefined;
      if (declared && bytes.byteLength !== declared.end - declared.start + 1) {
        if (again) {
          await backoff();
          continue;
        }
        throw new ZarrError('fetch-failed', `Reading ${key} failed: the store declared bytes ${declared.start}-${declared.end} but sent ${bytes.byteLength} bytes${attempt > 1 ? ` (after ${attempt} tries)` : ''}.`, { path: key });
      }
      return bytes;
    } catch (e) {
      if (e instanceof ZarrError) throw e;
      // The connection broke while the body was on its way.
      if ((e as Error)?.name === 'AbortError' || signal?.aborted || (e as S3Error)?.code === 'Aborted') throw new ZarrError('aborted', 'Cancelled.', { path: key, cause: e });
      if (e instanceof S3Error && (e.code === 'ResponseTooLarge' || e.code === 'ResponseTimeout')) {
        const what = e.code === 'ResponseTooLarge' ? `it is larger than ${Math.round(max / 2 ** 20)} MiB, more than ${METADATA.test(key) ? 'any Zarr metadata document' : range ? 'the byte range asked for' : 'a chunk a browser can decode'}: Tessera stopped reading it` : e.message;
        throw new ZarrError('fetch-failed', `Reading ${key} failed: ${what}.`, { path: key, cause: e });
      }
      if (again) {
        await backoff();
        continue;
      }
      throw new ZarrError('fetch-failed', `The connection broke while reading ${key}.`, { path: key, cause: e });
    }
  }
}

/** Join a store-relative key onto a base URL, encoding each path segment. */
export function keyUrl(base: string, key: string): string {
  const b = base.endsWith('/') ? base : `${base}/`;
  return b + key.split('/').map(encodeURIComponent).join('/');
}
