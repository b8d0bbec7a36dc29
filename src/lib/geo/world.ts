/**
 * Natural Earth coastlines and country borders (public domain), from the
 * `world-atlas` package's TopoJSON, bundled with the app: each detail level
 * is its own chunk, loaded the first time a map needs it, never fetched from
 * another origin. 1:110m (55 KB) by default, 1:50m (0.5 MB) when zoomed in.
 */
import { mesh } from 'topojson-client';
import type { Topology, GeometryCollection } from 'topojson-specification';
import type { MultiLineString } from 'geojson';

export type WorldDetail = '110m' | '50m';

type LandTopology = Topology<{ land: GeometryCollection }>;
type CountriesTopology = Topology<{ countries: GeometryCollection; land: GeometryCollection }>;

const coastCache = new Map<WorldDetail, Promise<MultiLineString>>();
const borderCache = new Map<WorldDetail, Promise<MultiLineString>>();

async function landTopology(detail: WorldDetail): Promise<LandTopology> {
  const m = detail === '50m' ? await import('world-atlas/land-50m.json') : await import('world-atlas/land-110m.json');
  return (m.default ?? m) as unknown as LandTopology;
}

async function countriesTopology(detail: WorldDetail): Promise<CountriesTopology> {
  const m = detail === '50m' ? await import('world-atlas/countries-50m.json') : await import('world-atlas/countries-110m.json');
  return (m.default ?? m) as unknown as CountriesTopology;
}

/** The coastlines (every edge of the land polygons, lakes such as the Caspian included) as lon/lat lines. */
export function coastlines(detail: WorldDetail = '110m'): Promise<MultiLineString> {
  let p = coastCache.get(detail);
  if (!p) {
    p = landTopology(detail).then((t) => mesh(t, t.objects.land));
    coastCache.set(detail, p);
  }
  return p;
}

/** Borders between countries (the edges two countries share; coasts excluded). */
export function borders(detail: WorldDetail = '110m'): Promise<MultiLineString> {
  let p = borderCache.get(detail);
  if (!p) {
    p = countriesTopology(detail).then((t) => mesh(t, t.objects.countries, (a, b) => a !== b));
    borderCache.set(detail, p);
  }
  return p;
}
