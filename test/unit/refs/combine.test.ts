/**
 * The virtual open_mfdataset against xarray's own: datasets split along time
 * by xarray into NetCDF-4 (deflate+shuffle chunks, contiguous, unlimited) and
 * NetCDF-3 files, scanned by Tessera's reader, combined, and read through the
 * combined references; every variable equals `xr.open_mfdataset(...)`, and
 * the combined kerchunk JSON opened by xarray through reference:// does too.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as zarr from 'zarrita';
import type { AbsolutePath } from 'zarrita';
import { registerFletcher32, scanNetcdf } from '../../../src/lib/hdf5';
import { combineReferences, defaultConcatDim, dimensionsOf, type CombinePart } from '../../../src/lib/refs/combine';
import { openReferences } from '../../../src/lib/refs/open';
import { scanFiles, type ScanFn } from '../../../src/lib/refs/open-combined';
import { combinableNames } from '../../../src/state/combine.svelte';
import { encodeReferences } from '../../../src/lib/refs/write';
import { RefsError } from '../../../src/lib/refs/errors';
import { parseTimeUnits, timeToEpochMs } from '../../../src/lib/cf/time';
import type { KeySource } from '../../../src/lib/zarr/source';
import { PYTHON } from '../hdf5/fixtures';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
registerFletcher32();

const SCRIPT = resolve(import.meta.dirname, '../../../scripts/make-combine-fixtures.py');

interface Expected {
  files: string[];
  order?: string[];
  dim: string;
  vars?: Record<string, { dims: string[]; shape: number[]; values: (number | null)[]; datetime?: boolean }>;
  time_ms?: number[];
}
let dir: string;
let expected: Record<string, Expected>;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-combine-'));
  execFileSync(PYTHON, [SCRIPT, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Record<string, Expected>;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A folder on disk as a key source, read by ranges as a bucket would be. */
function folder(path: string, reads: string[] = []): KeySource {
  return {
    label: path,
    anonymous: true,
    async get(key, range) {
      reads.push(key);
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(readFileSync(join(path, key)));
      } catch {
        return undefined;
      }
      if (!range) return bytes;
      if ('suffixLength' in range) return bytes.subarray(bytes.length - range.suffixLength);
      return bytes.subarray(range.offset, range.offset + range.length);
    },
  };
}

async function parts(set: string, names: string[]): Promise<{ parts: CombinePart[]; source: KeySource }> {
  const source = folder(join(dir, set));
  return {
    source,
    parts: await Promise.all(names.map(async (name) => {
      const refs = await scanNetcdf(source, name);
      return { name, refs, source: openReferences(refs, source) };
    })),
  };
}

async function read(source: KeySource, path: string): Promise<{ data: ArrayLike<number | bigint>; shape: number[] }> {
  const store = { get: (key: AbsolutePath) => source.get(key.slice(1)) };
  const arr = await zarr.open.v2(zarr.root(store).resolve(path), { kind: 'array' });
  return (await zarr.get(arr)) as { data: ArrayLike<number | bigint>; shape: number[] };
}

const SETS = ['chunked', 'contiguous', 'unlimited', 'netcdf3', 'descending'];

describe('combined references equal xr.open_mfdataset', () => {
  for (const set of SETS) {
    it(set, async () => {
      const want = expected[set]!;
      const { parts: p, source } = await parts(set, [...want.files].sort());
      const combined = await combineReferences(p, { dim: 'time' });
      expect(combined.files).toEqual(want.order);
      const ds = openReferences(combined, source);
      for (const [name, v] of Object.entries(want.vars!)) {
        const got = await read(ds, name);
        expect(got.shape, name).toEqual(v.shape);
        // Datetimes (the time bounds) decoded with their own units, else the time coordinate's (CF bounds), as xarray does.
        const own = JSON.parse(combined.refs[`${name}/.zattrs`] as string) as { units?: string; calendar?: string };
        const attrs = own.units ? own : (JSON.parse(combined.refs['time/.zattrs'] as string) as { units: string; calendar?: string });
        const units = v.datetime ? parseTimeUnits(attrs.units!, attrs.calendar)! : null;
        if (v.datetime) expect(units, name).not.toBeNull();
        const values = Array.from(got.data, (x) => (units ? timeToEpochMs(Number(x), units) : Number(x)));
        v.values.forEach((w, i) => expect(values[i], `${set} ${name}[${i}]`).toBe(w));
      }
      // Time: each file had its own units; the combined axis decodes to xarray's datetimes.
      const zattrs = JSON.parse(combined.refs['time/.zattrs'] as string) as { units: string; calendar?: string };
      const units = parseTimeUnits(zattrs.units, zattrs.calendar)!;
      const time = Array.from((await read(ds, 'time')).data, (x) => timeToEpochMs(Number(x), units));
      expect(time).toEqual(want.time_ms);

      // The same references written as kerchunk JSON, opened by xarray.
      const file = join(dir, `${set}.json`);
      writeFileSync(file, encodeReferences(combined, { absoluteBase: `${join(dir, set)}/` }));
      const r = JSON.parse(execFileSync(PYTHON, [SCRIPT, '--check', file, join(dir, set)], { encoding: 'utf8' })) as { checked: string[]; problems: string[] };
      expect(r.problems).toEqual([]);
      expect(r.checked).toContain('tas');
    });
  }

  it('nested keeps the order given', async () => {
    const { parts: p } = await parts('unlimited', ['a.nc', 'b.nc', 'c.nc']);
    const combined = await combineReferences(p, { dim: 'time', order: 'nested' });
    expect(combined.files).toEqual(['a.nc', 'b.nc', 'c.nc']);
    const want = expected.unlimited!.time_ms!;
    const zattrs = JSON.parse(combined.refs['time/.zattrs'] as string) as { units: string };
    const units = parseTimeUnits(zattrs.units)!;
    const time = Array.from((await read(openReferences(combined, folder(join(dir, 'unlimited'))), 'time')).data, (x) => timeToEpochMs(Number(x), units));
    // c.nc holds the first four steps, a.nc the next four, b.nc the last.
    expect(time).toEqual([...want.slice(4, 8), ...want.slice(8), ...want.slice(0, 4)]);
  });
});

describe('files that cannot be combined are refused, naming the file and the variable', () => {
  it('compressed chunks that do not line up with file boundaries', async () => {
    const { parts: p } = await parts('misaligned', ['a.nc', 'c.nc']);
    const e = await combineReferences(p, { dim: 'time' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RefsError);
    expect((e as Error).message).toMatch(/^c\.nc: "(tas|pr)" is stored compressed in chunks of 4 along time.*6 steps/);
  });

  it('a variable without the dimension whose shape differs', async () => {
    const { parts: p } = await parts('mismatch', ['a.nc', 'b.nc', 'c.nc']);
    const e = await combineReferences(p, { dim: 'time' }).catch((x: unknown) => x);
    expect((e as Error).message).toMatch(/^b\.nc: "orog" is float64|^b\.nc: .*"orog"/);
    expect((e as Error).message).toContain('(9, 5)');
  });

  it('a dimension the files do not have', async () => {
    const { parts: p } = await parts('chunked', ['a.nc', 'b.nc']);
    await expect(combineReferences(p, { dim: 'level', order: 'nested' })).rejects.toThrow(/a\.nc has no dimension "level"/);
    await expect(combineReferences(p, { dim: 'level' })).rejects.toThrow(/no coordinate variable "level"/);
  });
});

describe('the dimension offered by default', () => {
  it('is the time coordinate common to all files', async () => {
    for (const set of ['chunked', 'netcdf3']) {
      const { parts: p } = await parts(set, ['a.nc', 'b.nc', 'c.nc']);
      const dims = p.map((x) => dimensionsOf(x.refs));
      expect(dims[0]!.dims).toMatchObject({ lat: 9, lon: 12 });
      expect(dims.map((d) => d.dims.time)).toEqual(set === 'chunked' ? [8, 5, 8] : [4, 3, 3]);
      expect(dims[0]!.time).toEqual(['time']);
      expect(defaultConcatDim(dims)).toBe('time');
    }
  });

  it('without a time coordinate: a dimension whose length differs between files', async () => {
    const { parts: p } = await parts('chunked', ['a.nc', 'b.nc']);
    const dims = p.map((x) => dimensionsOf(x.refs)).map((d) => ({ ...d, time: [], order: d.order.map((n) => (n === 'time' ? 'step' : n)), dims: Object.fromEntries(Object.entries(d.dims).map(([k, v]) => [k === 'time' ? 'step' : k, v])) }));
    expect(defaultConcatDim(dims)).toBe('step');
  });
});

describe('scanning the files', () => {
  it('reads a few at once, reports each file done, and stops when cancelled', async () => {
    const source = folder(join(dir, 'chunked'));
    let running = 0;
    let most = 0;
    const scanned: string[] = [];
    const scan: ScanFn = async (f, name, signal) => {
      most = Math.max(most, ++running);
      try {
        scanned.push(name);
        return await scanNetcdf(f, name, signal);
      } finally {
        running--;
      }
    };
    const progress: number[] = [];
    const refs = await scanFiles(source, ['a.nc', 'b.nc', 'c.nc'], { scan, concurrency: 2, onProgress: (d, t) => progress.push(d * 10 + t) });
    expect(refs.map((r) => dimensionsOf(r).dims.time)).toEqual([8, 5, 8]);
    expect(progress).toEqual([3, 13, 23, 33]);
    expect(most).toBe(2);

    scanned.length = 0;
    const controller = new AbortController();
    const cancelled = scanFiles(source, ['a.nc', 'b.nc', 'c.nc'], { scan, concurrency: 1, signal: controller.signal, onProgress: (d) => d === 1 && controller.abort(new Error('cancelled by the user')) });
    await expect(cancelled).rejects.toThrow('cancelled by the user');
    expect(scanned).toEqual(['a.nc']);
  });
});

describe('picking the files to combine', () => {
  it('takes NetCDF/HDF5 objects directly in the folder, by name', () => {
    expect(combinableNames('runs/', ['runs/b.nc', 'runs/a.h5', 'runs/notes.txt', 'runs/sub/c.nc', 'other/d.nc', 'runs/e.nc4'])).toEqual(['a.h5', 'b.nc', 'e.nc4']);
    expect(combinableNames('', ['x.nc', 'y/z.nc'])).toEqual(['x.nc']);
  });
});
