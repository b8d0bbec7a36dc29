/**
 * Lon/lat lines (coastlines, borders, graticule) in the flat picture's
 * coordinates. A longitude is first wrapped into the 360° that start at the
 * grid's western edge (so coastlines follow a 0..360 grid as well as a
 * -180..180 one), and a line that crosses that seam is cut there and carried
 * on from the other edge, instead of being drawn straight across the map.
 * Latitude goes through its own coordinate, ascending or descending.
 */
import { wrapLon } from './axis';
import type { GeoGrid } from './sample';

/** A point as GeoJSON writes it: [longitude, latitude]. */
export type LonLat = readonly number[];

/** The flat picture's view (see SliceCanvas): `scale` canvas pixels a cell, offset, rows bottom-up when `flipY`. */
export interface FlatView {
  scale: number;
  tx: number;
  ty: number;
  flipY: boolean;
  /** The slice's size in cells (columns, rows). */
  width: number;
  height: number;
}

/**
 * Cut `line` where it crosses the seam at `west` (and `west + 360`): the
 * parts, with longitudes wrapped into [west, west + 360]; crossing points
 * are interpolated onto both edges.
 *
 * @example
 * splitAtSeam([[350, 0], [10, 10]], 0) // [[[350, 0], [360, 5]], [[0, 5], [10, 10]]]
 */
export function splitAtSeam(line: readonly LonLat[], west: number): [number, number][][] {
  const parts: [number, number][][] = [];
  let part: [number, number][] = [];
  /** The previous point: its longitude as given, wrapped, and its latitude. */
  let prev: { lon: number; w: number; lat: number } | null = null;
  for (const p of line) {
    const lon = p[0]!;
    const lat = p[1]!;
    const w = wrapLon(lon, west);
    if (prev) {
      // The short way round from the previous point, as the line means it.
      let d = lon - prev.lon;
      d -= 360 * Math.round(d / 360);
      const reached = prev.w + d;
      if (reached >= west + 360 || reached < west) {
        const edge = reached >= west + 360 ? west + 360 : west;
        const t = (edge - prev.w) / d;
        const latEdge = prev.lat + (lat - prev.lat) * t;
        part.push([edge, latEdge]);
        parts.push(part);
        part = [[edge === west ? west + 360 : west, latEdge]];
      }
    }
    prev = { lon, w, lat };
    part.push([w, lat]);
  }
  parts.push(part);
  return parts.filter((p) => p.length > 1);
}

/** Lines (lon/lat) to SVG path data in the flat picture's canvas pixels. */
export function flatPathData(lines: readonly (readonly LonLat[])[], g: GeoGrid, view: FlatView): string {
  const west = g.lon.lo;
  const { scale, tx, ty, flipY, height } = view;
  const out: string[] = [];
  const cx = (i: number) => tx + (i + 0.5) * scale;
  const cy = (j: number) => (flipY ? ty + (height - j - 0.5) * scale : ty + (j + 0.5) * scale);
  for (const line of lines) {
    for (const part of splitAtSeam(line, west)) {
      let d = '';
      for (let k = 0; k < part.length; k++) {
        const [lon, lat] = part[k]!;
        // Already wrapped: no second wrap, so the seam's east edge stays east.
        const li = g.lon.position(lon, false);
        const lj = g.lat.position(lat, false);
        const [i, j] = g.lonIsX ? [li, lj] : [lj, li];
        d += `${k ? 'L' : 'M'}${cx(i).toFixed(1)},${cy(j).toFixed(1)}`;
      }
      out.push(d);
    }
  }
  return out.join('');
}
