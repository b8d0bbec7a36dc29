/**
 * The map settings of a dataset view (projection, globe rotation, line work)
 * as one link parameter, so a shared view shows the same map:
 *
 *   map=ortho,-30,20,borders,grid,nocoast
 *
 * Only what differs from the default (plate carrée with coastlines) is written.
 */
import type { ProjectionKind } from './projection';

export type MapProjection = 'flat' | ProjectionKind;

export interface MapSettings {
  projection: MapProjection;
  /** The globe's (or Equal Earth's) rotation, d3's [λ, φ]. */
  rotate: [number, number];
  coastlines: boolean;
  borders: boolean;
  graticule: boolean;
}

export const DEFAULT_MAP: MapSettings = { projection: 'flat', rotate: [0, 0], coastlines: true, borders: false, graticule: false };

const SHORT: Record<MapProjection, string> = { flat: 'flat', 'equal-earth': 'ee', orthographic: 'ortho' };

/** The parameter's value, or undefined for the default map. */
export function mapToParam(m: MapSettings): string | undefined {
  const parts: string[] = [];
  if (m.projection !== 'flat') {
    parts.push(SHORT[m.projection]);
    if (m.rotate[0] || m.rotate[1]) parts.push(...m.rotate.map((n) => String(Number(n.toFixed(2)))));
  }
  if (!m.coastlines) parts.push('nocoast');
  if (m.borders) parts.push('borders');
  if (m.graticule) parts.push('grid');
  return parts.length ? parts.join(',') : undefined;
}

/** Settings from the parameter's value (anyone can write it: what cannot be read is the default). */
export function mapFromParam(s: string | undefined): MapSettings {
  const m: MapSettings = { ...DEFAULT_MAP, rotate: [0, 0] };
  if (!s) return m;
  const parts = s.split(',');
  const proj = (Object.keys(SHORT) as MapProjection[]).find((k) => SHORT[k] === parts[0]);
  if (proj) {
    m.projection = proj;
    const a = Number(parts[1]);
    const b = Number(parts[2]);
    if (parts.length > 2 && Number.isFinite(a) && Number.isFinite(b)) m.rotate = [((a % 360) + 540) % 360 - 180, Math.max(-90, Math.min(90, b))];
  }
  m.coastlines = !parts.includes('nocoast');
  m.borders = parts.includes('borders');
  m.graticule = parts.includes('grid');
  return m;
}
