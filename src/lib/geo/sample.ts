/**
 * Painting a lon/lat grid in a projection: every canvas pixel is turned back
 * into a longitude and latitude (the inverse projection) and takes the value
 * of the grid cell it falls in (nearest cell; no interpolation, so every
 * colour on screen is a value of the data). Runs in the Zarr worker.
 *
 * d3-geo's `projection.invert` costs ~150 ns a pixel through its generic
 * pipeline (150 ms for 1280 x 720). The same inverse is written out here for
 * the two projections offered, row by row: Equal Earth's latitude depends on
 * the row only and its longitude is linear along a row (d3's
 * `equalEarthRaw.invert`), and the globe is d3's `azimuthalInvert(asin)`
 * followed by the inverse of its `rotationPhiGamma`. The unit tests hold
 * them to d3-geo's forward projection.
 */
import { geoEqualEarthRaw } from 'd3-geo';
import type { ProjectionSpec } from './projection';
import { AxisLookup } from './axis';

const RAD = Math.PI / 180;
const DEG = 180 / Math.PI;
/** Equal Earth's constants (Šavrič, Patterson & Jenny 2018), as in d3-geo. */
const A1 = 1.340264;
const A2 = -0.081106;
const A3 = 0.000893;
const A4 = 0.003796;
const M = Math.sqrt(3) / 2;
/** Equal Earth's parametric latitude at the poles. */
const L_MAX = Math.asin(M);

/** The grid the slice is on: its longitude and latitude axes, and which is x. */
export interface GeoGrid {
  lon: AxisLookup;
  lat: AxisLookup;
  lonIsX: boolean;
}

/** A grid from the 1-D coordinates of the slice's axes. */
export function geoGrid(lon: ArrayLike<number>, lat: ArrayLike<number>, lonIsX: boolean): GeoGrid {
  return { lon: new AxisLookup(lon, true), lat: new AxisLookup(lat, false), lonIsX };
}

/** The slice's width (columns): the length of whichever axis is x. */
export function gridWidth(g: GeoGrid): number {
  return g.lonIsX ? g.lon.n : g.lat.n;
}

/** Index (row * width + column) in the slice of the cell at (lon, lat) in degrees, or -1 off the grid. */
export function cellIndex(g: GeoGrid, lon: number, lat: number): number {
  const i = g.lon.cell(lon, true);
  const j = g.lat.cell(lat, false);
  if (i < 0 || j < 0) return -1;
  return g.lonIsX ? j * g.lon.n + i : i * g.lat.n + j;
}

/**
 * Longitude and latitude (degrees) under the canvas points (x0 + k + 0.5, y)
 * for k < n, written to `lon`/`lat` (NaN off the Earth).
 */
export function invertRow(spec: ProjectionSpec, y: number, x0: number, n: number, lon: Float64Array, lat: Float64Array): void {
  const k = spec.scale;
  const [tx, ty] = spec.translate;
  const ry = (ty - y) / k;
  if (spec.kind === 'equal-earth') {
    // Latitude from the row (Newton, as d3 does); longitude linear along it.
    const inv = geoEqualEarthRaw.invert!;
    const a = inv(0, ry) as [number, number];
    const b = inv(1, ry) as [number, number];
    const perX = b[0] - a[0];
    const phi = a[1];
    // The parametric latitude of this row, to tell the rows beyond the poles.
    let l = ry;
    for (let i = 0; i < 20; i++) {
      const l2 = l * l;
      const l6 = l2 * l2 * l2;
      const d = (l * (A1 + A2 * l2 + l6 * (A3 + A4 * l2)) - ry) / (A1 + 3 * A2 * l2 + l6 * (7 * A3 + 9 * A4 * l2));
      l -= d;
      if (Math.abs(d) < 1e-12) break;
    }
    const off = Math.abs(l) > L_MAX + 1e-12 || phi !== phi;
    const rot = spec.rotate[0];
    for (let i = 0; i < n; i++) {
      const rx = (x0 + i + 0.5 - tx) / k;
      const lam = rx * perX;
      if (off || lam > Math.PI || lam < -Math.PI) {
        lon[i] = NaN;
        lat[i] = NaN;
      } else {
        lon[i] = lam * DEG - rot;
        lat[i] = phi * DEG;
      }
    }
    return;
  }
  // Orthographic: a point of the disc is a point of the near hemisphere,
  // (cos c, x, y) in the globe's frame; turned back by the rotation's inverse.
  const dPhi = spec.rotate[1] * RAD;
  const cp = Math.cos(dPhi);
  const sp = Math.sin(dPhi);
  const rot = spec.rotate[0];
  for (let i = 0; i < n; i++) {
    const rx = (x0 + i + 0.5 - tx) / k;
    const r2 = rx * rx + ry * ry;
    if (r2 > 1) {
      lon[i] = NaN;
      lat[i] = NaN;
      continue;
    }
    const cx = Math.sqrt(1 - r2);
    // rotationPhiGamma(dPhi, 0).invert on the Cartesian point (cx, rx, ry).
    const kz = ry;
    lon[i] = Math.atan2(rx, cx * cp + kz * sp) * DEG - rot;
    const s = kz * cp - cx * sp;
    lat[i] = Math.asin(s > 1 ? 1 : s < -1 ? -1 : s) * DEG;
  }
}

/** The longitude and latitude (degrees) under canvas point (x, y), or null off the Earth. */
export function invertPoint(spec: ProjectionSpec, x: number, y: number): [number, number] | null {
  const lon = new Float64Array(1);
  const lat = new Float64Array(1);
  invertRow(spec, y, x - 0.5, 1, lon, lat);
  return lon[0] === lon[0] ? [lon[0]!, lat[0]!] : null;
}

/** The slice cell under canvas point (x, y): index (row * width + column), or -1. */
export function cellAtPoint(spec: ProjectionSpec, g: GeoGrid, x: number, y: number): number {
  const p = invertPoint(spec, x, y);
  return p ? cellIndex(g, p[0], p[1]) : -1;
}

/**
 * A function finding the index along an axis of a value (degrees; longitudes
 * wrapped), or -1: written out for evenly spaced axes (most grids), where it
 * runs for every pixel.
 */
function finder(axis: AxisLookup, isLon: boolean): (v: number) => number {
  const r = axis.regular;
  if (!r) return (v) => axis.cell(v, isLon);
  const { lo, step, n, descending, periodic } = r;
  const span = step * n;
  return (v) => {
    let w = v - lo;
    if (isLon && (w < 0 || w >= 360)) w -= Math.floor(w / 360) * 360;
    let k: number;
    if (w >= 0 && w < span) k = Math.floor(w / step);
    else if (w === span || (periodic && w > span)) k = w === span && !periodic ? n - 1 : 0;
    else return -1;
    if (k >= n) k = n - 1;
    return descending ? n - 1 - k : k;
  };
}

/**
 * For every pixel of a `width` x `height` canvas (centres at +0.5), the
 * index into the slice of the cell under it, or -1. Depends only on the
 * projection and the grid: kept and reused while only the data changes.
 */
export function pixelCells(spec: ProjectionSpec, g: GeoGrid, width: number, height: number): Int32Array {
  const out = new Int32Array(width * height);
  const lon = new Float64Array(width);
  const lat = new Float64Array(width);
  const w = gridWidth(g);
  const lonCell = finder(g.lon, true);
  const latCell = finder(g.lat, false);
  const lonIsX = g.lonIsX;
  for (let y = 0; y < height; y++) {
    invertRow(spec, y + 0.5, 0, width, lon, lat);
    const row = y * width;
    // Latitude is constant along an Equal Earth row: look it up once.
    let lastLat = NaN;
    let j = -1;
    for (let x = 0; x < width; x++) {
      const lo = lon[x]!;
      if (lo !== lo) {
        out[row + x] = -1;
        continue;
      }
      const la = lat[x]!;
      if (la !== lastLat) {
        lastLat = la;
        j = latCell(la);
      }
      const i = j < 0 ? -1 : lonCell(lo);
      out[row + x] = i < 0 ? -1 : lonIsX ? j * w + i : i * w + j;
    }
  }
  return out;
}

/** The values under each pixel (NaN where there is no cell), to colour with the flat picture's map. */
export function gatherValues(values: ArrayLike<number>, cells: Int32Array, out = new Float32Array(cells.length)): Float32Array {
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i]!;
    out[i] = c < 0 ? NaN : values[c]!;
  }
  return out;
}
