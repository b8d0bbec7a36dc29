/**
 * Addresses that name a Zarr store: what the explorer's open-by-URL flow uses
 * to go straight to the dataset view, and the public URL of a store in a
 * bucket read without keys (path-style, as JASMIN serves).
 */

/**
 * How the keys of a dataset that is not a Zarr store are described: a
 * kerchunk JSON file, a Parquet reference folder, or a data file whose
 * references are made when it is opened (see src/lib/refs).
 */
export type ReferenceFormat = 'json' | 'parquet' | 'scan' | 'combine';

/** With `refs: "combine"`: these files of the folder the path or URL names, combined along `dim` (src/lib/refs/combine.ts). */
export interface CombineSpec {
  files: string[];
  dim: string;
}

/**
 * Where a dataset is read from: a store in a bucket, read through the S3
 * worker (which signs), or a public store read by its URL. With `refs`, the
 * path or URL names a reference file (or a data file to scan), read the same
 * way, and the dataset is the one its references describe.
 */
export type DatasetSource = ({ kind: 's3'; bucket: string; path: string; refs?: ReferenceFormat } | { kind: 'url'; url: string; refs?: ReferenceFormat }) & { combine?: CombineSpec };

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
