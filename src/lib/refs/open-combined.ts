/**
 * Open several NetCDF/HDF5 objects of one folder as one dataset (the virtual
 * `open_mfdataset`): scan each file by byte ranges with the installed scanner,
 * a few at once, reporting progress, then combine their references along a
 * dimension (combine.ts) and open them as a key source.
 *
 * @example
 * const source = await openCombined({
 *   location: { kind: 's3', bucket: 'b', folder: 'cmip/tas' }, files: ['tas_2001.nc', 'tas_2002.nc'], dim: 'time',
 *   bucket: (name) => S3Source.create(access, name, ''), onProgress: (done, total) => console.log(done, total),
 * });
 */
import type { KeySource } from '../zarr/source';
import { UrlSource } from '../zarr/url-source';
import { combineReferences, type CombinedReferences, type CombineOrder } from './combine';
import { openReferences, under } from './open';
import { makeResolver, type ResolverOptions, type RefsLocation } from './resolve';
import { scanToReferences } from './scan';
import type { ReferenceSource } from './source';
import type { References } from './types';

/** A folder of the connected store, or a public folder URL. */
export type FolderLocation = { kind: 's3'; bucket: string; folder: string } | { kind: 'url'; url: string };

export type ScanFn = (folder: KeySource, name: string, signal?: AbortSignal) => Promise<References & { skipped?: { path: string; message: string }[] }>;

export interface ScanFilesOptions {
  /** Files scanned at once (default 4): each scan is a handful of dependent range reads. */
  concurrency?: number;
  /** Called after each file, with how many are done. */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  /** The scanner (default: the installed one); the Zarr worker passes one that remembers. */
  scan?: ScanFn;
}

export interface OpenCombinedOptions extends ResolverOptions, ScanFilesOptions {
  location: FolderLocation;
  files: string[];
  dim: string;
  order?: CombineOrder;
}

/** The folder as a key source, and a resolver for URLs relative to it. */
export async function folderContext(location: FolderLocation, options: ResolverOptions): Promise<{ folder: KeySource; context: { resolve: ReturnType<typeof makeResolver>; label: string; anonymous: boolean } }> {
  // The resolver resolves relative URLs next to a file: any name inside the folder will do.
  let folder: KeySource;
  let file: RefsLocation;
  if (location.kind === 's3') {
    const bucket = await options.bucket(location.bucket);
    const f = location.folder.replace(/^\/+|\/+$/g, '');
    folder = under(bucket, f);
    file = { kind: 's3', bucket: location.bucket, key: f ? `${f}/_` : '_' };
  } else {
    const url = location.url.replace(/\/+$/, '');
    folder = new UrlSource(url, { fetch: options.fetch });
    file = { kind: 'url', url: `${url}/_` };
  }
  return { folder, context: { resolve: makeResolver(file, options), label: folder.label, anonymous: folder.anonymous } };
}

/** Scan `files` of `folder`, `concurrency` at a time; the references in the order of `files`. */
export async function scanFiles(folder: KeySource, files: string[], options: ScanFilesOptions = {}): Promise<(References & { skipped?: { path: string; message: string }[] })[]> {
  const scan = options.scan ?? scanToReferences;
  const out: Awaited<ReturnType<ScanFn>>[] = new Array(files.length);
  let next = 0;
  let done = 0;
  options.onProgress?.(0, files.length);
  const worker = async () => {
    while (next < files.length) {
      if (options.signal?.aborted) throw options.signal.reason;
      const i = next++;
      out[i] = await scan(folder, files[i]!, options.signal);
      options.onProgress?.(++done, files.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 4, files.length) }, worker));
  return out;
}

/** Scan and combine `files`; the key source over the combined references (`combined` tells the order found). */
export async function openCombined(options: OpenCombinedOptions): Promise<ReferenceSource & { combined: CombinedReferences }> {
  const { folder, context } = await folderContext(options.location, options);
  const scanned = await scanFiles(folder, options.files, options);
  const parts = scanned.map((refs, i) => ({ name: options.files[i]!, refs, source: openReferences(refs, context) }));
  const combined = await combineReferences(parts, { dim: options.dim, ...(options.order ? { order: options.order } : {}), ...(options.signal ? { signal: options.signal } : {}) });
  const source = Object.assign(openReferences(combined, context), { combined });
  const seen = new Set<string>();
  source.problems = scanned.flatMap((r, i) => (r.skipped ?? []).map((s) => ({ path: s.path.replace(/^\/+/, ''), message: `"${s.path.replace(/^\/+/, '')}" of ${options.files[i]} is left out: ${s.message}` })))
    .filter((p) => !seen.has(p.path) && !!seen.add(p.path));
  return source;
}
