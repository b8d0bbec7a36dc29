/**
 * One entry point for "open this object as a dataset" on NetCDF/HDF5 files:
 * sniff the format from the first bytes, then build kerchunk references with
 * the matching reader. The first range is shared between the sniffer and the
 * reader, so a file costs no extra request for being sniffed.
 */
import { Hdf5Error, type SkippedObject } from './errors';
import { RangeCache, type RangeCacheOptions, type RangeStats, type ReadRange } from './range-cache';
import { hdf5References } from './references';
import { sniffFormat, type ScientificFormat } from './sniff';
import { netcdf3References } from '../netcdf3';
import type { LazyChunks, References } from '../refs/types';

export interface ScientificReferences {
  format: ScientificFormat;
  refs: References;
  skipped: SkippedObject[];
  stats: RangeStats;
  /** Arrays whose chunks are found when asked for (`lazyChunks`; see `hdf5References`). */
  lazy?: Map<string, LazyChunks>;
}

/**
 * References for the NetCDF or HDF5 object behind `read`, of `size` bytes
 * (undefined when the source cannot say: the HDF5 superblock, or a short
 * first read, then tells it), to be found at `url`.
 */
export async function openScientific(read: ReadRange, size: number | undefined, url: string, opts: RangeCacheOptions & { signal?: AbortSignal; lazyChunks?: boolean } = {}): Promise<ScientificReferences> {
  // One shared cache: the bytes read to sniff are the reader's first bytes too.
  const first = new RangeCache(read, size, opts);
  const head = await first.read(0, Math.min(first.size, 2048)).catch(async (e: unknown) => {
    // An object shorter than 2 KiB: its size is now known.
    if (!first.sizeKnown || first.size >= 2048) throw e;
    return first.read(0, first.size);
  });
  const cached: ReadRange = (o, n) => first.read(o, Math.min(n, first.size - o));
  let format = sniffFormat(head);
  // The HDF5 signature may sit further in, after a large user block.
  if (!format && first.size > 4096) format = 'hdf5';
  if (format === 'netcdf3') {
    const r = await netcdf3References(cached, first.sizeKnown ? first.size : undefined, url, { firstRead: 0, minRead: 0 });
    return { format, refs: r.refs, skipped: [], stats: first.stats };
  }
  if (format !== 'hdf5') throw new Hdf5Error('not-hdf5', 'This object is neither NetCDF nor HDF5 (no signature found).');
  const r = await hdf5References(cached, first.sizeKnown ? first.size : undefined, url, { firstRead: 0, minRead: 0, mergeGap: 0, lazyChunks: opts.lazyChunks === true, ...(opts.signal ? { signal: opts.signal } : {}) });
  return { format, refs: r.refs, skipped: r.skipped, stats: first.stats, ...(r.lazy ? { lazy: r.lazy } : {}) };
}

/** Anything that reads a key's byte range, like the Zarr sources (`KeySource`). */
export interface RangeSource {
  get(key: string, range?: { offset: number; length: number }): Promise<Uint8Array | undefined>;
}

/** A `ReadRange` over one key of a source (a missing object is a read failure). */
export function keyReader(source: RangeSource, key: string): ReadRange {
  return async (offset, length) => {
    const b = await source.get(key, { offset, length });
    if (!b) throw new Hdf5Error('read-failed', `${key} does not exist (or cannot be read)`);
    return b;
  };
}
