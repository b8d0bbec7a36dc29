import { describe, expect, it } from 'vitest';
import { splitAtSeam, flatPathData } from '../../../src/lib/geo/lines';
import { wrapLon, AxisLookup } from '../../../src/lib/geo/axis';
import { geoGrid } from '../../../src/lib/geo/sample';

describe('longitude wrapping', () => {
  it('wraps into the 360° from the western edge', () => {
    for (const west of [-180, 0, -0.5, 20]) {
      for (let lon = -720; lon <= 720; lon += 7.5) {
        const w = wrapLon(lon, west);
        expect(w).toBeGreaterThanOrEqual(west);
        expect(w).toBeLessThan(west + 360);
        expect(Math.abs((((w - lon) % 360) + 360) % 360)).toBeCloseTo(0, 9);
      }
    }
  });

  it('finds the cell of a longitude on 0..360 and -180..180 grids alike', () => {
    const east = new AxisLookup(Array.from({ length: 360 }, (_, i) => i + 0.5), true);
    const mid = new AxisLookup(Array.from({ length: 360 }, (_, i) => -179.5 + i), true);
    expect(east.periodic).toBe(true);
    expect(east.cell(-0.2, true)).toBe(359);
    expect(east.cell(359.99, true)).toBe(359);
    expect(east.cell(360, true)).toBe(0);
    expect(mid.cell(180, true)).toBe(0);
    expect(mid.cell(-180, true)).toBe(0);
    expect(mid.cell(179.7, true)).toBe(359);
    expect(mid.cell(10.2, true)).toBe(190);
    expect(east.cell(-170.2, true)).toBe(189);
  });

  it('reads descending and uneven axes', () => {
    const lat = new AxisLookup([80, 60, 45, 40, 0, -30], false);
    expect(lat.cell(90, false)).toBe(0);
    expect(lat.cell(71, false)).toBe(0);
    expect(lat.cell(69, false)).toBe(1);
    expect(lat.cell(42, false)).toBe(3);
    expect(lat.cell(-45, false)).toBe(5);
    expect(lat.cell(-46, false)).toBe(-1);
    expect(lat.position(60, false)).toBeCloseTo(1, 12);
    expect(lat.position(20, false)).toBeCloseTo(3.5, 12);
    const regional = new AxisLookup([200, 210, 220], true);
    expect(regional.periodic).toBe(false);
    expect(regional.cell(-150, true)).toBe(1);
    expect(regional.cell(0, true)).toBe(-1);
  });
});

describe('seam splitting', () => {
  it('cuts a line crossing the seam and interpolates both edges', () => {
    expect(splitAtSeam([[350, 0], [10, 10]], 0)).toEqual([[[350, 0], [360, 5]], [[0, 5], [10, 10]]]);
    expect(splitAtSeam([[-170, 0], [170, 10]], -180)).toEqual([[[-170, 0], [-180, 5]], [[180, 5], [170, 10]]]);
    // The same line given in 0..360 or -180..180 longitudes.
    expect(splitAtSeam([[-10, 0], [10, 10]], 0)).toEqual(splitAtSeam([[350, 0], [10, 10]], 0));
  });

  it('leaves a line alone that does not cross it', () => {
    expect(splitAtSeam([[10, 0], [20, 5], [30, 0]], 0)).toEqual([[[10, 0], [20, 5], [30, 0]]]);
    expect(splitAtSeam([[170, 0], [-170, 0]], 0)).toEqual([[[170, 0], [190, 0]]]);
  });

  it('keeps every point within the wrapped range and never jumps across the map', () => {
    // A line round the world at 45°N, in steps of 7°, starting anywhere.
    for (const west of [-180, 0]) {
      for (let start = -300; start < 300; start += 37) {
        const line = Array.from({ length: 60 }, (_, k) => [start + 7 * k, 45] as [number, number]);
        const parts = splitAtSeam(line, west);
        for (const p of parts) {
          for (let k = 0; k < p.length; k++) {
            expect(p[k]![0]).toBeGreaterThanOrEqual(west);
            expect(p[k]![0]).toBeLessThanOrEqual(west + 360);
            if (k) expect(Math.abs(p[k]![0] - p[k - 1]![0])).toBeLessThanOrEqual(7 + 1e-9);
          }
        }
        expect(parts.length).toBeGreaterThanOrEqual(2);
      }
    }
  });

  it('draws a point where its cell is drawn, for 0..360 and descending latitudes', () => {
    const lon = Array.from({ length: 36 }, (_, i) => 5 + i * 10);
    const lat = Array.from({ length: 18 }, (_, j) => 85 - j * 10);
    const g = geoGrid(lon, lat, true);
    const view = { scale: 2, tx: 10, ty: 20, flipY: false, width: 36, height: 18 };
    // Cell (j=2, i=34) is lon 345, lat 65: its centre at tx + 34.5 * 2, ty + 2.5 * 2.
    expect(flatPathData([[[-15, 65], [-15, 65.0001]]], g, view)).toMatch(/^M79\.0,25\.0L/);
    const up = geoGrid(lon, [...lat].reverse(), true);
    expect(flatPathData([[[-15, 65], [-15, 65.0001]]], up, { ...view, flipY: true })).toMatch(/^M79\.0,25\.0L/);
  });
});
