/**
 * A store read anonymously by URL (public data). If the URL is a path-style
 * S3 address (`https://host/bucket/path.zarr`), listing is attempted with an
 * anonymous ListObjectsV2; most public JASMIN buckets refuse it, in which case
 * the store is opened without listing.
 */
import { S3Client } from '../s3/client';
import { resolveEndpoint } from '../s3/endpoint';
import { ListObjectsV2 } from '../s3/ops/list-objects';
import { ZarrError } from './errors';
import { fetchKey, keyUrl, type ByteRange, type KeySource, type ListLevel } from './source';

export interface ParsedStoreUrl {
  /** Store root URL, ending with "/", without query or fragment. */
  base: string;
  origin: string;
  bucket?: string;
  /** Key prefix of the store inside the bucket, ending with "/" (or ""). */
  prefix: string;
}

export function parseStoreUrl(url: string): ParsedStoreUrl {
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    throw new ZarrError('not-found', `"${url}" is not a URL. Give an address like https://host/bucket/path.zarr.`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new ZarrError('not-found', `Only http and https URLs can be opened (got ${u.protocol}).`);
  const path = u.pathname.replace(/\/+$/, '');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const out: ParsedStoreUrl = { base: `${u.origin}${path}/`, origin: u.origin, prefix: parts.slice(1).join('/') };
  if (parts.length) out.bucket = parts[0];
  if (out.prefix) out.prefix += '/';
  return out;
}

export class UrlSource implements KeySource {
  readonly anonymous = true;
  readonly label: string;
  readonly #parsed: ParsedStoreUrl;
  readonly #fetch: typeof fetch;

  constructor(url: string, options: { fetch?: typeof fetch } = {}) {
    this.#parsed = parseStoreUrl(url);
    this.label = this.#parsed.base.replace(/\/$/, '');
    this.#fetch = options.fetch ?? ((...a) => fetch(...a));
  }

  get(key: string, range?: ByteRange, signal?: AbortSignal): Promise<Uint8Array | undefined> {
    return fetchKey(keyUrl(this.#parsed.base, key), key, range, signal, this.#fetch);
  }

  async list(prefix: string, maxPages = 1): Promise<ListLevel> {
    const { bucket, origin } = this.#parsed;
    if (!bucket) throw new ZarrError('access-denied', 'This URL is not an S3 bucket path; it cannot be listed.');
    const client = new S3Client({ endpoint: resolveEndpoint(origin, { style: 'path' }).endpoint, credentials: null, fetch: this.#fetch });
    return listLevel((input) => client.send(ListObjectsV2, input), bucket, this.#parsed.prefix, prefix, maxPages);
  }
}

export type ListPageFn = (input: { bucket: string; prefix: string; delimiter: string; continuationToken?: string }) => Promise<{
  objects: { key: string; size: number }[];
  prefixes: string[];
  isTruncated: boolean;
  nextToken?: string;
}>;

/** Read up to `maxPages` pages of one level, making keys relative to the store root. */
export async function listLevel(listPage: ListPageFn, bucket: string, storePrefix: string, prefix: string, maxPages: number): Promise<ListLevel> {
  const level: ListLevel = { keys: [], prefixes: [], truncated: false };
  let token: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const res = await listPage({ bucket, prefix: storePrefix + prefix, delimiter: '/', continuationToken: token });
    for (const o of res.objects) level.keys.push({ key: o.key.slice(storePrefix.length), size: o.size });
    for (const p of res.prefixes) level.prefixes.push(p.slice(storePrefix.length));
    token = res.isTruncated ? res.nextToken : undefined;
    if (!token) return level;
  }
  level.truncated = true;
  return level;
}
