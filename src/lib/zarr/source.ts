/**
 * Where a store's keys come from. A source reads keys relative to the store
 * root and, when the store allows it, lists one level of "folders". The
 * contract follows zarrita's stores: a missing key is `undefined`, not an
 * exception. A 403 is reported as an `access-denied` ZarrError because only
 * the caller knows whether it means "missing" (anonymous S3 on a bucket that
 * cannot be listed) or "forbidden".
 */
import { ZarrError } from './errors';

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
      res = await fetchFn(url, { headers: range ? { Range: rangeHeader(range) } : undefined, signal });
    } catch (e) {
      if ((e as Error)?.name === 'AbortError' || signal?.aborted) throw new ZarrError('aborted', 'Cancelled.', { path: key, cause: e });
      if (again) {
        await backoff();
        continue;
      }
      throw new ZarrError('fetch-failed', `No answer reading ${key}: the network failed, the store is down, or the browser refused the request (CORS).`, { path: key, cause: e });
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
    try {
      return new Uint8Array(await res.arrayBuffer());
    } catch (e) {
      // The connection broke while the body was on its way.
      if ((e as Error)?.name === 'AbortError' || signal?.aborted) throw new ZarrError('aborted', 'Cancelled.', { path: key, cause: e });
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
