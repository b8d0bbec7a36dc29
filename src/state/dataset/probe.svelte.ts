/**
 * Reading the data under the pointer: the value of the pixel hovered (from
 * the slice the picture is of, named as such while the sliders are already
 * elsewhere) and, on a click, the series through that point along a
 * dimension the user picks.
 */
import type { ChunkFailure } from '../../lib/zarr/read';
import type { VariableInfo } from '../../lib/zarr/dataset';
import { axisSpec, type AxisSpec } from '../../lib/plot/ticks';
import { messageOf, type DatasetSession } from './session.svelte';
import type { SliceView } from './slice.svelte';

export interface Hover {
  y: number;
  x: number;
  value: number | null;
  /** "lat = 12.5" style labels of the pixel's coordinates. */
  where: string[];
}

export interface Series {
  title: string;
  dim: string;
  units?: string;
  labels: string[];
  /** The axis along the series (dates, degrees, numbers or indices; see plot/ticks.ts). */
  axis: AxisSpec;
  positions: number[];
  values: number[];
  failures: ChunkFailure[];
}

export class Probe {
  /** The coordinate variable of dimension `dim`, if the dataset has one. */
  #coordVar(dim: string): VariableInfo | null {
    const info = this.#session.info;
    const name = info?.dims.find((d) => d.name === dim)?.coord ?? dim;
    return info?.coords.find((c) => c.name === name) ?? null;
  }

  readonly #session: DatasetSession;
  readonly #slice: SliceView;
  /** Counts hover reads: only the last one asked for (and not since cleared) is shown. */
  #hoverId = 0;
  /** Counts series reads: a series read for another variable or point is dropped. */
  #seriesId = 0;
  #hover = $state<Hover | null>(null);
  #series = $state.raw<Series | null>(null);
  #seriesDim = $state(0);

  constructor(session: DatasetSession, slice: SliceView) {
    this.#session = session;
    this.#slice = slice;
  }

  get hover(): Hover | null {
    return this.#hover;
  }
  get series(): Series | null {
    return this.#series;
  }
  /** The dimension a click plots the series along. */
  get seriesDim(): number {
    return this.#seriesDim;
  }

  setSeriesDim(dim: number): void {
    this.#seriesDim = dim;
  }

  /** Another variable is shown: what was read of the last one goes, and a click plots along `seriesDim`. */
  reset(seriesDim: number): void {
    this.#seriesDim = seriesDim;
    this.#seriesId++;
    this.#series = null;
    this.clearHover();
  }

  /** Pointer over pixel (y, x) of the picture. Never rejects. */
  async hoverAt(y: number, x: number): Promise<void> {
    const s = this.#slice;
    const v = s.variable;
    const remote = this.#session.remote;
    const sel = s.drawn;
    if (!v || !remote || !sel) return;
    const id = ++this.#hoverId;
    const two = v.shape.length >= 2;
    // While another slice is being read the picture is the last one drawn: read
    // from it only if its axes are the ones shown, and name where it is.
    if (sel.name !== v.name || (two && (sel.free[0] !== s.yDim || sel.free[1] !== s.xDim))) {
      this.#hover = null;
      return;
    }
    let value: number | null;
    try {
      value = await remote.valueAt(sel.id, y, x);
    } catch (e) {
      if (id !== this.#hoverId) return;
      this.#hover = null;
      s.report(`The value under the pointer could not be read: ${messageOf(e)}`);
      return;
    }
    // Named by coordinate, which may still be on its way just after opening.
    await this.#session.coordsRead;
    // Cleared, moved on, or the picture is of another slice by now.
    if (id !== this.#hoverId || s.drawn !== sel) return;
    if (value === null) {
      this.#hover = null;
      return;
    }
    const where = two ? [`${v.dims[s.yDim]} = ${s.label(s.yDim, y)}`, `${v.dims[s.xDim]} = ${s.label(s.xDim, x)}`] : [`${v.dims[0]} = ${s.label(0, x)}`];
    v.dims.forEach((d, i) => {
      if (!sel.free.includes(i) && sel.index[i] !== s.index[i]) where.push(`${d} = ${s.label(i, sel.index[i]!)} (still showing)`);
    });
    this.#hover = { y, x, value, where };
  }

  clearHover(): void {
    this.#hoverId++;
    this.#hover = null;
  }

  /** Plot the series through pixel (y, x) along `seriesDim` (a 1-D variable: the whole of it). Never rejects. */
  async seriesAt(y: number, x: number): Promise<void> {
    const s = this.#slice;
    const v = s.variable;
    const remote = this.#session.remote;
    if (!v || !remote) return;
    const two = v.shape.length >= 2;
    const index = [...s.index];
    if (two) {
      index[s.yDim] = y;
      index[s.xDim] = x;
    }
    const { yDim, xDim } = s;
    const dim = two ? this.#seriesDim : 0;
    if (two && (dim === yDim || dim === xDim) && v.shape.length > 2) return;
    const id = ++this.#seriesId;
    let r: Awaited<ReturnType<NonNullable<DatasetSession['remote']>['series']>>;
    try {
      r = await remote.series(v.name, index, dim);
    } catch (e) {
      r = { error: { kind: 'fetch-failed', message: `The Zarr worker failed while reading the series: ${messageOf(e)}` } };
    }
    if ('error' in r) {
      if (id === this.#seriesId) s.report(r.error.message);
      return;
    }
    // Labelled by coordinate, which may still be on its way just after opening.
    await this.#session.coordsRead;
    if (id !== this.#seriesId) return;
    const at = two ? ` at ${v.dims[yDim]} = ${s.label(yDim, y)}, ${v.dims[xDim]} = ${s.label(xDim, x)}` : '';
    const dimName = v.dims[dim]!;
    const c = this.#session.coords[dimName];
    this.#series = {
      title: `${v.labels.longName ?? v.name}${at}`,
      dim: dimName,
      units: v.labels.units,
      labels: r.values.map((_, i) => c?.labels[i] ?? String(i)),
      axis: axisSpec(this.#coordVar(dimName), c?.values),
      positions: r.values.map((_, i) => (c && !v.time ? c.values[i]! : i)),
      values: r.values,
      failures: r.failures,
    };
  }
}
