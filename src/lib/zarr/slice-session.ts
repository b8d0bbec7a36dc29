/**
 * What the Zarr worker does for the page, DOM-free so Node can test it: open
 * a dataset, draw 2-D slices progressively as RGBA tiles, recolour, read
 * values under the pointer, read series, and export CSV. Results are plain
 * data; expected failures come back as `{ error }` with a kind, because only
 * an error's name and message survive a worker boundary.
 */
import { chooseRange, colormap, logRange, paint, type ColormapName, type ColorScale, type RangeChoice, type ValueRange } from '../colormap/index';
import { ZarrDataset, type CoordValues } from './open';
import { toZarrError, ZarrError, type ZarrErrorKind } from './errors';
import { budgetWarning, DEFAULT_BUDGET_BYTES, type ChunkPlan, type Selection } from './plan';
import { pieceValues, type ChunkFailure, type ChunkPiece, type Values } from './read';
import type { DatasetInfo } from './dataset';
import type { KeySource } from './source';
import type { StaleReport } from './discover';
import { mark } from './trace';
import { sampleRect } from './decimate';
import { valueText } from './float-text';
import { csvCell } from '../csv';
import { gatherValues, geoGrid, gridWidth, pixelCells, type GeoGrid } from '../geo/sample';
import type { ProjectionSpec } from '../geo/projection';

export interface Failure {
  error: { kind: ZarrErrorKind; message: string };
}

export interface OpenResult {
  info: DatasetInfo;
}

export interface Tile {
  id: number;
  y0: number;
  x0: number;
  h: number;
  w: number;
  rgba: Uint8ClampedArray;
}

export interface SliceRequest {
  id: number;
  name: string;
  sel: Selection;
  cmap: ColormapName;
  /** Fixed colour range, or null for the automatic (robust) one. */
  range: ValueRange | null;
  robust: boolean;
  /** Read even when over the budget (the user confirmed). */
  force?: boolean;
  budgetBytes?: number;
  /**
   * The user has not chosen a map: for data around zero use a diverging one
   * (RdBu_r, as xarray does), decided on the first chunk so tiles are drawn
   * in the right colours and no repaint follows.
   */
  autoCmap?: boolean;
  /**
   * Paint every `step`-th row and column of a 2-D slice (1: all). Tiles and
   * the result are then in image pixels of that step (see decimate.ts).
   */
  step?: number;
  /**
   * Linear or log colours; 'auto' (with no fixed range) picks log for data
   * clearly skewed positive (see `RangeChoice.skewed`). Linear by default.
   */
  scale?: ColorScale | 'auto';
  /** Draw the colour map end to end. */
  reverse?: boolean;
}

/** How a slice is coloured again (`recolor`). */
export interface ColorOptions {
  scale?: ColorScale;
  reverse?: boolean;
}

export interface SliceResult {
  id: number;
  height: number;
  width: number;
  range: RangeChoice;
  /** The colour map the picture was painted with (differs from the request's after `autoCmap`). */
  cmap: ColormapName;
  /** The scale the picture was painted with (differs from the request's after 'auto'). */
  scale: ColorScale;
  /** The whole picture with the final range (tiles may have used a provisional one), at `step`. */
  rgba: Uint8ClampedArray;
  step: number;
  failures: ChunkFailure[];
  deniedAsMissing: number;
  finite: number;
  min: number;
  max: number;
}

/** Paint the last slice in a map projection (see lib/geo/sample.ts). */
export interface ProjectRequest {
  /** The slice (a `drawSlice` id) whose values are painted. */
  id: number;
  spec: ProjectionSpec;
  /** Canvas size in pixels. */
  width: number;
  height: number;
  /** Names of the 1-D longitude and latitude coordinates of the slice's axes, and whether longitude is x. */
  lon: string;
  lat: string;
  lonIsX: boolean;
  cmap: ColormapName;
  range: ValueRange;
  /** As the flat picture's (see `recolor`). */
  scale?: ColorScale;
  reverse?: boolean;
}

export interface PlanSummary {
  chunks: number;
  objects: string[];
  decodedBytes: number;
  storedBytes?: number;
  largestChunkBytes: number;
  warning: string | null;
}

/**
 * The picture shown when a dataset opens: the first data variable that can be
 * drawn as 2-D, its last two dimensions as y and x (xarray's default), index 0
 * elsewhere. Shared by the page and the worker so the worker can prefetch it.
 */
export function defaultView(info: DatasetInfo): { name: string; sel: Selection } | null {
  const v = info.dataVars.find((x) => x.shape.length >= 2 && !x.unsupportedCodecs.length) ?? info.dataVars[0] ?? info.coords[0];
  if (!v) return null;
  const n = v.shape.length;
  return { name: v.name, sel: { index: v.shape.map(() => 0), free: n >= 2 ? [n - 2, n - 1] : n === 1 ? [0] : [] } };
}

function fail(e: unknown): Failure {
  const z = toZarrError(e);
  return { error: { kind: z.kind, message: z.message } };
}

function summary(plan: ChunkPlan, budget: number): PlanSummary {
  const s: PlanSummary = { chunks: plan.chunks.length, objects: plan.objects.slice(0, 200), decodedBytes: plan.decodedBytes, largestChunkBytes: plan.largestChunkBytes, warning: budgetWarning(plan, budget) };
  if (plan.storedBytes !== undefined) s.storedBytes = plan.storedBytes;
  return s;
}

export class SliceSession {
  #ds: ZarrDataset | null = null;
  #last: { id: number; name: string; sel: Selection; values: Values; width: number; height: number } | null = null;
  /**
   * The values of the slice shown before the last one, which nothing reads
   * any more: the next slice is read into them instead of into 16 MiB of
   * fresh memory (which Chromium here took ~170 ms to fill). Never the last
   * slice's own (hover, CSV, recolour and projection read those while the
   * next one loads), never an array still being read into.
   */
  #spare: Values | null = null;
  /** Room for a tile's or a picture's values on their way to `paint`, reused (never handed out). */
  #scratch: Values | null = null;
  #controllers = new Map<number, AbortController>();
  /** The grid and the pixel-to-cell map of the last projected picture: reused while only the values change. */
  #projected: { key: string; grid: GeoGrid; cells: Int32Array | null; cellsKey: string } | null = null;
  /** 2-D coordinates (curvilinear grids) read for hover, by name. */
  #coords2d = new Map<string, Promise<{ values: Values; shape: number[] }>>();
  /** Settles when the first picture's chunks have arrived (prefetched at open). */
  #firstChunks: Promise<void> = Promise.resolve();

  /** The scratch array, of the type of `like` and at least `n` long (its contents are read before the next use). */
  #scratchFor(like: Values, n: number): Values {
    const s = this.#scratch;
    if (s && s.constructor === like.constructor && s.length >= n) return s;
    return (this.#scratch = new (like.constructor as typeof Float64Array)(n));
  }

  /** `sampleRect` into the scratch array. */
  #sample(values: Values, offset: number, rowStride: number, y0: number, x0: number, h: number, w: number, step: number) {
    return sampleRect(values, offset, rowStride, y0, x0, h, w, step, this.#scratchFor(values, Math.ceil(h / step) * Math.ceil(w / step)));
  }

  /** An array to read a new slice into (undefined: let the read make one). */
  #takeSpare(): Values | undefined {
    const s = this.#spare ?? undefined;
    this.#spare = null;
    return s;
  }

  /** `values` is read by nothing any more: keep it for the next slice. */
  #giveSpare(values: Values | undefined): void {
    if (!values || values === this.#last?.values) return;
    this.#spare = values;
  }

  /** Open the store behind `source`, showing `group` ("a/b"; "" for the root). */
  async open(source: KeySource, extraNames: string[] = [], group = ''): Promise<OpenResult | Failure> {
    // The last slice was of the dataset open before, in a view the page has
    // closed (or is opening again): nothing reads it any more, so the new
    // dataset's first slice is read into its memory (a reused worker's first
    // picture then takes no fresh 16 MiB). Hover, CSV and recolour of its id
    // answer null from here.
    if (this.#last) {
      const { values } = this.#last;
      this.#last = null;
      this.#giveSpare(values);
    }
    // Coordinates of another dataset, even under the same names, are not this one's.
    this.#projected = null;
    this.#coords2d.clear();
    try {
      // Coordinates are read by `coords()`, alongside the first slice.
      this.#ds = await ZarrDataset.open(source, { extraNames, coords: false, group });
      // The page will ask for the default picture next: get its bytes moving now.
      const first = defaultView(this.#ds.info);
      // Coordinates wait for these bytes (see coords()).
      if (first) this.#firstChunks = this.#ds.prefetch(first.name, first.sel);
      return { info: this.#ds.info };
    } catch (e) {
      return fail(e);
    }
  }

  /**
   * Coordinate values and labels per dimension, plus warnings added while
   * reading them. Asked again, those that could not be read are tried again;
   * `missing` says some still could not, for a reason that may pass.
   */
  async coords(): Promise<{ coords: Record<string, CoordValues>; warnings: string[]; missing: boolean }> {
    const ds = this.#dataset;
    // The first picture's chunks first: they need every connection (6 per
    // host), and the labels are of no use before there is a picture to hover.
    await this.#firstChunks;
    await ds.loadCoords();
    const coords: Record<string, CoordValues> = {};
    for (const d of ds.info.dims) {
      const c = ds.coord(d.name);
      if (c) coords[d.name] = c;
    }
    return { coords, warnings: ds.info.warnings, missing: ds.coordsMissing };
  }

  get #dataset(): ZarrDataset {
    if (!this.#ds) throw new ZarrError('not-found', 'No dataset is open.');
    return this.#ds;
  }

  async checkConsolidated(): Promise<StaleReport | null> {
    try {
      return await this.#dataset.checkConsolidated();
    } catch {
      return null;
    }
  }

  /**
   * Chunk inspector: what a selection touches, with stored sizes when the
   * store can be listed. With `list` false nothing is asked of the store: the
   * sizes are those of a listing already made, if any.
   */
  async plan(name: string, sel: Selection, budgetBytes = DEFAULT_BUDGET_BYTES, list = true): Promise<PlanSummary | Failure> {
    try {
      const sizes = list ? await this.#dataset.objectSizes(name) : undefined;
      return summary(this.#dataset.plan(name, sel, sizes), budgetBytes);
    } catch (e) {
      return fail(e);
    }
  }

  cancel(id: number): void {
    this.#controllers.get(id)?.abort();
  }

  /** Read and paint a 2-D slice; `onTile` gets each chunk's pixels as soon as it is decoded. */
  async drawSlice(req: SliceRequest, onTile: (tile: Tile) => void): Promise<SliceResult | Failure> {
    for (const c of this.#controllers.values()) c.abort();
    const controller = new AbortController();
    this.#controllers.set(req.id, controller);
    try {
      const ds = this.#dataset;
      const plan = ds.plan(req.name, req.sel);
      const budget = req.budgetBytes ?? DEFAULT_BUDGET_BYTES;
      const warning = budgetWarning(plan, budget);
      if (warning && !req.force) return { error: { kind: 'over-budget', message: warning } };
      let cmapName = req.cmap;
      let cmap = colormap(cmapName, req.reverse);
      const autoScale = req.scale === 'auto' && !req.range;
      let scale: ColorScale = req.scale === 'log' ? 'log' : 'linear';
      // Decided again on the whole slice: the first chunk may not be typical.
      const pick = (r: RangeChoice | null) => {
        if (!r) return;
        if (autoScale) scale = r.skewed ? 'log' : 'linear';
        if (!req.autoCmap || req.range) return;
        const want = r.diverging && !colormap(req.cmap).diverging ? 'RdBu_r' : req.cmap;
        if (want !== cmapName) cmap = colormap((cmapName = want), req.reverse);
      };
      /** The range to paint with on `scale` (a log scale needs the positive values' range). */
      const onScale = (values: ArrayLike<number>, r: RangeChoice | null, robust: boolean, maxSamples: number): RangeChoice | null =>
        scale === 'log' && !req.range ? (logRange(values, { robust, maxSamples }) ?? r) : r;
      const two = req.sel.free.length === 2;
      const step = two ? Math.max(1, Math.floor(req.step ?? 1)) : 1;
      const height = two ? plan.outShape[0]! : 1;
      const width = two ? plan.outShape[1]! : (plan.outShape[0] ?? 1);
      let provisional: ValueRange | null = req.range;
      // Min, max and count of finite values, gathered chunk by chunk while the
      // network is the bottleneck rather than in one pass over the slice after it.
      let min = Infinity;
      let max = -Infinity;
      let finite = 0;
      const paintTile = (piece: ChunkPiece) => {
        // The first chunk sets a provisional range so pictures appear at once.
        // (a small sample is enough for a provisional range and costs no time)
        if (!provisional) {
          const first = pieceValues(piece, this.#scratchFor(piece.out, piece.rows * piece.cols));
          const r = chooseRange(first, { robust: req.robust, maxSamples: 16_384 });
          pick(r);
          provisional = onScale(first, r, req.robust, 16_384);
        }
        if (!provisional) return;
        const { out, offset, rowStride, rows, cols } = piece;
        const [y0, h] = piece.chunk.out[0] ?? [0, 1];
        const [x0, w] = piece.chunk.out[1] ?? [y0, h];
        let tile: Tile;
        if (two) {
          const px = this.#sample(out, offset, rowStride, y0, x0, h, w, step);
          if (!px.h || !px.w) return;
          tile = { id: req.id, y0: px.y0, x0: px.x0, h: px.h, w: px.w, rgba: paint(px.values, cmap, { ...provisional, scale }) };
        } else tile = { id: req.id, y0: 0, x0: y0, h: 1, w: h, rgba: paint(out.subarray(offset, offset + rows * cols), cmap, { ...provisional, scale }) };
        mark(`painted ${piece.chunk.objectKey}`);
        onTile(tile);
      };
      // Read into the values of the slice before the last (see #spare); a
      // failed or cancelled read gives them back once it has settled.
      const into = this.#takeSpare();
      let result;
      try {
        result = await ds.read(req.name, req.sel, {
          signal: controller.signal,
          into,
          onPiece: (piece) => {
            // The tile first, the statistics after: on a cold start the loop
            // over every value ran interpreted for ~15 ms before the first tile.
            paintTile(piece);
            // Locals in the loop: the closure's own variables cost a context load and store per value.
            const { out, offset, rowStride, rows, cols } = piece;
            let lo = min;
            let hi = max;
            let n = 0;
            for (let r = 0; r < rows; r++) {
              for (let i = offset + r * rowStride, end = i + cols; i < end; i++) {
                const v = out[i]!;
                if (v === v) {
                  n++;
                  if (v < lo) lo = v;
                  if (v > hi) hi = v;
                }
              }
            }
            min = lo;
            max = hi;
            finite += n;
          },
        });
      } catch (e) {
        this.#giveSpare(into);
        throw e;
      }
      mark('slice:read');
      const values = result.values;
      if (values !== into) this.#giveSpare(into);
      // Cancelled after its last chunk: not the slice the page shows, so not the one hover and CSV read.
      if (controller.signal.aborted) {
        this.#giveSpare(values);
        return { error: { kind: 'aborted', message: 'Cancelled.' } };
      }
      // A strided sample of 64 Ki values gives the percentiles to well within a
      // colour step and sorts in a few ms (200 Ki took ~20 ms of the last chunk's tail).
      const auto = chooseRange(values, { robust: req.robust, maxSamples: 65_536 }) ?? { min: 0, max: 1, diverging: false };
      pick(auto);
      const range: RangeChoice = req.range ? { ...req.range, diverging: req.range.min < 0 && req.range.max > 0 } : (onScale(values, auto, req.robust, 65_536) ?? auto);
      mark('slice:range');
      const previous = this.#last?.values;
      this.#last = { id: req.id, name: req.name, sel: req.sel, values, width, height };
      this.#giveSpare(previous);
      const rgba = paint(two ? this.#sample(values, 0, width, 0, 0, height, width, step).values : values, cmap, { ...range, scale });
      return { id: req.id, height, width, range, cmap: cmapName, scale, rgba, step, failures: result.failures, deniedAsMissing: ds.deniedAsMissing, finite, min: finite ? min : NaN, max: finite ? max : NaN };
    } catch (e) {
      return fail(e);
    } finally {
      this.#controllers.delete(req.id);
    }
  }

  /** Repaint the last slice with another colour map, range or step (no reading). */
  recolor(id: number, cmap: ColormapName, range: ValueRange, step = 1, options: ColorOptions = {}): Uint8ClampedArray | null {
    const l = this.#last;
    if (!l || l.id !== id) return null;
    const two = l.sel.free.length === 2;
    return paint(two && step > 1 ? this.#sample(l.values, 0, l.width, 0, 0, l.height, l.width, step).values : l.values, colormap(cmap, options.reverse), { min: range.min, max: range.max, scale: options.scale ?? 'linear' });
  }

  /** The automatic range of the last slice (of its positive values for a log scale). */
  autoRange(id: number, robust: boolean, scale: ColorScale = 'linear'): RangeChoice | null {
    if (!this.#last || this.#last.id !== id) return null;
    const r = chooseRange(this.#last.values, { robust });
    return scale === 'log' ? (logRange(this.#last.values, { robust }) ?? r) : r;
  }

  /** The value at a pixel of the last slice (NaN: no data; null: outside). */
  valueAt(id: number, y: number, x: number): number | null {
    const l = this.#last;
    if (!l || l.id !== id || y < 0 || x < 0 || y >= l.height || x >= l.width) return null;
    return l.values[y * l.width + x]!;
  }

  /**
   * The last slice painted in a map projection on a `width` x `height`
   * canvas, in the flat picture's colours: every pixel takes the value of the
   * grid cell under it (null when `id` is not the last slice).
   */
  project(req: ProjectRequest): Uint8ClampedArray | null {
    const l = this.#last;
    if (!l || l.id !== req.id || l.sel.free.length !== 2) return null;
    const ds = this.#dataset;
    const key = `${req.lon}|${req.lat}|${req.lonIsX}`;
    if (this.#projected?.key !== key) {
      const lon = ds.coord(req.lon)?.values;
      const lat = ds.coord(req.lat)?.values;
      if (!lon || !lat) return null;
      this.#projected = { key, grid: geoGrid(lon, lat, req.lonIsX), cells: null, cellsKey: '' };
    }
    const p = this.#projected;
    if (gridWidth(p.grid) !== l.width || p.grid.lon.n * p.grid.lat.n !== l.width * l.height) return null;
    const cellsKey = JSON.stringify([req.spec, req.width, req.height]);
    if (!p.cells || p.cellsKey !== cellsKey) {
      p.cells = pixelCells(req.spec, p.grid, req.width, req.height);
      p.cellsKey = cellsKey;
    }
    mark('project:cells');
    const rgba = paint(gatherValues(l.values, p.cells), colormap(req.cmap, req.reverse), { min: req.range.min, max: req.range.max, scale: req.scale ?? 'linear' });
    mark('project:painted');
    return rgba;
  }

  /**
   * The values of 2-D coordinates (a curvilinear grid's `lat(y, x)`,
   * `lon(y, x)`) at row `y`, column `x`, as text in their shortest round-trip
   * form; `transposed` when the arrays are (x, y). Each array is read once.
   */
  async coordsAt(names: string[], y: number, x: number, transposed = false): Promise<(string | null)[] | Failure> {
    try {
      const ds = this.#dataset;
      return await Promise.all(
        names.map(async (name) => {
          let p = this.#coords2d.get(name);
          if (!p) {
            p = ds.read(name, { index: [0, 0], free: [0, 1] }).then((r) => ({ values: r.values, shape: r.shape }));
            this.#coords2d.set(name, p);
            void p.catch(() => this.#coords2d.delete(name));
          }
          const { values, shape } = await p;
          const [r, c] = transposed ? [x, y] : [y, x];
          if (r < 0 || c < 0 || r >= shape[0]! || c >= shape[1]!) return null;
          const v = values[r * shape[1]! + c]!;
          return Number.isNaN(v) ? null : valueText(values)(v);
        }),
      );
    } catch (e) {
      return fail(e);
    }
  }

  /** The series along dimension `dim` through a point. */
  async series(name: string, index: number[], dim: number): Promise<{ values: number[]; failures: ChunkFailure[] } | Failure> {
    try {
      const r = await this.#dataset.read(name, { index, free: [dim] });
      return { values: Array.from(r.values), failures: r.failures };
    } catch (e) {
      return fail(e);
    }
  }

  /**
   * The last slice as CSV, in the shape of xarray's `da.isel(...).to_dataframe().to_csv()`:
   * one row per value with both coordinates, then one column per fixed
   * dimension (its coordinate at this slice, e.g. the date), then the value.
   * Values are written in their shortest round-trip form for their type.
   */
  csv(id: number, yName: string, xName: string, yLabels: string[] | null, xLabels: string[] | null, varName: string, fixed: { name: string; label: string }[] = []): string | null {
    const l = this.#last;
    if (!l || l.id !== id) return null;
    const quote = csvCell;
    const text = valueText(l.values);
    const tail = fixed.map((f) => `,${quote(f.label)}`).join('');
    const lines = [[yName, xName, ...fixed.map((f) => f.name), varName].map(quote).join(',')];
    for (let y = 0; y < l.height; y++) {
      const yl = quote(yLabels?.[y] ?? String(y));
      for (let x = 0; x < l.width; x++) {
        const v = l.values[y * l.width + x]!;
        lines.push(`${yl},${quote(xLabels?.[x] ?? String(x))}${tail},${Number.isNaN(v) ? '' : text(v)}`);
      }
    }
    return `${lines.join('\n')}\n`;
  }
}
