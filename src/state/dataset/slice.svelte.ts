/**
 * The slice on screen: which variable, which dimensions are y and x, where
 * every other slider is, the colours and range, and the picture itself,
 * read and coloured by the Zarr worker and painted tile by tile into a
 * `TileSink` (the canvas). Hover, range and CSV answer for the slice the
 * picture is of, which is not the sliders' one while the next is being read.
 */
import { Comlink, type ZarrWorkerRemote } from '../../rpc/zarr';
import type { VariableInfo } from '../../lib/zarr/dataset';
import type { ChunkFailure } from '../../lib/zarr/read';
import type { Selection } from '../../lib/zarr/plan';
import type { PlanSummary, SliceResult, Tile } from '../../lib/zarr/slice-session';
import { COLORMAP_NAMES, type ColormapName, type ColorScale, type RangeChoice, type ValueRange } from '../../lib/colormap/index';
import { sliceOfView, viewOfSlice, type DatasetView } from '../../lib/zarr/view-state';
import { mark } from '../../lib/zarr/trace';
import { messageOf, type DatasetSession } from './session.svelte';

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

/** The variable and selection a picture is of. */
export interface DrawnSlice extends Selection {
  name: string;
  /** The worker's id of the slice (its values stay there for hover, recolouring and CSV). */
  id: number;
}

/** What the slice view tells the parts beside it. */
export interface SliceHooks {
  /** A 1-D variable is shown as a line (its series), not as a picture. */
  line(): Promise<void>;
  /** The slice asked for was drawn (true), or could not be (false). Superseded draws say nothing. */
  drawn(ok: boolean): void;
}

/**
 * Draw ids are unique across views: a closed view's worker serves the next
 * one, and the worker keeps slices by id.
 */
let nextId = 1;

/**
 * The file name of a slice's CSV: the store, group and variable (`base`), then
 * the fixed dimensions' coordinates of the slice (`cf-tas-2001-06-01.csv`).
 */
export function csvFileName(base: string, fixed: readonly string[]): string {
  const part = (s: string) => s.replace(/[^\p{L}\p{N}._-]+/gu, '_').replace(/^[._]+|_+$/g, '');
  return `${[base, ...fixed].map(part).filter(Boolean).join('-')}.csv`;
}

export class SliceView {
  readonly #session: DatasetSession;
  readonly #hooks: SliceHooks;
  #sink: TileSink | null = null;
  /** The step of the picture the sink holds. */
  #step = 1;
  #drawId = 0;
  /** The slice the picture, hover, range and CSV are of (not the sliders', while one is read). */
  #drawn: DrawnSlice | null = null;
  #sliceShape = { width: 0, height: 0 };
  #varName = $state<string | null>(null);
  #yDim = $state(0);
  #xDim = $state(1);
  #index = $state<number[]>([]);
  #cmap = $state<ColormapName>('viridis');
  #userPickedCmap = $state(false);
  #scale = $state<ColorScale>('linear');
  /** Until the user picks a scale, log is chosen for data clearly skewed positive. */
  #userPickedScale = $state(false);
  #reverse = $state(false);
  #robust = $state(true);
  #manual = $state<ValueRange | null>(null);
  #range = $state<RangeChoice | null>(null);
  #drawing = $state(false);
  #tilesDrawn = $state(0);
  #plan = $state.raw<PlanSummary | null>(null);
  #overBudget = $state<string | null>(null);
  #failures = $state.raw<ChunkFailure[]>([]);
  #deniedAsMissing = $state(0);
  #stats = $state<{ min: number; max: number; finite: number } | null>(null);
  #error = $state<string | null>(null);
  #scalar = $state<number | null>(null);

  constructor(session: DatasetSession, hooks: SliceHooks) {
    this.#session = session;
    this.#hooks = hooks;
  }

  get varName(): string | null {
    return this.#varName;
  }
  get variable(): VariableInfo | null {
    const i = this.#session.info;
    const name = this.#varName;
    if (!i || !name) return null;
    return [...i.dataVars, ...i.coords].find((v) => v.name === name) ?? null;
  }
  /** Variable dimension shown as rows. */
  get yDim(): number {
    return this.#yDim;
  }
  /** Variable dimension shown as columns. */
  get xDim(): number {
    return this.#xDim;
  }
  /** Position along every dimension of the variable (those shown as y and x ignored). */
  get index(): readonly number[] {
    return this.#index;
  }
  get cmap(): ColormapName {
    return this.#cmap;
  }
  /** Linear or log colours (log picked automatically for skewed positive data until the user chooses). */
  get scale(): ColorScale {
    return this.#scale;
  }
  /** Whether the colour map runs end to end. */
  get reverse(): boolean {
    return this.#reverse;
  }
  get robust(): boolean {
    return this.#robust;
  }
  /** A range set by hand (typed, or from the address), or null for the automatic one. */
  get manual(): ValueRange | null {
    return this.#manual;
  }
  /** The range the picture is coloured with. */
  get range(): RangeChoice | null {
    return this.#range;
  }
  get drawing(): boolean {
    return this.#drawing;
  }
  get tilesDrawn(): number {
    return this.#tilesDrawn;
  }
  /** The chunks the slice reads. */
  get plan(): PlanSummary | null {
    return this.#plan;
  }
  /** Why the slice was not read: it is bigger than the budget ("Read anyway" reads it). */
  get overBudget(): string | null {
    return this.#overBudget;
  }
  get failures(): readonly ChunkFailure[] {
    return this.#failures;
  }
  get deniedAsMissing(): number {
    return this.#deniedAsMissing;
  }
  get stats(): { min: number; max: number; finite: number } | null {
    return this.#stats;
  }
  /** Why the slice, its series, colours or CSV could not be had. */
  get error(): string | null {
    return this.#error;
  }
  /** The value of a 0-d variable. */
  get scalar(): number | null {
    return this.#scalar;
  }
  get sliceShape(): { width: number; height: number } {
    return this.#sliceShape;
  }
  /** The slice the picture is of (null while there is none). */
  get drawn(): DrawnSlice | null {
    return this.#drawn;
  }
  /** The draw in flight or last finished (for cancelling it). */
  get drawId(): number {
    return this.#drawId;
  }
  /** What the view shows, for its address (see lib/zarr/view-state.ts). */
  get view(): DatasetView {
    const v = this.variable;
    if (!v) return {};
    return viewOfSlice(v, { yDim: this.#yDim, xDim: this.#xDim, index: this.#index }, {
      cmap: this.#userPickedCmap ? this.#cmap : undefined,
      scale: this.#userPickedScale ? this.#scale : undefined,
      reverse: this.#reverse,
      range: this.#manual,
    });
  }

  /** Where the picture goes; the sink asks for a finer picture when zoomed in. */
  attach(sink: TileSink | null): void {
    this.#sink = sink;
    if (sink) sink.onStep = (step) => void this.#recolor(false, step);
  }

  /**
   * Show variable `name` at `view`'s axes, positions, colours and range where
   * they fit it (not drawn yet: see `draw`). Returns the variable, or null if
   * the dataset has none of that name.
   */
  select(name: string, view: DatasetView = {}): VariableInfo | null {
    this.#varName = name;
    const v = this.variable;
    if (!v) return null;
    const s = sliceOfView(v, view);
    this.#yDim = s.yDim;
    this.#xDim = s.xDim;
    this.#index = s.index;
    if (view.cmap !== undefined && (COLORMAP_NAMES as string[]).includes(view.cmap)) {
      this.#cmap = view.cmap as ColormapName;
      this.#userPickedCmap = true;
    }
    if (view.scale !== undefined) {
      this.#scale = view.scale;
      this.#userPickedScale = true;
    }
    if (view.reverse !== undefined) this.#reverse = view.reverse;
    this.#manual = view.range ?? null;
    if (!this.#userPickedCmap) this.#cmap = 'viridis';
    return v;
  }

  setAxes(yDim: number, xDim: number): void {
    if (yDim === xDim) return;
    this.#yDim = yDim;
    this.#xDim = xDim;
    void this.draw();
  }

  /** Move the slider of dimension `dim` to `i`; returns whether the slice changed (and is being drawn). */
  setIndex(dim: number, i: number): boolean {
    const v = this.variable;
    if (!v) return false;
    const clamped = Math.max(0, Math.min(v.shape[dim]! - 1, Math.round(i)));
    if (this.#index[dim] === clamped) return false;
    this.#index[dim] = clamped;
    void this.draw();
    return true;
  }

  setColormap(name: ColormapName): void {
    this.#cmap = name;
    this.#userPickedCmap = true;
    void this.#recolor();
  }

  setScale(scale: ColorScale): void {
    this.#scale = scale;
    this.#userPickedScale = true;
    void this.#recolor(true);
  }

  setReverse(reverse: boolean): void {
    this.#reverse = reverse;
    void this.#recolor();
  }

  setRobust(robust: boolean): void {
    this.#robust = robust;
    this.#manual = null;
    void this.#recolor(true);
  }

  setManualRange(r: ValueRange | null): void {
    if (r && !(r.max > r.min)) return;
    this.#manual = r;
    void this.#recolor(true);
  }

  /** Something about this slice failed (its series, colours, CSV): say so where its errors show. */
  report(message: string): void {
    this.#error = message;
  }

  /** The label of index `i` along dimension `dim` of the variable. */
  label(dim: number, i: number): string {
    const name = this.variable?.dims[dim];
    const c = name ? this.#session.coords[name] : undefined;
    return c?.labels[i] ?? String(i);
  }

  /** Read and draw the current slice, chunk by chunk. Never rejects. */
  async draw(force = false): Promise<void> {
    const v = this.variable;
    const remote = this.#session.remote;
    if (!v || !remote) return;
    if (v.unsupportedCodecs.length) {
      this.#error = `"${v.name}" uses the codec ${v.unsupportedCodecs.join(', ')}, which Tessera cannot decode.`;
      this.#hooks.drawn(false);
      return;
    }
    const id = nextId++;
    this.#drawId = id;
    this.#scalar = null;
    if (v.shape.length === 1) {
      // 1-D variables plot directly as a line.
      this.#error = null;
      this.#overBudget = null;
      await this.#hooks.line();
      return;
    }
    const free = v.shape.length >= 2 ? [this.#yDim, this.#xDim] : [];
    const sel: Selection = { index: $state.snapshot(this.#index), free };
    this.#drawing = true;
    this.#error = null;
    this.#overBudget = null;
    this.#tilesDrawn = 0;
    this.#failures = [];
    // The chunk inspector at once from the metadata (and the sizes of a listing
    // already made); the stored sizes come after the slice is drawn (#listSizes).
    this.#showPlan(remote.plan(v.name, sel, undefined, false), id);
    const width = free.length === 2 ? v.shape[this.#xDim]! : (v.shape[0] ?? 1);
    const height = free.length === 2 ? v.shape[this.#yDim]! : 1;
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
      if (this.#drawId === id) this.#tilesDrawn = tiles;
    };
    const onTile = Comlink.proxy((t: Tile) => {
      if (this.#drawId !== id) return;
      if (tiles === 0) this.#session.firstTile();
      tiles++;
      this.#sink?.tile(t);
      mark('page:tile');
      const wait = shown + STATUS_MS - performance.now();
      if (wait <= 0) show();
      else pending ||= setTimeout(show, wait);
    });
    let r: SliceResult | { error: { kind: string; message: string } };
    try {
      r = await remote.drawSlice({ id, name: v.name, sel, cmap: this.#cmap, range: $state.snapshot(this.#manual), robust: this.#robust, force, autoCmap: !this.#userPickedCmap && !this.#manual, step, scale: this.#userPickedScale || this.#manual ? this.#scale : 'auto', reverse: this.#reverse }, onTile);
    } catch (e) {
      r = { error: { kind: 'worker', message: `The Zarr worker failed while drawing: ${messageOf(e)}` } };
    }
    if (pending) clearTimeout(pending);
    if (this.#drawId !== id) return;
    this.#tilesDrawn = tiles;
    this.#drawing = false;
    this.#listSizes(remote, v.name, sel, id);
    if ('error' in r) {
      // Whatever is on screen is of another slice: hover, range and CSV must not
      // answer for it under this one's label.
      this.#forget();
      this.#session.checkStale();
      if (r.error.kind === 'over-budget') this.#overBudget = r.error.message;
      // Only a newer draw cancels this one, and then it is no longer current.
      else this.#error = r.error.kind === 'aborted' ? 'Reading this slice was cancelled before it finished.' : r.error.message;
      this.#hooks.drawn(false);
      return;
    }
    this.#drawn = { name: v.name, id: r.id, ...sel };
    this.#finish(v, r);
    this.#hooks.drawn(true);
  }

  #showPlan(plan: Promise<PlanSummary | { error: unknown }>, id: number): void {
    plan.then(
      (p) => {
        if (this.#drawId === id) this.#plan = 'error' in p ? null : p;
      },
      (e: unknown) => {
        if (this.#drawId !== id) return;
        this.#plan = null;
        if (this.#error === null) this.#error = `The chunks of this slice could not be listed: ${messageOf(e)}`;
      },
    );
  }

  /**
   * The stored sizes of a drawn slice's chunks, for the chunk inspector. They
   * need a listing of the variable's objects (pages of keys, one level after
   * another for nested chunk keys; made once per variable), which the store
   * answers slowest of all: asked while the chunks were read, it took a store
   * thread from them (`wan`: its answer came 56 ms after it was sent, a chunk's
   * in 25-98 ms), so it waits until the slice is drawn, like the stale check.
   */
  #listSizes(remote: ZarrWorkerRemote, name: string, sel: Selection, id: number): void {
    if (this.#plan?.storedBytes !== undefined) return;
    this.#showPlan(remote.plan(name, sel), id);
  }

  #forget(): void {
    this.#drawn = null;
    this.#stats = null;
    this.#range = null;
    this.#sink?.clear();
  }

  #finish(v: VariableInfo, r: SliceResult): void {
    this.#range = r.range;
    this.#failures = r.failures;
    this.#deniedAsMissing = r.deniedAsMissing;
    this.#stats = { min: r.min, max: r.max, finite: r.finite };
    if (v.shape.length === 0) void this.#readScalar(r.id);
    // The worker may have picked a diverging map for data around zero (as xarray does).
    this.#cmap = r.cmap;
    this.#scale = r.scale;
    this.#step = r.step;
    this.#sink?.full(r.rgba, r.width, r.height, r.step);
    mark('page:full');
    this.#session.firstFull();
    this.#session.drew();
    this.#session.checkStale();
  }

  async #readScalar(id: number): Promise<void> {
    const remote = this.#session.remote;
    if (!remote) return;
    try {
      const x = await remote.valueAt(id, 0, 0);
      if (this.#drawn?.id === id) this.#scalar = x;
    } catch (e) {
      if (this.#drawn?.id === id) this.#error = `The value could not be read: ${messageOf(e)}`;
    }
  }

  /** Repaint the last slice (colour map, range, or a finer `step` for the view). Never rejects. */
  async #recolor(newRange = false, step = this.#step): Promise<void> {
    const remote = this.#session.remote;
    const id = this.#drawn?.id;
    if (!remote || !id) return;
    try {
      let range: RangeChoice | null = this.#range;
      if (this.#manual) range = { ...$state.snapshot(this.#manual), diverging: this.#manual.min < 0 && this.#manual.max > 0 };
      else if (newRange) range = await remote.autoRange(id, this.#robust, this.#scale);
      // A newer slice may have been drawn meanwhile: its range stays.
      if (!range || id !== this.#drawn?.id) return;
      this.#range = range;
      const rgba = await remote.recolor(id, this.#cmap, $state.snapshot(range), step, { scale: this.#scale, reverse: this.#reverse });
      // A newer slice may have started meanwhile: its tiles must not be painted over.
      if (!rgba || id !== this.#drawn?.id || this.#drawing) return;
      this.#step = step;
      this.#sink?.full(rgba, this.#sliceShape.width, this.#sliceShape.height, step);
    } catch (e) {
      if (id === this.#drawn?.id) this.#error = `The slice could not be coloured again: ${messageOf(e)}`;
    }
  }

  /**
   * The slice on screen as CSV, with a name for the file: `base` (the store,
   * group and variable), then the fixed dimensions' coordinates of this very
   * slice (`cf-tas-2001-06-01`). Null while nothing is drawn. Never rejects.
   */
  async csv(base: string): Promise<{ text: string; name: string } | null> {
    const v = this.variable;
    const remote = this.#session.remote;
    const sel = this.#drawn;
    if (!v || !remote || !sel || sel.name !== v.name) return null;
    // The file and its rows name positions by coordinate, which may still be on their way.
    await this.#session.coordsRead;
    const coords = this.#session.coords;
    const two = sel.free.length === 2;
    const yName = two ? v.dims[sel.free[0]!]! : '';
    const xName = two ? v.dims[sel.free[1]!]! : (v.dims[0] ?? 'index');
    const text = (name: string) => coords[name]?.text ?? null;
    const fixed = v.dims.flatMap((name, d) => (sel.free.includes(d) ? [] : [{ name, label: coords[name]?.text[sel.index[d]!] ?? String(sel.index[d]) }]));
    try {
      const csv = await remote.csv(sel.id, yName, xName, two ? text(yName) : null, text(xName), v.name, fixed);
      return csv === null ? null : { text: csv, name: csvFileName(base, fixed.map((f) => f.label)) };
    } catch (e) {
      this.#error = `The CSV could not be made: ${messageOf(e)}`;
      return null;
    }
  }
}
