/**
 * Entry points that turn references into a key source the dataset view
 * opens like any Zarr store (`ZarrDataset.open(source)`).
 *
 * - `openReferences(refs, context)`: references already in memory (made by a
 *   file scanner, or parsed elsewhere).
 * - `openReferenceFile(options)`: a reference file in a bucket or at a URL
 *   (kerchunk JSON, plain or compressed; a Parquet reference folder; or, with
 *   the format "scan", a data file described on the fly by the installed
 *   scanner, see scan.ts).
 */
import type { ReferenceFormat } from '../zarr/address';
import type { ByteRange, KeySource, ListLevel } from '../zarr/source';
import { UrlSource } from '../zarr/url-source';
import { RefsError } from './errors';
import { MemoryLookup, ScannedLookup, type ReferenceLookup } from './lookup';
import { parseReferences } from './parse';
import { ParquetLookup } from './parquet';
import { HttpsSource, makeResolver, type RefsLocation, type ResolverOptions, type UrlResolver } from './resolve';
import { scanToReferences, type ScannedFile } from './scan';
import { ReferenceSource } from './source';
import type { References } from './types';

import { refsFormatOf } from './sniff';

export { refsFormatOf };

/** How a reference file is laid out. "scan": a data file whose references are made when it is opened. */
export type RefsFormat = ReferenceFormat;

/** A source that reads `source`'s keys below `prefix` (a folder inside a bucket). */
export function under(source: KeySource, prefix: string): KeySource {
  const p = prefix.replace(/^\/+|\/+$/g, '');
  if (!p) return source;
  return {
    label: `${source.label.replace(/\/+$/, '')}/${p}`,
    anonymous: source.anonymous,
    get: (key: string, range?: ByteRange, signal?: AbortSignal) => source.get(`${p}/${key}`, range, signal),
    list: source.list && (async (prefix2: string, maxPages?: number): Promise<ListLevel> => {
      const level = await source.list!(`${p}/${prefix2}`, maxPages);
      const cut = (k: string) => k.slice(p.length + 1);
      return { keys: level.keys.map((k) => ({ ...k, key: cut(k.key) })), prefixes: level.prefixes.map(cut), truncated: level.truncated };
    }),
    prepare: source.prepare && ((keys: string[]) => source.prepare!(keys.map((k) => `${p}/${k}`))),
  };
}

/** Where references in memory read their objects: a full resolver, or just the source relative URLs are keys in. */
export type ReferenceContext = { resolve: UrlResolver; label: string; anonymous: boolean } | KeySource;

/**
 * A key source over references held in memory.
 *
 * @param refs the references (kerchunk version 1, expanded)
 * @param context a resolver for their URLs, or the source in which relative
 *   URLs are keys (https URLs are then read anonymously; s3:// URLs need a resolver)
 * @example
 * const refs = await scanToReferences(folder, 'tas.nc');
 * const ds = await ZarrDataset.open(openReferences(refs, folder));
 */
export function openReferences(refs: References, context: ReferenceContext): ReferenceSource {
  return fromLookup(new MemoryLookup(refs), context);
}

function fromLookup(lookup: ReferenceLookup, context: ReferenceContext): ReferenceSource {
  if ('resolve' in context) return new ReferenceSource(lookup, context.resolve, context.label, context.anonymous);
  const https = new HttpsSource();
  const resolve: UrlResolver = async (url) => {
    if (/^https?:\/\//i.test(url)) return { source: https, key: url };
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) throw new RefsError('unsupported', `A reference points at ${url}, which cannot be read from ${context.label}.`);
    return { source: context, key: url.replace(/^\.?\//, '') };
  };
  return new ReferenceSource(lookup, resolve, context.label, context.anonymous);
}

export interface OpenReferenceFileOptions extends ResolverOptions {
  location: RefsLocation;
  /** Default: from the name (refsFormatOf), else JSON. */
  format?: RefsFormat;
  signal?: AbortSignal;
}

const baseName = (path: string) => path.replace(/\/+$/, '').split('/').pop() ?? '';
const folderOf = (path: string) => path.replace(/\/+$/, '').split('/').slice(0, -1).join('/');

/**
 * Open a reference file (or, with format "scan", a data file) as a key source.
 *
 * @example
 * const source = await openReferenceFile({ location: { kind: 's3', bucket: 'b', key: 'tas_kr1.0.json' }, bucket: (name) => S3Source.create(access, name, '') });
 * const ds = await ZarrDataset.open(source);
 */
export async function openReferenceFile(options: OpenReferenceFileOptions): Promise<ReferenceSource> {
  const { location, signal } = options;
  const path = location.kind === 's3' ? location.key : location.url;
  const format = options.format ?? refsFormatOf(path) ?? 'json';
  const label = location.kind === 's3' ? `s3://${location.bucket}/${location.key.replace(/\/+$/, '')}` : location.url.replace(/\/+$/, '');
  let anonymous = true;
  // The folder that holds the file (or, for Parquet, the reference folder itself).
  let folder: KeySource;
  if (location.kind === 's3') {
    const bucket = await options.bucket(location.bucket);
    anonymous = bucket.anonymous;
    folder = under(bucket, format === 'parquet' ? location.key : folderOf(location.key));
  } else {
    const url = location.url.replace(/\/+$/, '');
    folder = new UrlSource(format === 'parquet' ? url : url.slice(0, url.lastIndexOf('/')), { fetch: options.fetch });
  }
  const resolve = makeResolver(location, options);
  const context = { resolve, label, anonymous };
  if (format === 'parquet') return fromLookup(await ParquetLookup.open(folder, signal), context);
  if (format === 'scan') {
    // Chunks are looked up as they are read: a large file opens without reading its whole chunk index.
    const refs: ScannedFile & { skipped?: { path: string; message: string }[] } = await scanToReferences(folder, baseName(path), signal, { lazyChunks: true });
    const source = refs.lazy?.size ? fromLookup(new ScannedLookup({ version: 1, refs: refs.refs }, refs.lazy), context) : openReferences(refs, context);
    source.problems = (refs.skipped ?? []).map((s) => ({ path: s.path.replace(/^\/+/, ''), message: `"${s.path.replace(/^\/+/, '')}" is left out: ${s.message.startsWith(`${s.path}: `) ? s.message.slice(s.path.length + 2) : s.message}` }));
    return source;
  }
  const bytes = location.kind === 's3' ? await folder.get(baseName(location.key), undefined, signal) : await new HttpsSource(options.fetch).get(location.url, undefined, signal);
  if (!bytes) throw new RefsError('not-references', `There is no reference file at ${label}.`);
  return openReferences(await parseReferences(bytes, label), context);
}
