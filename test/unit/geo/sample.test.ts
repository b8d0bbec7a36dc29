import { describe, expect, it } from 'vitest';
import { geoDistance } from 'd3-geo';
import { makeProjection, fitProjection, type ProjectionSpec } from '../../../src/lib/geo/projection';
import { cellAtPoint, cellIndex, geoGrid, invertPoint, pixelCells } from '../../../src/lib/geo/sample';

/** Centres of an n-degree grid: longitudes from `west`, latitudes descending or ascending. */
function grid(step: number, west: number, descending: boolean): { lon: number[]; lat: number[] } {
  const lon = Array.from({ length: 360 / step }, (_, i) => west + step / 2 + i * step);
  const lat = Array.from({ length: 180 / step }, (_, j) => -90 + step / 2 + j * step);
  return { lon, lat: descending ? lat.reverse() : lat };
}

const specs: [string, ProjectionSpec][] = [
  ['Equal Earth', fitProjection('equal-earth', 1280, 720)],
  ['Equal Earth turned and zoomed', fitProjection('equal-earth', 1280, 720, { zoom: 2.5, rotate: [-150, 0], offset: [40, -30] })],
  ['globe', fitProjection('orthographic', 1280, 720)],
  ['globe turned', fitProjection('orthographic', 1280, 720, { rotate: [-200, -35] })],
  ['globe over the pole, zoomed', fitProjection('orthographic', 800, 600, { rotate: [75, -88], zoom: 3 })],
];

const grids = [
  ['0..360, lat descending', grid(2.5, 0, true)],
  ['-180..180, lat ascending', grid(2.5, -180, false)],
  ['1°, 0..360, lat ascending', grid(1, 0, false)],
] as const;

describe('inverse projection sampling against d3-geo', () => {
  for (const [name, spec] of specs) {
    for (const [gname, g] of grids) {
      it(`${name}, ${gname}: cell centres projected by d3-geo land in their own cell`, () => {
        const p = makeProjection(spec);
        const gg = geoGrid(g.lon, g.lat, true);
        let checked = 0;
        for (let j = 0; j < g.lat.length; j += 3) {
          for (let i = 0; i < g.lon.length; i += 3) {
            const lon = g.lon[i]!;
            const lat = g.lat[j]!;
            // Only the points d3 draws: on the near side of the globe, inside the canvas.
            const [x, y] = p([lon, lat]) ?? [NaN, NaN];
            const visible = spec.kind !== 'orthographic' || geoDistance([lon, lat], [-spec.rotate[0], -spec.rotate[1]]) < Math.PI / 2 - 1e-3;
            if (!visible || !(x >= 0 && y >= 0 && x < 1280 && y < 720)) continue;
            expect(cellAtPoint(spec, gg, x, y), `${lon},${lat} at ${x},${y}`).toBe(j * g.lon.length + i);
            checked++;
          }
        }
        expect(checked).toBeGreaterThan(50);
      });
    }
  }

  it('agrees with d3-geo projection.invert wherever the point is on the Earth', () => {
    for (const [, spec] of specs) {
      const p = makeProjection(spec);
      for (let y = 3.5; y < 720; y += 37) {
        for (let x = 1.5; x < 1280; x += 41) {
          const ours = invertPoint(spec, x, y);
          if (!ours) continue;
          const theirs = p.invert!([x, y])!;
          const dLon = ((ours[0] - theirs[0] + 540) % 360) - 180;
          expect(Math.abs(dLon) < 1e-6 || Math.abs(Math.abs(ours[1]) - 90) < 1e-6).toBe(true);
          expect(ours[1]).toBeCloseTo(theirs[1], 6);
          // And d3 takes it back to the same pixel.
          const back = p(ours)!;
          expect(Math.hypot(back[0] - x, back[1] - y)).toBeLessThan(1e-4);
        }
      }
    }
  });

  it('marks pixels off the Earth with -1 and agrees with the point lookup', () => {
    const spec = fitProjection('orthographic', 320, 200, { rotate: [-30, -20] });
    const g = grid(5, 0, true);
    const gg = geoGrid(g.lon, g.lat, true);
    const cells = pixelCells(spec, gg, 320, 200);
    expect(cells[0]).toBe(-1);
    for (let y = 0; y < 200; y += 7) for (let x = 0; x < 320; x += 5) expect(cells[y * 320 + x]).toBe(cellAtPoint(spec, gg, x + 0.5, y + 0.5));
    const inside = cells.filter((c) => c >= 0).length;
    // The disc of radius `scale` holds π r² pixels.
    expect(Math.abs(inside - Math.PI * spec.scale ** 2) / inside).toBeLessThan(0.02);
  });

  it('reads lon along y when the slice is (lon, lat)', () => {
    const g = grid(10, -180, false);
    const gg = geoGrid(g.lon, g.lat, false);
    // Row = longitude index, column = latitude index.
    expect(cellIndex(gg, -175, -85)).toBe(0);
    expect(cellIndex(gg, -165, -75)).toBe(1 * g.lat.length + 1);
    expect(cellIndex(gg, 185, 85)).toBe(0 * g.lat.length + 17);
  });
});
