import { describe, expect, it } from 'vitest';
import { SliceSession, type Tile } from '../../../src/lib/zarr/slice-session';
import { pythonSnippet } from '../../../src/lib/zarr/python';
import { le, MemorySource, v2Array } from './memory-source';
import { colormap } from '../../../src/lib/colormap/index';

/** The red channel of greys at value v (0..34). */
const colormapGrey = (v: number, index: (v: number) => number) => colormap('greys').lut[index(v) * 3];

/** y(4) x x(6) float32, chunks 2x3, values y*10 + x, one NaN; lat coordinate. */
function store(): MemorySource {
  const src = new MemorySource().json('.zgroup', { zarr_format: 2 }).json('.zattrs', {});
  v2Array(src, 'lat', { shape: [4], chunks: [4], dtype: '<f4', dims: ['lat'] });
  src.files.set('lat/0', le(new Float32Array([-30, -10, 10, 30])));
  v2Array(src, 't', { shape: [4, 6], chunks: [2, 3], dtype: '<f4', dims: ['lat', 'x'], fill: 'NaN', attrs: { units: 'K' } });
  for (let cy = 0; cy < 2; cy++)
    for (let cx = 0; cx < 2; cx++) {
      const c = new Float32Array(6);
      for (let y = 0; y < 2; y++) for (let x = 0; x < 3; x++) c[y * 3 + x] = (cy * 2 + y) * 10 + cx * 3 + x;
      if (cy === 1 && cx === 1) c[5] = NaN;
      src.files.set(`t/${cy}.${cx}`, le(c));
    }
  return src;
}

describe('the Zarr worker session', () => {
  it('picks a diverging map for data around zero before the first tile, unless the user chose one', async () => {
    const s = new SliceSession();
    await s.open(store());
    const req = { id: 3, name: 'lat', sel: { index: [0], free: [0] }, cmap: 'viridis' as const, range: null, robust: false };
    const tiles: Tile[] = [];
    const auto = await s.drawSlice({ ...req, autoCmap: true }, (t) => tiles.push(t));
    if ('error' in auto) throw new Error(auto.error.message);
    expect(auto.cmap).toBe('RdBu_r');
    expect(auto.range).toEqual({ min: -30, max: 30, diverging: true });
    // The tile was painted with the diverging map too: same pixels as the final picture.
    expect(Array.from(tiles[0]!.rgba)).toEqual(Array.from(auto.rgba));
    const chosen = await s.drawSlice({ ...req, id: 4 }, () => undefined);
    if ('error' in chosen) throw new Error(chosen.error.message);
    expect(chosen.cmap).toBe('viridis');
    expect(Array.from(chosen.rgba)).not.toEqual(Array.from(auto.rgba));
  });

  it('paints every step-th row and column when asked: tiles and picture in image pixels, values kept whole', async () => {
    const s = new SliceSession();
    await s.open(store());
    const tiles: Tile[] = [];
    const req = { id: 5, name: 't', sel: { index: [0, 0], free: [0, 1] }, cmap: 'greys' as const, range: { min: 0, max: 34 }, robust: false };
    const r = await s.drawSlice({ ...req, step: 2 }, (t) => tiles.push(t));
    if ('error' in r) throw new Error(r.error.message);
    // 4 x 6 values at step 2: a 2 x 3 image of rows 0, 2 and columns 0, 2, 4.
    expect(r).toMatchObject({ width: 6, height: 4, step: 2, finite: 23 });
    expect(r.rgba.length).toBe(2 * 3 * 4);
    const grey = (v: number) => (v * (255 / 34) + 0.5) | 0;
    const red = Array.from({ length: 6 }, (_, i) => r.rgba[i * 4]);
    expect(red).toEqual([0, 2, 4, 20, 22, 24].map((v) => colormapGrey(v, grey)));
    // Chunk (1, 1) covers rows 2-3, columns 3-5: on the step grid, row 2 and column 4 = image (1, 2).
    expect(tiles.map((t) => [t.y0, t.x0, t.h, t.w]).sort()).toEqual([[0, 0, 1, 2], [0, 2, 1, 1], [1, 0, 1, 2], [1, 2, 1, 1]]);
    // Hover still reads every value, and a finer step repaints from them.
    expect(s.valueAt(5, 3, 3)).toBe(33);
    expect(s.recolor(5, 'greys', { min: 0, max: 34 }, 1)!.length).toBe(6 * 4 * 4);
    expect(Array.from(s.recolor(5, 'greys', { min: 0, max: 34 }, 2)!)).toEqual(Array.from(r.rgba));
  });

  it('draws a slice tile by tile, then answers hover, recolour, CSV', async () => {
    const s = new SliceSession();
    const opened = await s.open(store());
    expect('info' in opened && opened.info.dataVars.map((v) => v.name)).toEqual(['t']);
    const coords = await s.coords();
    expect(coords.coords.lat!.labels).toEqual(['-30', '-10', '10', '30']);
    const tiles: Tile[] = [];
    const r = await s.drawSlice({ id: 1, name: 't', sel: { index: [0, 0], free: [0, 1] }, cmap: 'viridis', range: null, robust: false }, (t) => tiles.push(t));
    if ('error' in r) throw new Error(r.error.message);
    expect(tiles.map((t) => [t.y0, t.x0, t.h, t.w, t.rgba.length])).toEqual(expect.arrayContaining([[0, 0, 2, 3, 24], [2, 3, 2, 3, 24]]));
    expect(r).toMatchObject({ width: 6, height: 4, finite: 23, min: 0, max: 34, failures: [] });
    expect(r.range).toEqual({ min: 0, max: 34, diverging: false });
    // NaN is transparent, the rest opaque.
    const alpha = (y: number, x: number) => r.rgba[(y * 6 + x) * 4 + 3];
    expect(alpha(3, 5)).toBe(0);
    expect(alpha(0, 0)).toBe(255);
    expect(s.valueAt(1, 2, 4)).toBe(24);
    expect(Number.isNaN(s.valueAt(1, 3, 5))).toBe(true);
    expect(s.valueAt(1, 9, 9)).toBeNull();
    expect(s.valueAt(2, 0, 0)).toBeNull();
    const grey = s.recolor(1, 'greys', { min: 0, max: 34 })!;
    expect(Array.from(grey.subarray(0, 4))).toEqual([0, 0, 0, 255]);
    const csv = s.csv(1, 'lat', 'x', coords.coords.lat!.labels, null, 't')!.split('\n');
    expect(csv[0]).toBe('lat,x,t');
    expect(csv[1]).toBe('-30,0,0');
    expect(csv[24]).toBe('30,5,');
    const series = await s.series('t', [0, 4], 0);
    expect('values' in series && series.values).toEqual([4, 14, 24, 34]);
  });

  it('starts fetching the default picture when the dataset opens, and reads each chunk once', async () => {
    const src = store();
    const s = new SliceSession();
    await s.open(src);
    const early = src.reads.filter((k) => /^t\/\d/.test(k));
    expect(early.sort()).toEqual(['t/0.0', 't/0.1', 't/1.0', 't/1.1']);
    const r = await s.drawSlice({ id: 7, name: 't', sel: { index: [0, 0], free: [0, 1] }, cmap: 'viridis', range: null, robust: true }, () => undefined);
    expect('rgba' in r).toBe(true);
    expect(src.reads.filter((k) => /^t\/\d/.test(k))).toHaveLength(4);
  });

  it('refuses a read over the budget until told to go ahead', async () => {
    const s = new SliceSession();
    await s.open(store());
    const req = { id: 3, name: 't', sel: { index: [0, 0], free: [0, 1] }, cmap: 'viridis' as const, range: null, robust: true, budgetBytes: 50 };
    const r = await s.drawSlice(req, () => undefined);
    expect(r).toEqual({ error: { kind: 'over-budget', message: expect.stringMatching(/4 chunks.*budget/) } });
    const forced = await s.drawSlice({ ...req, force: true }, () => undefined);
    expect('rgba' in forced).toBe(true);
    const plan = await s.plan('t', req.sel, 50);
    expect(plan).toMatchObject({ chunks: 4, decodedBytes: 96, storedBytes: 96, warning: expect.stringContaining('budget') });
  });

  it('reports a store that cannot be opened as a plain failure', async () => {
    const r = await new SliceSession().open(new MemorySource());
    expect(r).toEqual({ error: { kind: 'not-zarr', message: expect.stringContaining('No Zarr metadata') } });
  });
});

describe('reproduce in xarray', () => {
  it('opens the same store and selection', () => {
    const v = { name: 'tas', dims: ['time', 'lat', 'lon'], shape: [6, 18, 36] } as Parameters<typeof pythonSnippet>[1];
    const py = pythonSnippet({ kind: 's3', bucket: 'b', path: 'data/cf.zarr/' }, v, [2, 0, 0], [1, 2], 'https://t-o.s3-ext.jc.rl.ac.uk');
    expect(py).toContain('s3fs.S3Map(root="b/data/cf.zarr"');
    expect(py).toContain('"endpoint_url": "https://t-o.s3-ext.jc.rl.ac.uk"');
    expect(py).toContain('da = ds["tas"].isel(time=2)');
    expect(py).toContain('da.plot(x="lon", y="lat", robust=True)');
    expect(pythonSnippet({ kind: 'url', url: 'https://h/b/x.zarr/' }, null, [], [])).toContain('xr.open_zarr("https://h/b/x.zarr")');
  });

  it('answers for the dataset open now once a reused worker opens another: its 2-D coordinates, nothing for the old slice', async () => {
    /** v(y 2, x 3) with the 2-D coordinate lat(y, x) = base + y*10 + x. */
    const curvilinear = (base: number) => {
      const src = new MemorySource().json('.zgroup', { zarr_format: 2 }).json('.zattrs', {});
      v2Array(src, 'lat', { shape: [2, 3], chunks: [2, 3], dtype: '<f4', dims: ['y', 'x'] });
      src.files.set('lat/0.0', le(new Float32Array([0, 1, 2, 10, 11, 12].map((v) => base + v))));
      v2Array(src, 'v', { shape: [2, 3], chunks: [2, 3], dtype: '<f4', dims: ['y', 'x'], attrs: { coordinates: 'lat' } });
      src.files.set('v/0.0', le(new Float32Array([1, 2, 3, 4, 5, 6].map((v) => base + v))));
      return src;
    };
    const s = new SliceSession();
    await s.open(curvilinear(100));
    const req = { id: 1, name: 'v', sel: { index: [0, 0], free: [0, 1] }, cmap: 'viridis' as const, range: null, robust: false };
    expect('error' in (await s.drawSlice(req, () => undefined))).toBe(false);
    expect(s.valueAt(1, 1, 2)).toBe(106);
    expect(await s.coordsAt(['lat'], 1, 2)).toEqual(['112']);
    await s.open(curvilinear(200));
    expect(s.valueAt(1, 1, 2)).toBeNull();
    expect(s.csv(1, 'y', 'x', null, null, 'v')).toBeNull();
    expect(await s.coordsAt(['lat'], 1, 2)).toEqual(['212']);
    expect('error' in (await s.drawSlice({ ...req, id: 2 }, () => undefined))).toBe(false);
    expect(s.valueAt(2, 1, 2)).toBe(206);
  });
});
