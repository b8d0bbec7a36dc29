/**
 * The HDF5 reader against the HDF5 library itself: chunk locations equal
 * h5py's for every chunk of every chunked dataset (and hold the bytes HDF5
 * reads there), and the
 * references, opened by xarray through fsspec's reference:// file system,
 * give the same values, dimensions and attributes as xarray opening the file.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as zarr from 'zarrita';
import { Hdf5Error, type Hdf5References, hdf5References, openScientific, registerFletcher32, scanNetcdf, sniffFormat, looksLikeNetcdfName } from '../../../src/lib/hdf5';
import { Fletcher32Codec, fletcher32 } from '../../../src/lib/hdf5/fletcher32';
import type { References } from '../../../src/lib/refs/types';
import { ScannedLookup } from '../../../src/lib/refs/lookup';
import { compareWithXarray, fileReader, type Fixtures, makeFixtures, PYTHON } from './fixtures';

// xarray and h5py run in Python processes: slower than the default 5 s on a shared 2-core machine.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

let fx: Fixtures;
beforeAll(() => {
  fx = makeFixtures();
});
afterAll(() => fx?.cleanup());

async function refsOf(name: string, url = join(fx.dir, name)) {
  const f = fileReader(join(fx.dir, name));
  try {
    return { ...(await openScientific(f.read, f.size, url)), requests: f.requests, size: f.size };
  } finally {
    f.close();
  }
}

const HDF5_FILES: { name: string; engine: string; groups: string[]; dims: boolean }[] = [
  { name: 'nc4-chunked.nc', engine: 'netcdf4', groups: ['/', '/forecast', '/forecast/members'], dims: true },
  { name: 'nc4-many-vars.nc', engine: 'netcdf4', groups: ['/'], dims: true },
  { name: 'nc4-classic.nc', engine: 'netcdf4', groups: ['/'], dims: true },
  { name: 'h5netcdf.nc', engine: 'h5netcdf', groups: ['/'], dims: true },
  // h5py files have no dimension scales: netCDF-C and Tessera number phony dimensions differently.
  { name: 'h5-earliest.h5', engine: 'netcdf4', groups: ['/', '/group', '/group/deeper'], dims: false },
  { name: 'h5-latest.h5', engine: 'netcdf4', groups: ['/', '/loop', '/loop/deeper'], dims: false },
];

/** User blocks the fixture script writes (h5py `userblock_size`). */
const USERBLOCK: Record<string, number> = { 'h5-earliest.h5': 512 };

describe('chunk locations equal what HDF5 reads (h5py get_chunk_info_by_coord, read_direct_chunk)', () => {
  for (const name of ['nc4-chunked.nc', 'nc4-many-vars.nc', 'nc4-classic.nc', 'h5netcdf.nc', 'h5-earliest.h5', 'h5-latest.h5']) {
    it(name, async () => {
      const { refs, skipped } = await refsOf(name);
      expect(skipped).toEqual([]);
      const file = readFileSync(join(fx.dir, name));
      let n = 0;
      for (const [path, rows] of Object.entries(fx.chunks[name]!)) {
        const key = path.slice(1);
        const mine = Object.keys(refs.refs).filter((k) => k.startsWith(`${key}/`) && /^[\d.]+$/.test(k.slice(key.length + 1)));
        expect(mine.length, path).toBe(rows.length);
        for (const [coords, offset, size, sha1] of rows) {
          const r = refs.refs[`${key}/${coords.join('.') || '0'}`] as [string, number, number];
          const where = `${path} chunk ${coords.join('.')}`;
          expect(r, where).toHaveLength(3);
          expect(r[0]).toBe(join(fx.dir, name));
          // HDF5 gives addresses relative to the base address, past the user block; references need absolute offsets.
          if (offset !== null) expect(r[1], where).toBe(offset + (USERBLOCK[name] ?? 0));
          expect(r[2], where).toBe(size);
          expect(createHash('sha1').update(file.subarray(r[1], r[1] + r[2])).digest('hex'), where).toBe(sha1);
          n++;
        }
      }
      expect(n).toBeGreaterThan(0);
    });
  }
});

describe('xarray opens the references with the values of the file', () => {
  for (const f of HDF5_FILES) {
    it(f.name, async () => {
      const { refs } = await refsOf(f.name);
      const r = compareWithXarray(join(fx.dir, f.name), refs, f.engine, f.groups, f.dims);
      expect(r.problems).toEqual([]);
      expect(r.checked.length).toBeGreaterThan(0);
    });
  }
});

describe('what each file holds', () => {
  it('maps netCDF-4 conventions: dimension scales, dimension-only scales, hidden attributes, groups', async () => {
    const { refs } = await refsOf('nc4-chunked.nc');
    const j = (k: string) => JSON.parse(refs.refs[k] as string) as Record<string, unknown>;
    expect(j('tas/.zattrs')._ARRAY_DIMENSIONS).toEqual(['time', 'lat', 'lon']);
    expect(j('forecast/wind/.zattrs')._ARRAY_DIMENSIONS).toEqual(['step', 'lat']);
    expect(j('label/.zattrs')._ARRAY_DIMENSIONS).toEqual(['lat', 'nchar']);
    expect(refs.refs['nchar/.zarray']).toBeUndefined(); // a dimension without a variable
    for (const k of Object.keys(refs.refs).filter((k) => k.endsWith('.zattrs'))) {
      for (const hidden of ['CLASS', 'NAME', 'DIMENSION_LIST', 'REFERENCE_LIST', '_Netcdf4Dimid', '_NCProperties', '_FillValue']) expect(j(k), k).not.toHaveProperty(hidden);
    }
    expect(j('.zattrs')).toMatchObject({ vlen_note: 'a variable-length string', numbers: [1.5, 2.5, 3.5] });
    expect(j('tas/.zarray')).toMatchObject({ fill_value: -9999, chunks: [2, 16, 20], dtype: '<f4', filters: [{ id: 'shuffle', elementsize: 4 }, { id: 'zlib', level: 4 }] });
    expect(j('big_endian/.zarray').dtype).toBe('>f8');
    expect(j('checked/.zarray').filters).toEqual([{ id: 'fletcher32' }]);
    expect(refs.refs['count64/.zarray']).toContain('"fill_value":-9223372036854775806');
    expect(refs.refs['forecast/.zgroup']).toBe('{"zarr_format":2}');
  });

  it('reads every layout-4 chunk index and compact data (h5py libver="latest")', async () => {
    const { refs } = await refsOf('h5-latest.h5');
    const j = (k: string) => JSON.parse(refs.refs[k] as string) as Record<string, unknown>;
    expect(refs.refs['compact/0.0']).toMatch(/^base64:/);
    expect(j('two_unlimited/.zarray').filters).toEqual([{ id: 'zlib', level: 4 }, { id: 'fletcher32' }]);
    expect(j('.zattrs')).toMatchObject({ vlen_string: 'variable length', fixed_string: 'fixed length', ints: [0, 1, 2, 3] });
    expect(Object.keys(j('loop/.zattrs'))).toHaveLength(12); // dense attribute storage
  });

  it('opens a whole file with few requests', async () => {
    const r = await refsOf('nc4-chunked.nc');
    expect(r.requests).toBeLessThanOrEqual(2);
  });
});

describe('chunks decode through zarrita as xarray reads them', () => {
  it('deflate + shuffle, fletcher32, big-endian, compact and every chunk index', async () => {
    registerFletcher32();
    const cases: [string, string[]][] = [
      ['nc4-chunked.nc', ['tas', 'checked', 'big_endian', 'contig', 'forecast/wind', 'count64']],
      ['h5-latest.h5', ['fixed_chunks', 'single_chunk', 'paged_farray', 'one_unlimited', 'unlimited_second', 'two_unlimited', 'fletcher', 'compact', 'contiguous']],
      ['h5-earliest.h5', ['fixed_chunks', 'two_unlimited', 'compact']],
    ];
    for (const [name, vars] of cases) {
      const { refs } = await refsOf(name);
      const file = readFileSync(join(fx.dir, name));
      const store = refStore(refs, file);
      const expected = JSON.parse(
        execFileSync(PYTHON, ['-c', `import h5py, json, sys\nf = h5py.File(sys.argv[1])\nprint(json.dumps({v: f[v][()].ravel().tolist() for v in sys.argv[2:]}))`, join(fx.dir, name), ...vars], { encoding: 'utf8' }),
      ) as Record<string, number[]>;
      for (const v of vars) {
        const arr = await zarr.open.v2(zarr.root(store).resolve(v), { kind: 'array' });
        const got = await zarr.get(arr).catch((e: unknown) => {
          throw new Error(`${name}:${v}`, { cause: e });
        });
        const values = Array.from(got.data as ArrayLike<number | bigint>, Number);
        expect(values, `${name}:${v}`).toEqual(expected[v]!.map(Number));
      }
    }
  });
});

/** A read-only zarrita store over references to one local file (a seam for this test only). */
function refStore(refs: References, file: Uint8Array) {
  return {
    async get(key: string): Promise<Uint8Array | undefined> {
      const r = refs.refs[key.replace(/^\//, '')];
      if (r === undefined) return undefined;
      if (typeof r === 'string') return r.startsWith('base64:') ? new Uint8Array(Buffer.from(r.slice(7), 'base64')) : new TextEncoder().encode(r);
      if (r.length === 1) return file;
      return new Uint8Array(file.subarray(r[1], r[1] + r[2])); // a copy: Buffer#slice is a view
    },
  };
}

describe('fletcher32', () => {
  it('matches HDF5 on every checked chunk and rejects a flipped byte', async () => {
    const { refs } = await refsOf('h5-latest.h5');
    const file = readFileSync(join(fx.dir, 'h5-latest.h5'));
    const codec = new Fletcher32Codec();
    let n = 0;
    for (const [k, r] of Object.entries(refs.refs)) {
      if (!k.startsWith('fletcher/') || typeof r === 'string' || r.length !== 3) continue;
      const chunk = file.subarray(r[1], r[1] + r[2]);
      expect(codec.decode(chunk).length).toBe(chunk.length - 4);
      const bad = chunk.slice();
      bad[3]! ^= 1;
      expect(() => codec.decode(bad)).toThrow(/checksum/);
      n++;
    }
    expect(n).toBe(4);
  });

  it('round-trips odd lengths and long inputs (folding every 360 words)', () => {
    const codec = new Fletcher32Codec();
    for (const len of [0, 1, 2, 3, 719, 720, 721, 5000]) {
      const data = Uint8Array.from({ length: len }, (_, i) => (i * 7919) & 255);
      expect(codec.decode(codec.encode(data))).toEqual(data);
    }
    // Known answers of the byte-pair Fletcher-32 HDF5 uses (big-endian 16-bit words).
    expect(fletcher32(new TextEncoder().encode('abcde'))).toBe(0x4ff029c7); // the HDF5 variant of Fletcher-32('abcde'), 0xf04fc729 with little-endian words
  });
});

describe('the sniffer', () => {
  it('knows HDF5 (also after a user block), NetCDF-3, and nothing else', async () => {
    const head = (name: string, n = 2048) => readFileSync(join(fx.dir, name)).subarray(0, n);
    expect(sniffFormat(head('nc4-chunked.nc'))).toBe('hdf5');
    expect(sniffFormat(head('h5-earliest.h5'))).toBe('hdf5'); // signature at 512
    expect(sniffFormat(head('nc3-classic.nc'))).toBe('netcdf3');
    expect(sniffFormat(head('nc3-64bit.nc'))).toBe('netcdf3');
    expect(sniffFormat(new TextEncoder().encode('{"version": 1}'))).toBeUndefined();
    for (const k of ['a.nc', 'b/c.NC4', 'x.h5', 'y.hdf5', 'z.he5']) expect(looksLikeNetcdfName(k)).toBe(true);
    for (const k of ['a.zarr/', 'b.json', 'nc', 'x.h5.txt']) expect(looksLikeNetcdfName(k)).toBe(false);
  });
});

describe('hostile files', () => {
  it('a truncated file fails with a structured error, not a crash', async () => {
    const bytes = readFileSync(join(fx.dir, 'nc4-chunked.nc'));
    for (const cut of [8, 100, 2000, 5000, 20000]) {
      const part = bytes.subarray(0, cut);
      const res: Hdf5References | Error = await hdf5References(async (o, n) => part.subarray(o, o + n), part.length, 'x').catch((e: unknown) => e as Error);
      if (res instanceof Error) expect(res).toBeInstanceOf(Hdf5Error);
      else expect(res.skipped.length).toBeGreaterThan(0);
    }
  });

  it('corrupted metadata bytes give structured errors or skipped variables, never a hang or a TypeError', async () => {
    const bytes = readFileSync(join(fx.dir, 'h5-latest.h5'));
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let trial = 0; trial < 150; trial++) {
      const copy = bytes.slice();
      for (let k = 0; k < 4; k++) copy[Math.floor(rand() * 4096)] = Math.floor(rand() * 256);
      const res: Hdf5References | Error = await hdf5References(async (o, n) => copy.subarray(o, o + n), copy.length, 'x').catch((e: unknown) => e as Error);
      if (res instanceof Error) expect(res, String(res.stack)).toBeInstanceOf(Hdf5Error);
      else for (const [, r] of Object.entries(res.refs.refs)) if (Array.isArray(r) && r.length === 3) expect(r[1] + r[2]).toBeLessThanOrEqual(copy.length);
    }
  });

  it('refuses addresses beyond the end of the object', async () => {
    const bytes = readFileSync(join(fx.dir, 'nc4-chunked.nc'));
    const copy = bytes.slice();
    // Superblock v0 root entry object header address -> far beyond the end.
    const view = new DataView(copy.buffer);
    const sbVersion = copy[8]!;
    const rootAt = sbVersion < 2 ? 24 + 4 * 8 + 8 : 12 + 3 * 8;
    view.setBigUint64(rootAt, 1n << 40n, true);
    await expect(hdf5References(async (o, n) => copy.subarray(o, o + n), copy.length, 'x')).rejects.toBeInstanceOf(Hdf5Error);
  });
});

describe('the scanner (size unknown, as through a presigned GET)', () => {
  it('gives the same references as a read that knows the size, for every fixture', async () => {
    for (const name of ['nc4-chunked.nc', 'h5-earliest.h5', 'h5-latest.h5', 'h5netcdf.nc', 'nc3-classic.nc', 'nc3-64bit.nc', 'nc3-one-record-var.nc', 'nc3-cdf5.nc']) {
      const file = readFileSync(join(fx.dir, name));
      // Like S3: a range past the end is cut short; one starting past the end is refused.
      const source = {
        get: async (key: string, range?: { offset: number; length: number }) => {
          expect(key).toBe(name);
          if (!range) return new Uint8Array(file);
          if (range.offset >= file.length) throw new Error('416 Range Not Satisfiable');
          return new Uint8Array(file.subarray(range.offset, range.offset + range.length));
        },
      };
      const scanned = await scanNetcdf(source, name);
      const known = await refsOf(name, name);
      expect(scanned.skipped, name).toEqual([]);
      expect(scanned.refs, name).toEqual(known.refs.refs);
    }
  });
});

describe('chunks found when read (lazyChunks, as a dataset view opens a file)', () => {
  /** The file read by ranges, with the requests counted. */
  const sourceOf = (path: string, name: string) => {
    const file = readFileSync(path);
    const s = {
      requests: 0,
      get: async (key: string, range?: { offset: number; length: number }) => {
        expect(key).toBe(name);
        s.requests++;
        return new Uint8Array(range ? file.subarray(range.offset, range.offset + range.length) : file);
      },
    };
    return s;
  };

  it('finds every chunk where the full listing has it, and nothing where it has none, for every fixture', async () => {
    for (const name of ['nc4-chunked.nc', 'nc4-many-vars.nc', 'nc4-classic.nc', 'h5netcdf.nc', 'h5-earliest.h5', 'h5-latest.h5']) {
      const eager = await scanNetcdf(sourceOf(join(fx.dir, name), name), name);
      const lazy = await scanNetcdf(sourceOf(join(fx.dir, name), name), name, undefined, { lazyChunks: true });
      expect(lazy.skipped, name).toEqual(eager.skipped);
      const lookup = new ScannedLookup({ version: 1, refs: lazy.refs }, lazy.lazy ?? new Map());
      for (const [key, ref] of Object.entries(eager.refs)) expect(await lookup.get(key), `${name} ${key}`).toEqual(ref);
      // Inside the grid but never written, outside it, and not a chunk key at all.
      for (const array of lazy.lazy?.keys() ?? []) {
        const rank = (JSON.parse(lazy.refs[`${array}/.zarray`] as string) as { shape: number[] }).shape.length;
        for (const key of [Array(rank).fill(999_999).join('.'), Array(rank + 1).fill(0).join('.'), 'x']) {
          if (!(`${array}/${key}` in eager.refs)) expect(await lookup.get(`${array}/${key}`), `${name} ${array}/${key}`).toBeUndefined();
        }
      }
      expect((await lookup.all()).refs, name).toEqual(eager.refs);
    }
  });

  it('opens a file of many chunks without reading its chunk index, then reads one B-tree path per chunk', async () => {
    // 400 x 64 x 64 in 1 x 32 x 32 chunks: 1,600 chunks of 4 KiB (noise: deflate keeps them large), a
    // B-tree of two levels (netCDF-C: at most 64 per node) whose leaves lie between the chunks, across 6 MiB.
    const path = join(fx.dir, 'many-chunks.nc');
    execFileSync(PYTHON, ['-c', `
import netCDF4, numpy as np
with netCDF4.Dataset(${JSON.stringify(path)}, 'w') as ds:
    ds.createDimension('time', None); ds.createDimension('y', 64); ds.createDimension('x', 64)
    v = ds.createVariable('v', 'f4', ('time', 'y', 'x'), zlib=True, shuffle=True, chunksizes=(1, 32, 32))
    rng = np.random.default_rng(1)
    for i in range(400):
        v[i] = rng.standard_normal((64, 64)).astype('f4')
`]);
    const eagerSource = sourceOf(path, 'many-chunks.nc');
    const eager = await scanNetcdf(eagerSource, 'many-chunks.nc');
    expect(Object.keys(eager.refs).filter((k) => /^v\/\d/.test(k))).toHaveLength(1600);
    const source = sourceOf(path, 'many-chunks.nc');
    const lazy = await scanNetcdf(source, 'many-chunks.nc', undefined, { lazyChunks: true });
    expect(Object.keys(lazy.refs).filter((k) => /^v\/\d/.test(k))).toEqual([]);
    const opened = source.requests;
    expect(opened).toBeLessThan(eagerSource.requests);
    const lookup = new ScannedLookup({ version: 1, refs: lazy.refs }, lazy.lazy!);
    // The four chunks of the first time step share one leaf: one more read at most.
    const first = await Promise.all(['v/0.0.0', 'v/0.0.1', 'v/0.1.0', 'v/0.1.1'].map((k) => lookup.get(k)));
    expect(first).toEqual(['v/0.0.0', 'v/0.0.1', 'v/0.1.0', 'v/0.1.1'].map((k) => eager.refs[k]));
    expect(source.requests - opened).toBeLessThanOrEqual(1);
    expect(await lookup.get('v/399.1.1')).toEqual(eager.refs['v/399.1.1']);
    expect(await lookup.get('v/400.0.0')).toBeUndefined();
    expect((await lookup.all()).refs).toEqual(eager.refs);
  });
});
