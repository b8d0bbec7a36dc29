/**
 * What the Zarr worker does for a projected redraw (SliceSession.project):
 * every canvas pixel inverse-projected to its grid cell, the values gathered
 * and coloured. Timed here on a 1440 x 720 global grid (0.25°) at 1280 x 720,
 * for Equal Earth and the globe: a new view (turned or zoomed: cells found
 * again) and a new slice in the same view (cells reused). Runs in a worker
 * of Chromium (bundled by bench/zarr-projection.ts) and in Node.
 */
import { fitProjection, type ProjectionKind } from '../../src/lib/geo/projection';
import { gatherValues, geoGrid, pixelCells } from '../../src/lib/geo/sample';
import { colormap, paint } from '../../src/lib/colormap/index';

export interface ProjectionTimes {
  kind: ProjectionKind;
  /** Milliseconds per round: a new view, and a new slice in the same view. */
  view: number[];
  slice: number[];
}

/** `now`: the clock, in ms (wall time by default; Node passes its CPU time, steadier on a shared machine). */
export function runProjectionBench(rounds = 9, width = 1280, height = 720, now: () => number = () => performance.now()): ProjectionTimes[] {
  const nx = 1440;
  const ny = 720;
  const lon = Array.from({ length: nx }, (_, i) => i * 0.25 + 0.125);
  const lat = Array.from({ length: ny }, (_, j) => 89.875 - j * 0.25);
  const grid = geoGrid(lon, lat, true);
  const values = new Float32Array(nx * ny).map((_, i) => Math.sin(i / 997) * 20 + 280);
  const cmap = colormap('viridis');
  const range = { min: 260, max: 300 };
  const out: ProjectionTimes[] = [];
  for (const kind of ['equal-earth', 'orthographic'] as const) {
    const t: ProjectionTimes = { kind, view: [], slice: [] };
    for (let r = 0; r < rounds; r++) {
      const spec = fitProjection(kind, width, height, { rotate: [-20 * r, kind === 'orthographic' ? -10 - 3 * r : 0], zoom: 1 + r / 10 });
      const t0 = now();
      const cells = pixelCells(spec, grid, width, height);
      paint(gatherValues(values, cells), cmap, range);
      const t1 = now();
      paint(gatherValues(values, cells), cmap, range);
      const t2 = now();
      t.view.push(t1 - t0);
      t.slice.push(t2 - t1);
    }
    out.push(t);
  }
  return out;
}
