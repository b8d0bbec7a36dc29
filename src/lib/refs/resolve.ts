/**
 * Where the URL in a reference is read from.
 *
 * - `s3://bucket/key`: the bucket on the store Tessera is connected to (signed
 *   through the S3 worker with keys; its public path-style URL without).
 * - a relative URL (`data.nc`, `../x/data.nc`): next to the reference file.
 * - `https://` on the connected endpoint (`https://endpoint/bucket/key`): that
 *   bucket, as for `s3://`.
 * - `https://` anywhere else: read anonymously from the browser. When the
 *   host does not allow this page's origin (CORS), the error says so.
 */
import { ZarrError } from '../zarr/errors';
import { fetchKey, type ByteRange, type KeySource } from '../zarr/source';
import { RefsError } from './errors';

/** A reference file's place: a key in a bucket of the connected store, or a URL. */
export type RefsLocation = { kind: 's3'; bucket: string; key: string } | { kind: 'url'; url: string };

/** A referenced object: the source that reads it and its key there. */
export interface Target {
  source: KeySource;
  key: string;
}

export type UrlResolver = (url: string) => Promise<Target>;

export interface ResolverOptions {
  /** A source rooted at a bucket of the connected store ("" prefix). */
  bucket: (name: string) => Promise<KeySource>;
  /** The connected endpoint (`https://host[:port]`), whose path-style URLs are read as its buckets. */
  endpoint?: string;
  fetch?: typeof fetch;
}

/** Join `rel` onto the folder of `key`, resolving "." and ".."; undefined when it climbs out of the bucket. */
export function joinRelative(key: string, rel: string): string | undefined {
  const parts = key.split('/').slice(0, -1);
  for (const p of rel.split('/')) {
    if (p === '..') {
      if (!parts.length) return undefined;
      parts.pop();
    } else if (p !== '.' && p !== '') parts.push(p);
  }
  return parts.join('/');
}

/** The app's own origin, for CORS messages (a worker and a window both have `location`). */
function appOrigin(): string {
  const loc = (globalThis as { location?: { origin?: string } }).location;
  return loc?.origin && loc.origin !== 'null' ? loc.origin : 'this page';
}

/**
 * Objects on other hosts, read anonymously; keys are whole URLs. A request
 * that gets no answer at all is, from a browser, nearly always CORS: the
 * message names the host and the rule to ask its owner for.
 */
export class HttpsSource implements KeySource {
  readonly label = 'https';
  readonly anonymous = true;
  readonly #fetch: typeof fetch;

  constructor(fetchFn?: typeof fetch) {
    this.#fetch = fetchFn ?? ((...a) => fetch(...a));
  }

  async get(url: string, range?: ByteRange, signal?: AbortSignal): Promise<Uint8Array | undefined> {
    try {
      return await fetchKey(url, url, range, signal, this.#fetch);
    } catch (e) {
      if (!(e instanceof ZarrError) || e.kind !== 'fetch-failed' || !/No answer/.test(e.message)) throw e;
      const host = new URL(url).host;
      throw new ZarrError(
        'fetch-failed',
        `The browser could not read ${url}: ${host} gave no answer Tessera may read. Most often ${host} does not allow pages from ${appOrigin()} (CORS). ` +
          `Ask the owner of ${host} to allow GET and HEAD from ${appOrigin()} with the Range header (and to expose Content-Range), or copy the data to a bucket you can read.`,
        { path: url, cause: e },
      );
    }
  }
}

/** Make the resolver for references in a file at `location`. */
export function makeResolver(location: RefsLocation, options: ResolverOptions): UrlResolver {
  const https = new HttpsSource(options.fetch);
  const endpoint = options.endpoint?.replace(/\/+$/, '');
  const inBucket = async (bucket: string, key: string): Promise<Target> => ({ source: await options.bucket(bucket), key });
  return async (url: string): Promise<Target> => {
    const s3 = /^s3a?:\/\/([^/]+)\/(.+)$/.exec(url);
    if (s3) return inBucket(s3[1]!, s3[2]!);
    if (/^https?:\/\//i.test(url)) {
      if (endpoint && url.startsWith(`${endpoint}/`)) {
        const [bucket, ...rest] = url.slice(endpoint.length + 1).split('?')[0]!.split('/').map(decodeURIComponent);
        if (bucket && rest.length) return inBucket(bucket, rest.join('/'));
      }
      return { source: https, key: url };
    }
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
      throw new RefsError('unsupported', `A reference points at ${url}; Tessera reads s3://, https:// and relative URLs only.`);
    }
    if (location.kind === 'url') return { source: https, key: new URL(url, location.url).href };
    const key = url.startsWith('/') ? url.slice(1) : joinRelative(location.key, url);
    if (key === undefined) throw new RefsError('malformed', `A reference points at ${url}, outside the bucket ${location.bucket}.`);
    return inBucket(location.bucket, key);
  };
}
