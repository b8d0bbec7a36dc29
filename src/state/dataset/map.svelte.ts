/**
 * The map of a lon/lat slice: whether the slice is on a lon/lat grid (and
 * which axis is longitude) or on a curvilinear one, the projection chosen,
 * the globe's rotation, zoom and pan, and which lines are drawn over the data
 * (Natural Earth coastlines and borders, a graticule). Projected pictures are
 * painted by the Zarr worker; this class only asks for them.
 */
import type { MultiLineString } from 'geojson';
import { detectSliceGeo, type SliceGeo } from '../../lib/geo/detect';
import { fitProjection, type ProjectionSpec } from '../../lib/geo/projection';
import { cellAtPoint, geoGrid, gridWidth, type GeoGrid } from '../../lib/geo/sample';
import { borders, coastlines, type WorldDetail } from '../../lib/geo/world';
import { DEFAULT_MAP, mapFromParam, mapToParam, type MapProjection, type MapSettings } from '../../lib/geo/settings';
import { messageOf, type DatasetSession } from './session.svelte';
import type { SliceView } from './slice.svelte';

export type { MapProjection, MapSettings };

export class MapView {
  readonly #session: DatasetSession;
  readonly #slice: SliceView;
  #projection = $state<MapProjection>('flat');
  #rotate = $state<[number, number]>([0, 0]);
  #zoom = $state(1);
  #offset = $state<[number, number]>([0, 0]);
  #coastlines = $state(true);
  #borders = $state(false);
  #graticule = $state(false);
  #detail = $state<WorldDetail>('110m');
  #coastGeom = $state.raw<MultiLineString | null>(null);
  #borderGeom = $state.raw<MultiLineString | null>(null);
  #error = $state<string | null>(null);

  readonly #geo = $derived.by((): SliceGeo | null => {
    const info = this.#session.info;
    const v = this.#slice.variable;
    if (!info || !v || v.shape.length < 2) return null;
    const y = v.dims[this.#slice.yDim];
    const x = v.dims[this.#slice.xDim];
    return y && x ? detectSliceGeo(info, v, y, x, this.#session.coords) : null;
  });

  readonly #grid = $derived.by((): GeoGrid | null => {
    const g = this.#geo;
    if (g?.kind !== 'regular') return null;
    const lon = this.#session.coords[g.lon]?.values;
    const lat = this.#session.coords[g.lat]?.values;
    return lon && lat && lon.length && lat.length ? geoGrid(lon, lat, g.lonIsX) : null;
  });

  constructor(session: DatasetSession, slice: SliceView) {
    this.#session = session;
    this.#slice = slice;
  }

  /** The slice's lon/lat layout (null: not on the Earth, as far as its metadata says). */
  get geo(): SliceGeo | null {
    return this.#geo;
  }
  /** The regular lon/lat grid of the slice, once its coordinates are read. */
  get grid(): GeoGrid | null {
    return this.#grid;
  }
  /** The projection shown: flat unless the slice is on a regular lon/lat grid. */
  get projection(): MapProjection {
    return this.#grid ? this.#projection : 'flat';
  }
  get rotate(): [number, number] {
    return this.#rotate;
  }
  get zoom(): number {
    return this.#zoom;
  }
  get showCoastlines(): boolean {
    return this.#coastlines;
  }
  get showBorders(): boolean {
    return this.#borders;
  }
  get showGraticule(): boolean {
    return this.#graticule;
  }
  /** Coastline and border geometry to draw (null until loaded, or when switched off). */
  get coastGeometry(): MultiLineString | null {
    return this.#coastlines ? this.#coastGeom : null;
  }
  get borderGeometry(): MultiLineString | null {
    return this.#borders ? this.#borderGeom : null;
  }
  get error(): string | null {
    return this.#error;
  }

  /** What the address keeps of the map. */
  get settings(): MapSettings {
    return { projection: this.#projection, rotate: [...this.#rotate], coastlines: this.#coastlines, borders: this.#borders, graticule: this.#graticule };
  }
  get param(): string | undefined {
    return mapToParam(this.settings);
  }

  /** Set up from the address. */
  restore(param: string | undefined): void {
    const m = param ? mapFromParam(param) : DEFAULT_MAP;
    this.#projection = m.projection;
    this.#rotate = [...m.rotate];
    this.#coastlines = m.coastlines;
    this.#borders = m.borders;
    this.#graticule = m.graticule;
  }

  setProjection(p: MapProjection): void {
    this.#projection = p;
    this.#zoom = 1;
    this.#offset = [0, 0];
    if (p === 'equal-earth') this.#rotate = [this.#rotate[0], 0];
  }
  setCoastlines(on: boolean): void {
    this.#coastlines = on;
  }
  setBorders(on: boolean): void {
    this.#borders = on;
  }
  setGraticule(on: boolean): void {
    this.#graticule = on;
  }

  /** Coastlines finer when the picture is zoomed in (1:50m beyond 3x). */
  setDetailFor(zoom: number): void {
    this.#detail = zoom > 3 ? '50m' : '110m';
  }

  /** Load the line work switched on, at the detail wanted. Never rejects. */
  async loadLines(): Promise<void> {
    const detail = this.#detail;
    try {
      const [c, b] = await Promise.all([this.#coastlines ? coastlines(detail) : null, this.#borders ? borders(detail) : null]);
      if (detail !== this.#detail) return;
      if (c) this.#coastGeom = c;
      if (b) this.#borderGeom = b;
    } catch (e) {
      this.#error = `The coastlines could not be loaded: ${messageOf(e)}`;
    }
  }

  /** Turn the globe (or Equal Earth about its axis) by `dLon`, `dLat` degrees. */
  turn(dLon: number, dLat: number): void {
    const [l, p] = this.#rotate;
    const lon = ((((l + dLon) % 360) + 540) % 360) - 180;
    this.#rotate = [lon, this.#projection === 'orthographic' ? Math.max(-90, Math.min(90, p + dLat)) : 0];
  }
  zoomBy(factor: number): void {
    this.#zoom = Math.max(0.5, Math.min(50, this.#zoom * factor));
    this.#offset = [this.#offset[0] * factor, this.#offset[1] * factor];
  }
  pan(dx: number, dy: number): void {
    this.#offset = [this.#offset[0] + dx, this.#offset[1] + dy];
  }
  fit(): void {
    this.#zoom = 1;
    this.#offset = [0, 0];
  }

  /** The projection for a `width` x `height` canvas (null when flat). */
  spec(width: number, height: number): ProjectionSpec | null {
    const p = this.projection;
    if (p === 'flat') return null;
    return fitProjection(p, width, height, { zoom: this.#zoom, rotate: [...this.#rotate], offset: p === 'equal-earth' ? [...this.#offset] : [0, 0] });
  }

  /** The slice's cell (row, column) under canvas point (x, y) in `spec`, or null off the grid. */
  cellAt(spec: ProjectionSpec, x: number, y: number): { y: number; x: number } | null {
    const g = this.#grid;
    if (!g) return null;
    const c = cellAtPoint(spec, g, x, y);
    if (c < 0) return null;
    const w = gridWidth(g);
    return { y: Math.floor(c / w), x: c % w };
  }

  /**
   * The slice on screen painted in `spec` (RGBA, `width` x `height`), in its
   * colours; null when there is no slice to paint or the grid does not fit.
   */
  async paint(spec: ProjectionSpec, width: number, height: number): Promise<Uint8ClampedArray | null> {
    const remote = this.#session.remote;
    const drawn = this.#slice.drawn;
    const range = this.#slice.range;
    const g = this.#geo;
    if (!remote || !drawn || !range || g?.kind !== 'regular') return null;
    try {
      return await remote.project({ id: drawn.id, spec, width, height, lon: g.lon, lat: g.lat, lonIsX: g.lonIsX, cmap: this.#slice.cmap, range: { min: range.min, max: range.max }, scale: this.#slice.scale, reverse: this.#slice.reverse });
    } catch (e) {
      this.#error = `The projected map could not be painted: ${messageOf(e)}`;
      return null;
    }
  }

  /** A curvilinear grid's 2-D longitude and latitude at cell (y, x), as text ("lat = 12.5"). Never rejects. */
  async coordsAt(y: number, x: number): Promise<string[] | null> {
    const g = this.#geo;
    const remote = this.#session.remote;
    if (g?.kind !== 'curvilinear' || !remote) return null;
    try {
      const r = await remote.coordsAt([g.lat, g.lon], y, x, g.transposed);
      if ('error' in r) return null;
      return [`${g.lat} = ${r[0] ?? 'no data'}`, `${g.lon} = ${r[1] ?? 'no data'}`];
    } catch {
      return null;
    }
  }
}
