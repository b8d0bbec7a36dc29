/**
 * What a dataset view shows, as link parameters, so a view can be shared or
 * reloaded by its address: the variable, the position of every slider (by
 * dimension name), the axes, the colour map, its scale (linear or log),
 * whether it is reversed, the range, and the zoom.
 *
 *   var=tas&i=time:3&i=plev:0&y=lat&x=lon&cmap=viridis&scale=log&reverse=1&range=250,300&zoom=2,180,45
 *
 * Everything here came from a URL anyone can write: each field is checked
 * again against the opened dataset before it is used (`sliceOfView`), and
 * only what differs from the default view is written back (`viewOfSlice`),
 * so the address stays short.
 */

export interface DatasetView {
  var?: string;
  /** Index along named dimensions. */
  index?: Record<string, number>;
  y?: string;
  x?: string;
  cmap?: string;
  /** How values map onto the colours (see lib/colormap/apply.ts). */
  scale?: 'linear' | 'log';
  /** The colour map runs end to start. */
  reverse?: boolean;
  range?: { min: number; max: number };
  /** Zoom `k` times the fitted scale, centred on picture point (cx, cy) in values. */
  zoom?: { k: number; cx: number; cy: number };
  /** The map of a lon/lat slice (projection, globe rotation, lines), as lib/geo/settings.ts writes it. */
  map?: string;
}

/** The view as ordered [name, value] pairs (an empty view gives none). */
export function viewToParams(v: DatasetView): [string, string][] {
  const out: [string, string][] = [];
  if (v.var !== undefined) out.push(['var', v.var]);
  for (const [d, i] of Object.entries(v.index ?? {})) out.push(['i', `${d}:${i}`]);
  if (v.y !== undefined) out.push(['y', v.y]);
  if (v.x !== undefined) out.push(['x', v.x]);
  if (v.cmap !== undefined) out.push(['cmap', v.cmap]);
  if (v.scale !== undefined) out.push(['scale', v.scale]);
  if (v.reverse !== undefined) out.push(['reverse', v.reverse ? '1' : '0']);
  if (v.range) out.push(['range', `${v.range.min},${v.range.max}`]);
  if (v.map) out.push(['map', v.map]);
  if (v.zoom) out.push(['zoom', [v.zoom.k, v.zoom.cx, v.zoom.cy].map((n) => Number(n.toPrecision(6))).join(',')]);
  return out;
}

const finite = (s: string | undefined): number | undefined => {
  if (s === undefined || s.trim() === '') return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
};

/** Read a view from link parameters; what cannot be read is left out. */
export function viewFromParams(params: [string, string][]): DatasetView {
  const v: DatasetView = {};
  for (const [name, value] of params) {
    switch (name) {
      case 'var':
      case 'y':
      case 'x':
      case 'cmap':
      case 'map':
        v[name] = value;
        break;
      case 'scale':
        if (value === 'linear' || value === 'log') v.scale = value;
        break;
      case 'reverse':
        if (value === '1' || value === 'true') v.reverse = true;
        else if (value === '0' || value === 'false') v.reverse = false;
        break;
      case 'i': {
        // Dimension names may hold ':' themselves: the index follows the last one.
        const at = value.lastIndexOf(':');
        const i = finite(value.slice(at + 1));
        if (at > 0 && i !== undefined && Number.isInteger(i) && i >= 0) (v.index ??= {})[value.slice(0, at)] = i;
        break;
      }
      case 'range': {
        const [min, max] = value.split(',').map(finite);
        if (min !== undefined && max !== undefined && max > min) v.range = { min, max };
        break;
      }
      case 'zoom': {
        const [k, cx, cy] = value.split(',').map(finite);
        if (k !== undefined && k > 0 && cx !== undefined && cy !== undefined) v.zoom = { k, cx, cy };
        break;
      }
    }
  }
  return v;
}

/** What the view needs to know of the variable shown. */
export interface ViewVariable {
  name: string;
  dims: readonly string[];
  shape: readonly number[];
}

/** The axes and sliders of a variable's view, by dimension index. */
export interface SliceAxes {
  /** Dimensions shown as rows (y) and columns (x). */
  yDim: number;
  xDim: number;
  /** Position along every dimension (those shown as y and x are ignored). */
  index: number[];
}

/**
 * The axes and slider positions `view` asks for, where they fit `v`; xarray's
 * default otherwise: the last two dimensions are y and x, every slider at 0.
 *
 * @example
 * sliceOfView({ name: 'tas', dims: ['time', 'lat', 'lon'], shape: [6, 18, 36] }, { index: { time: 3 } })
 * // { yDim: 1, xDim: 2, index: [3, 0, 0] }
 */
export function sliceOfView(v: ViewVariable, view: DatasetView): SliceAxes {
  const n = v.shape.length;
  const y = view.y === undefined ? -1 : v.dims.indexOf(view.y);
  const x = view.x === undefined ? -1 : v.dims.indexOf(view.x);
  const axes = n >= 2 && y >= 0 && x >= 0 && y !== x;
  return {
    yDim: axes ? y : n >= 2 ? n - 2 : 0,
    xDim: axes ? x : n >= 2 ? n - 1 : 0,
    index: v.dims.map((d, i) => {
      const at = view.index?.[d];
      return at !== undefined && at < v.shape[i]! ? at : 0;
    }),
  };
}

/**
 * The view of `v` at `s`, for its address: sliders away from 0 by dimension
 * name, the axes when they are not xarray's default, and the colour map, its
 * scale and range only when the user chose them (reversed only when it is).
 *
 * @example
 * viewOfSlice({ name: 'tas', dims: ['time', 'lat', 'lon'], shape: [6, 18, 36] }, { yDim: 1, xDim: 2, index: [3, 0, 0] })
 * // { var: 'tas', index: { time: 3 } }
 */
export function viewOfSlice(v: ViewVariable, s: SliceAxes, chosen: { cmap?: string; scale?: 'linear' | 'log'; reverse?: boolean; range?: { min: number; max: number } | null } = {}): DatasetView {
  const out: DatasetView = { var: v.name };
  const index: Record<string, number> = {};
  v.dims.forEach((d, i) => {
    if (i !== s.yDim && i !== s.xDim && s.index[i]) index[d] = s.index[i]!;
  });
  if (Object.keys(index).length) out.index = index;
  const n = v.shape.length;
  if (n >= 2 && (s.yDim !== n - 2 || s.xDim !== n - 1)) {
    out.y = v.dims[s.yDim]!;
    out.x = v.dims[s.xDim]!;
  }
  if (chosen.cmap !== undefined) out.cmap = chosen.cmap;
  if (chosen.scale !== undefined) out.scale = chosen.scale;
  if (chosen.reverse) out.reverse = true;
  if (chosen.range) out.range = { min: chosen.range.min, max: chosen.range.max };
  return out;
}
