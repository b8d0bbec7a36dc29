/**
 * The seam for file scanners: a reader that walks a file's own metadata by
 * byte ranges (HDF5/NetCDF-4, NetCDF-3) and describes its chunks as kerchunk
 * references, so the file opens as a dataset through the reference store.
 *
 * A scanner is given a source rooted at the file's folder and the file's
 * name in it (`source.get(name, { offset, length })` reads bytes of the
 * file). The references it returns point at the file by that same name (a
 * relative URL), which the reference store resolves back to the file, signed
 * or anonymous as the file itself was read.
 *
 * @example
 * registerScanner(async (source, name, signal) => ({
 *   version: 1,
 *   refs: { '.zgroup': '{"zarr_format":2}', 't/.zarray': '...', 't/0.0': [name, 4096, 1024] },
 * }));
 */
import type { KeySource } from '../zarr/source';
import { RefsError } from './errors';
import type { LazyChunks, References } from './types';

export interface ScanOptions {
  /**
   * The caller reads the references through a lookup (`ScannedLookup`): the
   * scanner may leave an array's chunks out of `refs` and return them as `lazy`,
   * found when each is asked for. Without it, every reference is in `refs`.
   */
  lazyChunks?: boolean;
}

/** What a scanner gives: references, and with `lazyChunks` the arrays whose chunks are found on demand. */
export type ScannedFile = References & { lazy?: Map<string, LazyChunks> };

export type ScanToReferences = (source: KeySource, name: string, signal?: AbortSignal, options?: ScanOptions) => Promise<ScannedFile>;

let scanner: ScanToReferences | undefined;

/** Install the scanner that opens files (not reference files) as references. */
export function registerScanner(fn: ScanToReferences): void {
  scanner = fn;
}

/** Scan `name` in `source` with the installed scanner. */
export function scanToReferences(source: KeySource, name: string, signal?: AbortSignal, options?: ScanOptions): Promise<ScannedFile> {
  if (!scanner) return Promise.reject(new RefsError('unsupported', `Tessera cannot read ${name} by byte ranges yet: no scanner for this kind of file is installed.`));
  return scanner(source, name, signal, options);
}
