/**
 * NetCDF/HDF5 fixtures written at test time by Debian's Python (netCDF4,
 * h5py, h5netcdf, scipy) through scripts/make-netcdf-fixtures.py, and helpers
 * that read them by ranges as the object store would be read.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, fstatSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ReadRange } from '../../../src/lib/hdf5/range-cache';

export const PYTHON = '/usr/bin/python3';
const SCRIPT = resolve(import.meta.dirname, '../../../scripts/make-netcdf-fixtures.py');
export const COMPARE = resolve(import.meta.dirname, 'compare-with-xarray.py');

export interface Fixtures {
  dir: string;
  /** HDF5's chunk table: file -> dataset path -> [coords, byte offset (null where HDF5 misreports it), size, SHA-1 of the stored bytes]. */
  chunks: Record<string, Record<string, [number[], number | null, number, string][]>>;
  cleanup(): void;
}

export function makeFixtures(): Fixtures {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-netcdf-'));
  try {
    execFileSync(PYTHON, [SCRIPT, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    throw new Error(`Writing the NetCDF fixtures failed (needs Debian's python3-netcdf4, python3-h5py, python3-h5netcdf, python3-scipy; run \`bash scripts/install-deps.sh\` as root): ${String((e as { stderr?: Buffer }).stderr ?? e)}`, { cause: e });
  }
  const chunks = JSON.parse(readFileSync(join(dir, 'chunks.json'), 'utf8')) as Fixtures['chunks'];
  return { dir, chunks, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A local file read by ranges, counting requests like a store would see them. */
export function fileReader(path: string): { read: ReadRange; size: number; close(): void; requests: number } {
  const fd = openSync(path, 'r');
  const size = fstatSync(fd).size;
  const r = {
    size,
    requests: 0,
    read: async (offset: number, length: number) => {
      r.requests++;
      const b = new Uint8Array(length);
      const got = readSync(fd, b, 0, length, offset);
      return b.subarray(0, got);
    },
    close: () => closeSync(fd),
  };
  return r;
}

/** Compare a file with its references through xarray (see compare-with-xarray.py). */
export function compareWithXarray(file: string, refs: unknown, engine: string, groups: string[], dims = true): { checked: string[]; problems: string[] } {
  const refsPath = `${file}.refs.json`;
  writeFileSync(refsPath, JSON.stringify(refs));
  const out = execFileSync(PYTHON, [COMPARE, file, refsPath, engine, ...groups, ...(dims ? [] : ['--no-dims'])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 26 });
  return JSON.parse(out) as { checked: string[]; problems: string[] };
}
