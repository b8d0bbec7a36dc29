/**
 * Which dimensions of a slice are longitude and latitude, read as CF says
 * (https://cfconventions.org/cf-conventions/cf-conventions.html#longitude-coordinate):
 * `units` first (degrees_east, degree_E...), then `standard_name`, then
 * `axis` X/Y when the units are degrees or absent, and common names last.
 * Projected x/y in metres or rotated-pole `grid_longitude` are not lon/lat.
 */
import type { DatasetInfo, VariableInfo } from '../zarr/dataset';

export type GeoKind = 'lon' | 'lat';

const EAST = /^degrees?_?e(ast)?$/i;
const NORTH = /^degrees?_?n(orth)?$/i;
const DEGREES = /^degrees?$/i;
const LON_NAMES = /^(lon|lons|long|longitude|nav_lon|glon|xlon|lon_rho|lon_u|lon_v|lon_t|longitude_t)$/i;
const LAT_NAMES = /^(lat|lats|latitude|nav_lat|glat|xlat|lat_rho|lat_u|lat_v|lat_t|latitude_t)$/i;

/** What an array's attributes and name say it is: longitude, latitude, or neither. */
export function geoKindOf(name: string, attrs: Record<string, unknown>): GeoKind | null {
  const units = typeof attrs.units === 'string' ? attrs.units.trim() : '';
  if (EAST.test(units)) return 'lon';
  if (NORTH.test(units)) return 'lat';
  const std = typeof attrs.standard_name === 'string' ? attrs.standard_name.trim().toLowerCase() : '';
  if (std === 'longitude') return 'lon';
  if (std === 'latitude') return 'lat';
  // Anything else with units is not an angle on the Earth (metres of a projection, rotated poles' grid_*).
  const angular = units === '' || DEGREES.test(units);
  if (!angular || std.startsWith('grid_') || std.startsWith('projection_')) return null;
  const axis = typeof attrs.axis === 'string' ? attrs.axis.trim().toUpperCase() : '';
  if (axis === 'X' && units) return 'lon';
  if (axis === 'Y' && units) return 'lat';
  if (LON_NAMES.test(name)) return 'lon';
  if (LAT_NAMES.test(name)) return 'lat';
  return null;
}

/** A regular lon/lat grid: which of the slice's axes is longitude. */
export interface RegularGeo {
  kind: 'regular';
  /** The dimension (and 1-D coordinate) names of longitude and latitude. */
  lon: string;
  lat: string;
  /** Whether longitude runs along the picture's x (columns); else it runs along y. */
  lonIsX: boolean;
}

/** A curvilinear grid: 2-D longitude and latitude arrays over the slice's (y, x). */
export interface CurvilinearGeo {
  kind: 'curvilinear';
  /** Names of the 2-D coordinate arrays, and whether their dimensions are (x, y) rather than (y, x). */
  lon: string;
  lat: string;
  transposed: boolean;
}

export type SliceGeo = RegularGeo | CurvilinearGeo;

/** Values that fit the kind (a longitude within -360..720, a latitude within -90..90). */
export function valuesFit(kind: GeoKind, values: ArrayLike<number>): boolean {
  const [lo, hi] = kind === 'lon' ? [-360, 720] : [-90.0001, 90.0001];
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v === v && (v < lo || v > hi)) return false;
  }
  return true;
}

/**
 * Whether the slice with dimensions `yName` (rows) and `xName` (columns) of
 * `v` is on a lon/lat grid: 1-D coordinates along both (regular), or 2-D
 * coordinates over both (curvilinear, named in the variable's `coordinates`
 * attribute or found among the dataset's coordinates).
 *
 * @example
 * detectSliceGeo(info, tas, 'lat', 'lon') // { kind: 'regular', lon: 'lon', lat: 'lat', lonIsX: true }
 */
export function detectSliceGeo(info: DatasetInfo, v: VariableInfo, yName: string, xName: string, coordValues: Record<string, { values: ArrayLike<number> }> = {}): SliceGeo | null {
  const all = [...info.coords, ...info.dataVars];
  const byName = new Map(all.map((a) => [a.name, a]));
  const dimKind = (dim: string): GeoKind | null => {
    const c = byName.get(dim);
    const kind = c && c.shape.length === 1 ? geoKindOf(c.name, c.attrs) : null;
    const vals = coordValues[dim]?.values;
    return kind && (!vals || valuesFit(kind, vals)) ? kind : null;
  };
  const ky = dimKind(yName);
  const kx = dimKind(xName);
  if (ky && kx && ky !== kx) return { kind: 'regular', lon: kx === 'lon' ? xName : yName, lat: kx === 'lat' ? xName : yName, lonIsX: kx === 'lon' };
  // 2-D coordinates over (y, x): those named by the variable first, then any.
  const named = typeof v.attrs.coordinates === 'string' ? v.attrs.coordinates.split(/\s+/).filter(Boolean) : [];
  const candidates = [...named.map((n) => byName.get(n)).filter((c): c is VariableInfo => !!c), ...info.coords];
  let lon: VariableInfo | undefined;
  let lat: VariableInfo | undefined;
  let transposed = false;
  for (const c of candidates) {
    if (c.shape.length !== 2 || c.name === v.name) continue;
    const [a, b] = c.dims;
    const straight = a === yName && b === xName;
    if (!straight && !(a === xName && b === yName)) continue;
    const kind = geoKindOf(c.name, c.attrs);
    if (kind === 'lon' && !lon) {
      lon = c;
      transposed = !straight;
    } else if (kind === 'lat' && !lat) lat = c;
  }
  if (lon && lat && lon.dims.join() === lat.dims.join()) return { kind: 'curvilinear', lon: lon.name, lat: lat.name, transposed };
  return null;
}
