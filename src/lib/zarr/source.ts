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

/**
 * GET a URL, mapping statuses to the source contract. `key` is only used in
 * messages (never the URL itself: it may be presigned).
 */
export async function fetchKey(url: string, key: string, range: ByteRange | undefined, signal: AbortSignal | undefined, fetchFn: typeof fetch = fetch): Promise<Uint8Array | undefined> {
  let res: Response;
  try {
    res = await fetchFn(url, { headers: range ? { Range: rangeHeader(range) } : undefined, signal });
  } catch (e) {
    if ((e as Error)?.name === 'AbortError') throw new ZarrError('aborted', 'Cancelled.', { path: key, cause: e });
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
    throw new ZarrError('fetch-failed', `Reading ${key} failed: HTTP ${res.status}.`, { path: key });
  }
  return new Uint8Array(await res.arrayBuffer());
}

/** Join a store-relative key onto a base URL, encoding each path segment. */
export function keyUrl(base: string, key: string): string {
  const b = base.endsWith('/') ? base : `${base}/`;
  return b + key.split('/').map(encodeURIComponent).join('/');
}
