/**
 * Addresses that name a Zarr store: what the explorer's open-by-URL flow uses
 * to go straight to the dataset view, and the public URL of a store in a
 * bucket read without keys (path-style, as JASMIN serves).
 */

/**
 * Where a dataset is read from: a store in a bucket, read through the S3
 * worker (which signs), or a public store read by its URL.
 */
export type DatasetSource = { kind: 's3'; bucket: string; path: string } | { kind: 'url'; url: string };

/** Does this key or prefix name a Zarr store (`…/name.zarr` or `…/name.zarr/`)? */
export function isZarrStorePath(path: string): boolean {
  return /(^|\/)[^/]+\.zarr\/*$/i.test(path);
}

/** The store's path without trailing slashes (the dataset route's form). */
export function storePath(path: string): string {
  return path.replace(/\/+$/, '');
}

/** Public, path-style URL of `path` in `bucket` at `endpoint`, each segment encoded. */
export function publicStoreUrl(endpoint: string, bucket: string, path: string): string {
  const segs = [bucket, ...storePath(path).split('/').filter(Boolean)].map(encodeURIComponent);
  return `${endpoint.replace(/\/+$/, '')}/${segs.join('/')}`;
}
