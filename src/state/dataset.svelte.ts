/**
 * What the dataset view shows: the opened dataset, the chosen variable and
 * slice, colours, hover read-out, the series under a click, and the chunk
 * plan. All reading, decoding and colouring happens in the Zarr worker; this
 * class only holds small results and asks for pictures, which arrive as RGBA
 * tiles handed to a `TileSink` (the canvas of the component).
 */
import { Comlink, prewarmZarrWorker, takeZarrWorker, type ZarrWorker, type ZarrWorkerRemote } from '../rpc/zarr';
import type { DatasetSource } from '../lib/zarr/address';
import type { CoordValues } from '../lib/zarr/open';
import type { DatasetInfo, VariableInfo } from '../lib/zarr/dataset';
import type { StaleReport } from '../lib/zarr/discover';
import type { ChunkFailure } from '../lib/zarr/read';
import { defaultView, type PlanSummary, type SliceResult, type Tile } from '../lib/zarr/slice-session';
import { COLORMAP_NAMES, type ColormapName, type RangeChoice, type ValueRange } from '../lib/colormap/index';
import type { DatasetView } from '../lib/zarr/view-state';
import { formatNumber } from '../lib/zarr/open';
import { pythonSnippet } from '../lib/zarr/python';
import type { S3WorkerRemote } from '../rpc/s3';
import { mark } from '../lib/zarr/trace';

export type { DatasetSource };

/** How often the "Drawing… n of m chunks" count may change while tiles arrive. */
const STATUS_MS = 50;

export interface TileSink {
  /** A slice of this size is coming: returns the step to paint it at (see lib/zarr/decimate.ts). */
  begin(width: number, height: number): number;
  tile(t: Tile): void;
  full(rgba: Uint8ClampedArray, width: number, height: number, step: number): void;
  /** Show nothing: the slice asked for could not be drawn, and the last picture is of another one. */
  clear(): void;
  /** Called by the sink when the view needs a finer step than the picture it holds (zoom in). */
  onStep?: (step: number) => void;
}

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
  positions: number[];
  values: number[];
  failures: ChunkFailure[];
}

let nextId = 1;

/**
 * A dataset is about to be opened (its route was entered): start a Zarr
 * worker now, so its decoders are compiled by the time the dataset is asked for.
 */
export function prewarmDataset(): void {
  if (typeof Worker !== 'undefined') prewarmZarrWorker();
}

export class DatasetState {
  #worker: ZarrWorker | null = null;
  #remote: ZarrWorkerRemote | null = null;
  #sink: TileSink | null = null;
  /** The step of the picture the sink holds. */
  #step = 1;
  #drawId = 0;
  #playTimer: ReturnType<typeof setTimeout> | null = null;
  #userPickedCmap = $state(false);

  readonly source: DatasetSource;
  /** The group shown ("a/b"; "" for the store root). */
  readonly group: string;
  status = $state<'idle' | 'opening' | 'ready' | 'error'>('idle');
  error = $state<string | null>(null);
  info = $state.raw<DatasetInfo | null>(null);
  coords = $state.raw<Record<string, CoordValues>>({});
  stale = $state.raw<StaleReport | null>(null);
  varName = $state<string | null>(null);
  /** Variable dimension indices shown as y (rows) and x (columns). */
  yDim = $state(0);
  xDim = $state(1);
  /** Index along every dimension of the variable (free ones ignored). */
  index = $state<number[]>([]);
  cmap = $state<ColormapName>('viridis');
  robust = $state(true);
  manual = $state<ValueRange | null>(null);
  range = $state<RangeChoice | null>(null);
  drawing = $state(false);
  tilesDrawn = $state(0);
  plan = $state.raw<PlanSummary | null>(null);
  overBudget = $state<string | null>(null);
  failures = $state.raw<ChunkFailure[]>([]);
  deniedAsMissing = $state(0);
  stats = $state<{ min: number; max: number; finite: number } | null>(null);
  drawError = $state<string | null>(null);
  hover = $state<Hover | null>(null);
  series = $state.raw<Series | null>(null);
  seriesDim = $state(0);
  playing = $state(false);
  playDim = $state(0);
  /** The value of a 0-d variable. */
  scalar = $state<number | null>(null);
  /** Endpoint shown in the "reproduce in xarray" snippet. */
  endpoint = $state<string | undefined>(undefined);
  /** Time from asking to open until the first chunk and the whole slice were drawn (ms). */
  timings = $state<{ opened?: number; firstTile?: number; full?: number }>({});
  #t0 = 0;
  #staleChecked = false;
  #sliceId = 0;
  /** The selection of the slice the picture, hover, range and CSV are of (not the sliders', while one is read). */
  #sliceSel: { name: string; index: number[]; free: number[] } | null = null;
  #sliceShape = { width: 0, height: 0 };

  constructor(source: DatasetSource, group = '') {
    this.source = source;
    this.group = group;
  }

  get variable(): VariableInfo | null {
    const i = this.info;
    if (!i || !this.varName) return null;
    return [...i.dataVars, ...i.coords].find((v) => v.name === this.varName) ?? null;
  }

  get python(): string {
    return this.info ? pythonSnippet(this.source, this.variable, this.index, [this.yDim, this.xDim], this.endpoint, this.group) : '';
  }

  get sliceShape(): { width: number; height: number } {
    return this.#sliceShape;
  }

  set sink(s: TileSink | null) {
    this.#sink = s;
    if (s) s.onStep = (step) => void this.#recolor(false, step);
  }

  /**
   * Start the worker and open the dataset. `s3` is the S3 worker for private
   * buckets; `view` is what to show first (from the address), checked
   * against the dataset: what does not fit it is left at its default.
   */
  async open(s3: S3WorkerRemote | null, extraNames: string[] = [], view: DatasetView = {}): Promise<void> {
    this.status = 'opening';
    this.error = null;
    this.#t0 = performance.now();
    mark('page:open');
    this.timings = {};
    this.#worker ??= takeZarrWorker();
    this.#remote = this.#worker.remote;
    let port: MessagePort | null = null;
    if (this.source.kind === 's3') {
      if (!s3) {
        this.status = 'error';
        this.error = 'Connect to the store first to open a dataset in a bucket.';
        return;
      }
      const channel = new MessageChannel();
      // Not awaited: messages on the other end wait in the port until the S3
      // worker serves it, so the open starts one round trip sooner.
      s3.attachReader(Comlink.transfer(channel.port1, [channel.port1])).catch((e: unknown) => {
        this.status = 'error';
        this.error = `The signing worker could not serve chunk reads: ${(e as Error)?.message ?? String(e)}`;
      });
      port = channel.port2;
    }
    const r = await this.#remote.open($state.snapshot(this.source) as DatasetSource, port ? Comlink.transfer(port, [port]) : null, extraNames, this.group);
    if ('error' in r) {
      this.status = 'error';
      this.error = r.error.message;
      return;
    }
    this.timings = { opened: performance.now() - this.#t0 };
    mark('page:opened');
    this.info = r.info;
    this.coords = {};
    this.status = 'ready';
    void this.#remote.coords().then(({ coords, warnings }) => {
      mark('page:coords');
      this.coords = coords;
      if (this.info && warnings.length !== this.info.warnings.length) this.info = { ...this.info, warnings };
    });
    const first = defaultView(r.info);
    const wanted = view.var !== undefined && [...r.info.dataVars, ...r.info.coords].some((x) => x.name === view.var) ? view.var : first?.name;
    if (wanted !== undefined) this.selectVariable(wanted, view);
    if (!first || first.sel.free.length < 2) this.#checkStale();
  }

  /** Show variable `name`, at `view`'s axes, positions, colours and range where they fit it. */
  selectVariable(name: string, view: DatasetView = {}): void {
    this.varName = name;
    const v = this.variable;
    if (!v) return;
    const n = v.shape.length;
    // xarray's default: the last two dimensions are y and x.
    const y = view.y === undefined ? -1 : v.dims.indexOf(view.y);
    const x = view.x === undefined ? -1 : v.dims.indexOf(view.x);
    const axes = n >= 2 && y >= 0 && x >= 0 && y !== x;
    this.yDim = axes ? y : n >= 2 ? n - 2 : 0;
    this.xDim = axes ? x : n >= 2 ? n - 1 : 0;
    this.index = v.dims.map((d, i) => {
      const at = view.index?.[d];
      return at !== undefined && at < v.shape[i]! ? at : 0;
    });
    if (view.cmap !== undefined && (COLORMAP_NAMES as string[]).includes(view.cmap)) {
      this.cmap = view.cmap as ColormapName;
      this.#userPickedCmap = true;
    }
    this.playDim = v.dims.findIndex((d, i) => i !== this.yDim && i !== this.xDim && /time/i.test(d));
    if (this.playDim < 0) this.playDim = v.shape.findIndex((_, i) => i !== this.yDim && i !== this.xDim);
    this.seriesDim = Math.max(0, this.playDim);
    this.manual = view.range ?? null;
    this.series = null;
    this.hover = null;
    if (!this.#userPickedCmap) this.cmap = 'viridis';
    void this.draw();
  }

  /** What the view shows, for its address (the sliders' positions by dimension name). */
  get view(): DatasetView {
    const v = this.variable;
    if (!v) return {};
    const out: DatasetView = { var: v.name };
    const index: Record<string, number> = {};
    v.dims.forEach((d, i) => {
      if (i !== this.yDim && i !== this.xDim && this.index[i]) index[d] = this.index[i]!;
    });
    if (Object.keys(index).length) out.index = index;
    const n = v.shape.length;
    if (n >= 2 && (this.yDim !== n - 2 || this.xDim !== n - 1)) {
      out.y = v.dims[this.yDim]!;
      out.x = v.dims[this.xDim]!;
    }
    if (this.#userPickedCmap) out.cmap = this.cmap;
    if (this.manual) out.range = { ...this.manual };
    return out;
  }

  setAxes(yDim: number, xDim: number): void {
    if (yDim === xDim) return;
    this.yDim = yDim;
    this.xDim = xDim;
    void this.draw();
  }

  setIndex(dim: number, i: number): void {
    const v = this.variable;
    if (!v) return;
    const clamped = Math.max(0, Math.min(v.shape[dim]! - 1, Math.round(i)));
    if (this.index[dim] === clamped) return;
    this.index[dim] = clamped;
    void this.draw();
  }

  setColormap(name: ColormapName): void {
    this.cmap = name;
    this.#userPickedCmap = true;
    void this.#recolor();
  }

  setRobust(robust: boolean): void {
    this.robust = robust;
    this.manual = null;
    void this.#recolor(true);
  }

  setManualRange(r: ValueRange | null): void {
    if (r && !(r.max > r.min)) return;
    this.manual = r;
    void this.#recolor(true);
  }

  /** The label of index `i` along dimension `dim` of the variable. */
  label(dim: number, i: number): string {
    const name = this.variable?.dims[dim];
    const c = name ? this.coords[name] : undefined;
    return c?.labels[i] ?? String(i);
  }

  /** Read and draw the current slice, chunk by chunk. */
  async draw(force = false): Promise<void> {
    const v = this.variable;
    const remote = this.#remote;
    if (!v || !remote) return;
    if (v.unsupportedCodecs.length) {
      this.drawError = `"${v.name}" uses the codec ${v.unsupportedCodecs.join(', ')}, which Tessera cannot decode.`;
      return;
    }
    const id = nextId++;
    this.#drawId = id;
    this.scalar = null;
    if (v.shape.length === 1) {
      // 1-D variables plot directly as a line.
      await this.seriesAt(0, 0);
      return;
    }
    const free = v.shape.length >= 2 ? [this.yDim, this.xDim] : v.shape.length === 1 ? [0] : [];
    const sel = { index: $state.snapshot(this.index), free };
    this.drawing = true;
    this.drawError = null;
    this.overBudget = null;
    this.tilesDrawn = 0;
    this.failures = [];
    remote.plan(v.name, sel).then((p) => {
      if (this.#drawId === id) this.plan = 'error' in p ? null : p;
    });
    const width = free.length === 2 ? v.shape[this.xDim]! : (v.shape[0] ?? 1);
    const height = free.length === 2 ? v.shape[this.yDim]! : 1;
    this.#sliceShape = { width, height };
    const step = free.length === 2 ? (this.#sink?.begin(width, height) ?? 1) : 1;
    // The count on screen follows the tiles at most every STATUS_MS: each
    // change of it is a frame to lay out and paint, like each canvas redraw.
    let tiles = 0;
    let shown = -Infinity;
    let pending: ReturnType<typeof setTimeout> | 0 = 0;
    const show = () => {
      pending = 0;
      shown = performance.now();
      if (this.#drawId === id) this.tilesDrawn = tiles;
    };
    const onTile = Comlink.proxy((t: Tile) => {
      if (this.#drawId !== id) return;
      if (tiles === 0 && this.timings.firstTile === undefined) this.timings = { ...this.timings, firstTile: performance.now() - this.#t0 };
      tiles++;
      this.#sink?.tile(t);
      mark('page:tile');
      const wait = shown + STATUS_MS - performance.now();
      if (wait <= 0) show();
      else pending ||= setTimeout(show, wait);
    });
    let r: SliceResult | { error: { kind: string; message: string } };
    try {
      r = await remote.drawSlice({ id, name: v.name, sel, cmap: this.cmap, range: $state.snapshot(this.manual), robust: this.robust, force, autoCmap: !this.#userPickedCmap && !this.manual, step }, onTile);
    } catch (e) {
      r = { error: { kind: 'worker', message: `The Zarr worker failed while drawing: ${(e as Error)?.message ?? String(e)}` } };
    }
    if (pending) clearTimeout(pending);
    if (this.#drawId !== id) return;
    this.tilesDrawn = tiles;
    this.drawing = false;
    if ('error' in r) {
      // Whatever is on screen is of another slice: hover, range and CSV must not
      // answer for it under this one's label.
      this.#forgetSlice();
      this.#checkStale();
      if (r.error.kind === 'over-budget') this.overBudget = r.error.message;
      // Only a newer draw cancels this one, and then it is no longer current.
      else this.drawError = r.error.kind === 'aborted' ? 'Reading this slice was cancelled before it finished.' : r.error.message;
      return;
    }
    this.#sliceSel = { name: v.name, ...sel };
    this.#finish(r);
  }

  #forgetSlice(): void {
    this.#sliceId = 0;
    this.#sliceSel = null;
    this.stats = null;
    this.range = null;
    this.hover = null;
    this.#sink?.clear();
  }

  /**
   * Is the consolidated metadata stale? This lists and reads every metadata
   * key, so it runs once the first picture is done (or failed) and never
   * competes with its chunks.
   */
  #checkStale(): void {
    if (this.#staleChecked || !this.#remote) return;
    this.#staleChecked = true;
    void this.#remote.checkConsolidated().then((s) => (this.stale = s && (s.unlisted.length || s.changed.length) ? s : null));
  }

  #finish(r: SliceResult): void {
    this.#sliceId = r.id;
    this.range = r.range;
    this.failures = r.failures;
    this.deniedAsMissing = r.deniedAsMissing;
    this.stats = { min: r.min, max: r.max, finite: r.finite };
    if (this.variable?.shape.length === 0) void this.#remote?.valueAt(r.id, 0, 0).then((x) => (this.scalar = x));
    // The worker may have picked a diverging map for data around zero (as xarray does).
    this.cmap = r.cmap;
    this.#step = r.step;
    this.#sink?.full(r.rgba, r.width, r.height, r.step);
    mark('page:full');
    if (this.timings.full === undefined) this.timings = { ...this.timings, full: performance.now() - this.#t0 };
    this.#checkStale();
    if (this.playing) this.#scheduleStep();
  }

  /** Repaint the last slice (colour map, range, or a finer `step` for the view). */
  async #recolor(newRange = false, step = this.#step): Promise<void> {
    const remote = this.#remote;
    if (!remote || !this.#sliceId) return;
    let range: RangeChoice | null = this.range;
    if (this.manual) range = { ...$state.snapshot(this.manual), diverging: this.manual.min < 0 && this.manual.max > 0 };
    else if (newRange) range = await remote.autoRange(this.#sliceId, this.robust);
    if (!range) return;
    this.range = range;
    const id = this.#sliceId;
    const rgba = await remote.recolor(id, this.cmap, $state.snapshot(range), step);
    // A newer slice may have started meanwhile: its tiles must not be painted over.
    if (!rgba || id !== this.#sliceId || this.drawing) return;
    this.#step = step;
    this.#sink?.full(rgba, this.#sliceShape.width, this.#sliceShape.height, step);
  }

  /** Pointer over pixel (y, x) of the slice. */
  async hoverAt(y: number, x: number): Promise<void> {
    const v = this.variable;
    if (!v || !this.#remote || !this.#sliceId) return;
    const sel = this.#sliceSel;
    const two = v.shape.length >= 2;
    // While another slice is being read the picture is the last one drawn: read
    // from it only if its axes are the ones shown, and name where it is.
    if (!sel || sel.name !== v.name || (two && (sel.free[0] !== this.yDim || sel.free[1] !== this.xDim))) {
      this.hover = null;
      return;
    }
    const value = await this.#remote.valueAt(this.#sliceId, y, x);
    if (value === null) {
      this.hover = null;
      return;
    }
    const where = two ? [`${v.dims[this.yDim]} = ${this.label(this.yDim, y)}`, `${v.dims[this.xDim]} = ${this.label(this.xDim, x)}`] : [`${v.dims[0]} = ${this.label(0, x)}`];
    v.dims.forEach((d, i) => {
      if (!sel.free.includes(i) && sel.index[i] !== this.index[i]) where.push(`${d} = ${this.label(i, sel.index[i]!)} (still showing)`);
    });
    this.hover = { y, x, value, where };
  }

  clearHover(): void {
    this.hover = null;
  }

  /** Plot the series through pixel (y, x) along `seriesDim`. */
  async seriesAt(y: number, x: number): Promise<void> {
    const v = this.variable;
    if (!v || !this.#remote) return;
    const index = $state.snapshot(this.index);
    if (v.shape.length >= 2) {
      index[this.yDim] = y;
      index[this.xDim] = x;
    }
    const dim = v.shape.length >= 2 ? this.seriesDim : 0;
    if (v.shape.length >= 2 && (dim === this.yDim || dim === this.xDim) && v.shape.length > 2) return;
    const r = await this.#remote.series(v.name, index, dim);
    if ('error' in r) {
      this.drawError = r.error.message;
      return;
    }
    const at = v.shape.length >= 2 ? ` at ${v.dims[this.yDim]} = ${this.label(this.yDim, y)}, ${v.dims[this.xDim]} = ${this.label(this.xDim, x)}` : '';
    const dimName = v.dims[dim]!;
    const c = this.coords[dimName];
    this.series = {
      title: `${v.labels.longName ?? v.name}${at}`,
      dim: dimName,
      units: v.labels.units,
      labels: r.values.map((_, i) => c?.labels[i] ?? String(i)),
      positions: r.values.map((_, i) => (c && !v.time ? c.values[i]! : i)),
      values: r.values,
      failures: r.failures,
    };
  }

  togglePlay(): void {
    this.playing = !this.playing;
    if (this.playing) this.#scheduleStep();
    else if (this.#playTimer) clearTimeout(this.#playTimer);
  }

  #scheduleStep(): void {
    if (this.#playTimer) clearTimeout(this.#playTimer);
    this.#playTimer = setTimeout(() => {
      const v = this.variable;
      if (!this.playing || !v || this.playDim < 0) return;
      this.setIndex(this.playDim, ((this.index[this.playDim] ?? 0) + 1) % v.shape[this.playDim]!);
    }, 250);
  }

  /**
   * The slice on screen as CSV, with a name for the file: the store, group
   * and variable, then the fixed dimensions' coordinates of this very slice
   * (`cf-tas-2001-06-01`). Null while nothing is drawn.
   */
  async csv(base: string): Promise<{ text: string; name: string } | null> {
    const v = this.variable;
    const sel = this.#sliceSel;
    if (!v || !this.#remote || !this.#sliceId || !sel || sel.name !== v.name) return null;
    const two = sel.free.length === 2;
    const yName = two ? v.dims[sel.free[0]!]! : '';
    const xName = two ? v.dims[sel.free[1]!]! : (v.dims[0] ?? 'index');
    const text = (name: string) => this.coords[name]?.text ?? null;
    const fixed = v.dims.flatMap((name, d) => (sel.free.includes(d) ? [] : [{ name, label: this.coords[name]?.text[sel.index[d]!] ?? String(sel.index[d]) }]));
    const csv = await this.#remote.csv(this.#sliceId, yName, xName, two ? text(yName) : null, text(xName), v.name, fixed);
    if (csv === null) return null;
    const part = (s: string) => s.replace(/[^\p{L}\p{N}._-]+/gu, '_').replace(/^[._]+|_+$/g, '');
    return { text: csv, name: `${[base, ...fixed.map((f) => f.label)].map(part).filter(Boolean).join('-')}.csv` };
  }

  formatValue(value: number | null): string {
    if (value === null) return '';
    if (Number.isNaN(value)) return 'no data';
    return formatNumber(value);
  }

  close(): void {
    this.playing = false;
    if (this.#playTimer) clearTimeout(this.#playTimer);
    const worker = this.#worker;
    const remote = this.#remote;
    this.#worker = null;
    this.#remote = null;
    if (!worker) return;
    // Reuse only a worker that is not opening: a late open would replace the next view's dataset.
    const reusable = this.status !== 'opening';
    if (reusable) remote?.cancel(this.#drawId).catch(() => undefined);
    worker.release(reusable);
  }
}
