/**
 * The file scanner the reference store calls to open a NetCDF/HDF5 object as
 * a dataset (the `ScanToReferences` contract of `src/lib/refs/scan.ts`:
 * a source rooted at the file's folder, the file's name in it, and
 * references that point back at the file by that same relative name).
 *
 * The object's size is not asked for (a presigned GET cannot answer a HEAD):
 * the HDF5 superblock's end-of-file address, or a short first read, gives it.
 */
import type { LazyChunks, References } from '../refs/types';
import { Hdf5Error, type SkippedObject } from './errors';
import { keyReader, openScientific, type RangeSource } from './open';
import { mark } from '../zarr/trace';

/** References, with the variables left out and why (for the dataset view's messages). */
export type ScannedReferences = References & { skipped: SkippedObject[]; lazy?: Map<string, LazyChunks> };

/**
 * @example
 * registerScanner(scanNetcdf); // in the Zarr worker, with registerFletcher32()
 */
export async function scanNetcdf(source: RangeSource, name: string, signal?: AbortSignal, options: { lazyChunks?: boolean } = {}): Promise<ScannedReferences> {
  if (signal?.aborted) throw signal.reason;
  mark('scan:start');
  const r = await openScientific(keyReader(source, name), undefined, name, { ...(signal ? { signal } : {}), lazyChunks: options.lazyChunks === true });
  if (!Object.keys(r.refs.refs).some((k) => k.endsWith('.zarray')) && r.skipped.length) {
    const first = r.skipped[0]!;
    throw new Hdf5Error(first.kind, `No variable of ${name} can be shown: ${first.message}`, first.feature ? { feature: first.feature } : {});
  }
  return { ...r.refs, skipped: r.skipped, ...(r.lazy ? { lazy: r.lazy } : {}) };
}
