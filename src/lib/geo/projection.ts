/**
 * The map projections offered for lon/lat grids, as plain data that crosses
 * the worker boundary (`ProjectionSpec`), made into d3-geo projections on
 * either side so the picture (painted in the worker) and its coastlines,
 * graticule and hover (on the page) use the very same one.
 *
 * Plate carrée is not here: it is the flat picture itself (cells as pixels).
 */
import { geoEqualEarth, geoOrthographic, type GeoProjection } from 'd3-geo';

export type ProjectionKind = 'equal-earth' | 'orthographic';

export interface ProjectionSpec {
  kind: ProjectionKind;
  /** d3's rotate [λ, φ] in degrees (the globe's centre is at -λ, -φ); Equal Earth turns about the axis only. */
  rotate: [number, number];
  /** d3's scale and translate, in canvas pixels. */
  scale: number;
  translate: [number, number];
}

/** The d3-geo projection a spec describes. */
export function makeProjection(spec: ProjectionSpec): GeoProjection {
  const p = spec.kind === 'orthographic' ? geoOrthographic() : geoEqualEarth();
  return p.rotate(spec.kind === 'orthographic' ? [spec.rotate[0], spec.rotate[1]] : [spec.rotate[0], 0]).scale(spec.scale).translate(spec.translate).precision(0.3);
}

/**
 * The spec that shows the whole Earth in a `width` x `height` canvas with a
 * small margin, zoomed `zoom` times about the canvas centre and moved by
 * `offset` pixels (Equal Earth) or turned to `rotate` (globe).
 */
export function fitProjection(kind: ProjectionKind, width: number, height: number, view: { zoom?: number; rotate?: [number, number]; offset?: [number, number] } = {}): ProjectionSpec {
  const margin = 8;
  const p = (kind === 'orthographic' ? geoOrthographic() : geoEqualEarth()).rotate([0, 0]).fitExtent([[margin, margin], [width - margin, height - margin]], { type: 'Sphere' });
  const zoom = view.zoom ?? 1;
  const [ox, oy] = view.offset ?? [0, 0];
  const [tx, ty] = p.translate();
  return {
    kind,
    rotate: view.rotate ?? [0, 0],
    scale: p.scale() * zoom,
    translate: [width / 2 + (tx - width / 2) * zoom + ox, height / 2 + (ty - height / 2) * zoom + oy],
  };
}
