import { describe, expect, it } from 'vitest';
import * as zarr from 'zarrita';
import { ZarrDataset } from '../../../src/lib/zarr/open';
import { budgetWarning } from '../../../src/lib/zarr/plan';
import { le, MemorySource, v2Array } from './memory-source';

const nulls = (a: ArrayLike<number>) => Array.from(a, (v) => (Number.isNaN(v) ? null : v));

/** time(2) x y(3) x x(4) int16 packed, chunks (1, 2, 3), values t*100 + y*10 + x. */
function packedStore(options: { anonymous?: boolean; listable?: boolean } = {}): MemorySource {
  const src = new MemorySource(options).json('.zgroup', { zarr_format: 2 }).json('.zattrs', {});
  v2Array(src, 'time', { shape: [2], chunks: [2], dtype: '<i8', dims: ['time'], attrs: { units: 'hours since 2020-01-01' } });
  src.files.set('time/0', le(new BigInt64Array([0n, 6n])));
  v2Array(src, 'v', { shape: [2, 3, 4], chunks: [1, 2, 3], dtype: '<i2', dims: ['time', 'y', 'x'], fill: -999, attrs: { scale_factor: 0.5, add_offset: 10, units: 'm' } });
  for (let t = 0; t < 2; t++)
    for (let cy = 0; cy < 2; cy++)
      for (let cx = 0; cx < 2; cx++) {
        const chunk = new Int16Array(6);
        for (let y = 0; y < 2; y++) for (let x = 0; x < 3; x++) chunk[y * 3 + x] = t * 100 + (cy * 2 + y) * 10 + cx * 3 + x;
        if (t === 1 && cy === 0 && cx === 0) chunk[0] = -999;
        src.files.set(`v/${t}.${cy}.${cx}`, le(chunk));
      }
  return src;
}

const expected = (t: number) => {
  const out: (number | null)[] = [];
  for (let y = 0; y < 3; y++) for (let x = 0; x < 4; x++) out.push((t * 100 + y * 10 + x) * 0.5 + 10);
  return out;
};

describe('reading slices', () => {
  it('leaves a coordinate whose chunk failed unlabelled (never "NaT"), says why, and reads it again once the failure has passed', async () => {
    const src = packedStore();
    const get = src.get.bind(src);
    let down = true;
    src.get = async (key, range) => {
      if (down && key === 'time/0') throw new TypeError('Failed to fetch');
      return get(key, range);
    };
    const ds = await ZarrDataset.open(src);
    expect(ds.coord('time')).toBeUndefined();
    expect(ds.info.warnings.filter((w) => w.startsWith('The coordinate "time" could not be read: '))).toHaveLength(1);
    expect(ds.coordsMissing).toBe(true);
    // Still down: one warning, not two.
    await ds.loadCoords();
    expect(ds.info.warnings.filter((w) => w.startsWith('The coordinate "time"'))).toHaveLength(1);
    down = false;
    const before = src.reads.length;
    await ds.loadCoords();
    expect(ds.coord('time')!.labels).toEqual(['2020-01-01T00:00:00', '2020-01-01T06:00:00']);
    expect(ds.info.warnings.some((w) => w.startsWith('The coordinate "time"'))).toBe(false);
    expect(ds.coordsMissing).toBe(false);
    // Read: nothing asked again.
    await ds.loadCoords();
    expect(src.reads.slice(before).filter((k) => k === 'time/0')).toHaveLength(1);
  });

  it('does not read again a coordinate whose chunk is broken for good (truncated), and leaves it unlabelled', async () => {
    const src = packedStore();
    src.files.set('time/0', new Uint8Array(5));
    const ds = await ZarrDataset.open(src);
    expect(ds.coord('time')).toBeUndefined();
    expect(ds.info.warnings.find((w) => w.startsWith('The coordinate "time" could not be read: '))).toMatch(/time/);
    expect(ds.coordsMissing).toBe(false);
  });

  it('reads a 2-D slice across chunk edges, unpacked and masked', async () => {
    const ds = await ZarrDataset.open(packedStore());
    expect(ds.coord('time')!.labels).toEqual(['2020-01-01T00:00:00', '2020-01-01T06:00:00']);
    const pieces: number[] = [];
    const r = await ds.read('v', { index: [0, 0, 0], free: [1, 2] }, { onPiece: (p) => pieces.push(p.rows * p.cols) });
    expect(r.shape).toEqual([3, 4]);
    expect(nulls(r.values)).toEqual(expected(0));
    expect(pieces.sort()).toEqual([1, 2, 3, 6]); // 2x3, 2x1, 1x3 and 1x1 pieces of the 3x4 slice
    const r1 = await ds.read('v', { index: [1, 0, 0], free: [1, 2] });
    const e1 = expected(1);
    e1[0] = null;
    expect(nulls(r1.values)).toEqual(e1);
  });

  it('prefetches more chunks than requests in flight without stalling', async () => {
    const ds = await ZarrDataset.open(packedStore());
    const r = await ds.read('v', { index: [0, 0, 0], free: [1, 2] }, { concurrency: 1 });
    expect(nulls(r.values)).toEqual(expected(0));
  });

  it('reads transposed slices and series', async () => {
    const ds = await ZarrDataset.open(packedStore());
    const t = await ds.read('v', { index: [0, 0, 0], free: [2, 1] });
    expect(t.shape).toEqual([4, 3]);
    expect(nulls(t.values).slice(0, 3)).toEqual([10, 15, 20]);
    const s = await ds.read('v', { index: [0, 2, 3], free: [0] });
    expect(nulls(s.values)).toEqual([(23) * 0.5 + 10, (123) * 0.5 + 10]);
  });

  it('shows a missing chunk as fill (NaN) and a truncated one as a failure, keeping the rest', async () => {
    const src = packedStore();
    src.files.delete('v/0.0.0');
    src.files.set('v/0.1.1', src.files.get('v/0.1.1')!.subarray(0, 4));
    const ds = await ZarrDataset.open(src);
    const r = await ds.read('v', { index: [0, 0, 0], free: [1, 2] });
    expect(r.failures).toHaveLength(1);
    expect(r.failures[0]).toMatchObject({ objectKey: '0.1.1' });
    expect(r.failures[0]!.message).toMatch(/0\.1\.1/);
    const v = nulls(r.values);
    expect(v[0]).toBeNull(); // missing chunk: fill value
    expect(v[11]).toBeNull(); // truncated chunk
    expect(v[3]).toBe(expected(0)[3]);
  });

  it('takes 403 as "missing" only on an anonymous store that cannot be listed', async () => {
    const anon = packedStore({ anonymous: true, listable: false });
    anon.missingIs403 = true;
    anon.files.delete('v/0.0.0');
    const ds = await ZarrDataset.open(anon, { extraNames: ['v'] });
    const r = await ds.read('v', { index: [0, 0, 0], free: [1, 2] });
    expect(r.failures).toEqual([]);
    expect(ds.deniedAsMissing).toBe(1);

    const keyed = packedStore();
    keyed.missingIs403 = true;
    keyed.files.delete('v/0.0.0');
    const ds2 = await ZarrDataset.open(keyed);
    const r2 = await ds2.read('v', { index: [0, 0, 0], free: [1, 2] });
    expect(r2.failures.map((f) => f.kind)).toEqual(['access-denied']);
  });

  it('refuses a variable with an unknown codec, naming it', async () => {
    const src = packedStore();
    v2Array(src, 'b', { shape: [2], chunks: [2], dtype: '<f4', dims: ['time'], compressor: { id: 'bz2', level: 9 } });
    const ds = await ZarrDataset.open(src);
    expect(ds.info.warnings.join(' ')).toMatch(/"bz2"/);
    await expect(ds.read('b', { index: [0], free: [0] })).rejects.toThrow(/codec "bz2".*Tessera decodes: .*blosc/);
  });

  it('plans chunks and warns over budget', async () => {
    const ds = await ZarrDataset.open(packedStore());
    const plan = ds.plan('v', { index: [1, 0, 0], free: [1, 2] }, await ds.objectSizes('v'));
    expect(plan.objects.sort()).toEqual(['1.0.0', '1.0.1', '1.1.0', '1.1.1']);
    expect(plan.decodedBytes).toBe(4 * 12);
    expect(plan.storedBytes).toBe(4 * 12);
    expect(budgetWarning(plan, 1000)).toBeNull();
    expect(budgetWarning(plan, 40)).toMatch(/4 chunks/);
    expect(() => ds.plan('v', { index: [5, 0, 0], free: [1, 2] })).toThrow(/outside dimension 0/);
  });

  it('reads every numeric dtype, big-endian included', async () => {
    const src = new MemorySource().json('.zgroup', { zarr_format: 2 });
    const cases: [string, ArrayBufferView, number[]][] = [
      ['|i1', new Int8Array([-1, 2]), [-1, 2]], ['|u1', new Uint8Array([255, 2]), [255, 2]], ['<u2', new Uint16Array([65535, 1]), [65535, 1]],
      ['<i4', new Int32Array([-5, 7]), [-5, 7]], ['<u4', new Uint32Array([4e9, 1]), [4e9, 1]], ['<i8', new BigInt64Array([-3n, 9n]), [-3, 9]],
      ['<u8', new BigUint64Array([2n ** 40n, 1n]), [2 ** 40, 1]], ['<f4', new Float32Array([1.5, -2]), [1.5, -2]], ['<f8', new Float64Array([1e-300, 2]), [1e-300, 2]],
      ['|b1', new Uint8Array([1, 0]), [1, 0]], ['<f2', new Uint16Array([0x3c00, 0xc000]), [1, -2]],
    ];
    cases.forEach(([dtype, data], i) => {
      v2Array(src, `a${i}`, { shape: [2], chunks: [2], dtype, dims: ['n'] });
      src.files.set(`a${i}/0`, le(data));
    });
    v2Array(src, 'be', { shape: [2], chunks: [2], dtype: '>f8', dims: ['n'] });
    const dv = new DataView(new ArrayBuffer(16));
    dv.setFloat64(0, 3.25, false);
    dv.setFloat64(8, -1, false);
    src.files.set('be/0', new Uint8Array(dv.buffer));
    const ds = await ZarrDataset.open(src);
    for (const [i, [, , want]] of cases.entries()) expect(Array.from((await ds.read(`a${i}`, { index: [0], free: [0] })).values), cases[i]![0]).toEqual(want);
    expect(Array.from((await ds.read('be', { index: [0], free: [0] })).values)).toEqual([3.25, -1]);
  });

  it('reads 0-d arrays and v3 arrays written by zarrita', async () => {
    const mem = new Map<string, Uint8Array>();
    const root = zarr.root(mem);
    await zarr.create(root, { attributes: { title: 'v3' } });
    const a = await zarr.create(root.resolve('grid'), { shape: [4, 6], chunkShape: [3, 4], dtype: 'float32', dimensionNames: ['y', 'x'], codecs: [{ name: 'bytes', configuration: { endian: 'little' } }, { name: 'zstd', configuration: { level: 1, checksum: false } }], attributes: { _FillValue: -1 } });
    await zarr.set(a, null, { data: Float32Array.from({ length: 24 }, (_, i) => (i === 5 ? -1 : i)), shape: [4, 6], stride: [6, 1] });
    const s = await zarr.create(root.resolve('scalar'), { shape: [], chunkShape: [], dtype: 'int32' });
    await zarr.set(s, null, 42);
    const src = new MemorySource();
    for (const [k, v] of mem) src.files.set(k.slice(1), v);
    const ds = await ZarrDataset.open(src);
    expect(ds.info.zarrFormat).toBe(3);
    expect(ds.info.attrs).toEqual({ title: 'v3' });
    const g = await ds.read('grid', { index: [0, 0], free: [0, 1] });
    const want: (number | null)[] = Array.from({ length: 24 }, (_, i) => i);
    want[5] = null;
    expect(nulls(g.values)).toEqual(want);
    expect(Array.from((await ds.read('scalar', { index: [], free: [] })).values)).toEqual([42]);
  });
});
