/**
 * What a dataset view shows, as link parameters, so a view can be shared or
 * reloaded by its address: the variable, the position of every slider (by
 * dimension name), the axes, the colour map and range, and the zoom.
 *
 *   var=tas&i=time:3&i=plev:0&y=lat&x=lon&cmap=viridis&range=250,300&zoom=2,180,45
 *
 * Everything here came from a URL anyone can write: each field is checked
 * again against the opened dataset before it is used.
 */

export interface DatasetView {
  var?: string;
  /** Index along named dimensions. */
  index?: Record<string, number>;
  y?: string;
  x?: string;
  cmap?: string;
  range?: { min: number; max: number };
  /** Zoom `k` times the fitted scale, centred on picture point (cx, cy) in values. */
  zoom?: { k: number; cx: number; cy: number };
}

/** The view as ordered [name, value] pairs (an empty view gives none). */
export function viewToParams(v: DatasetView): [string, string][] {
  const out: [string, string][] = [];
  if (v.var !== undefined) out.push(['var', v.var]);
  for (const [d, i] of Object.entries(v.index ?? {})) out.push(['i', `${d}:${i}`]);
  if (v.y !== undefined) out.push(['y', v.y]);
  if (v.x !== undefined) out.push(['x', v.x]);
  if (v.cmap !== undefined) out.push(['cmap', v.cmap]);
  if (v.range) out.push(['range', `${v.range.min},${v.range.max}`]);
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
        v[name] = value;
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
