/**
 * The map's line work as SVG path data in the picture's current canvas
 * pixels: coastlines, borders, a graticule and (projected) the Earth's
 * outline. DOM-free, so the figure export can put the same paths in its SVG
 * that the page draws over the canvas.
 *
 * @example
 * const paths = mapPaths({ coastlines: await coastlines() }, { kind: 'flat', grid, view: picture.flatView });
 * `<path d="${paths.coastlines}" fill="none" stroke="black"/>`
 */
import { geoGraticule, geoPath } from 'd3-geo';
import type { MultiLineString } from 'geojson';
import { flatPathData, type FlatView } from './lines';
import { makeProjection, type ProjectionSpec } from './projection';
import type { GeoGrid } from './sample';

/** Where the paths are drawn: the flat picture (plate carrée in the grid's own cells) or a projection. */
export type MapTarget = { kind: 'flat'; grid: GeoGrid; view: FlatView } | { kind: 'projected'; spec: ProjectionSpec };

export interface MapLines {
  coastlines?: MultiLineString | null;
  borders?: MultiLineString | null;
  /** Graticule spacing in degrees (0 or absent: none). */
  graticule?: number;
}

export interface MapPaths {
  coastlines: string;
  borders: string;
  graticule: string;
  /** The Earth's edge in a projection ('' for the flat picture, whose edge is the picture's). */
  outline: string;
}

function graticuleLines(step: number): MultiLineString {
  return geoGraticule().step([step, step]).extentMinor([[-180, -90 + 1e-6], [180, 90 - 1e-6]])() as MultiLineString;
}

/** SVG path data (canvas pixels) of `lines` drawn on `target`. */
export function mapPaths(lines: MapLines, target: MapTarget): MapPaths {
  const grat = lines.graticule ? graticuleLines(lines.graticule) : null;
  if (target.kind === 'flat') {
    const draw = (m: MultiLineString | null | undefined) => (m ? flatPathData(m.coordinates, target.grid, target.view) : '');
    return { coastlines: draw(lines.coastlines), borders: draw(lines.borders), graticule: draw(grat), outline: '' };
  }
  // d3 clips at the antimeridian (Equal Earth) or the horizon (globe) and resamples the lines.
  const path = geoPath(makeProjection(target.spec)).digits(1);
  const draw = (m: MultiLineString | null | undefined) => (m ? (path(m) ?? '') : '');
  return { coastlines: draw(lines.coastlines), borders: draw(lines.borders), graticule: draw(grat), outline: path({ type: 'Sphere' }) ?? '' };
}
