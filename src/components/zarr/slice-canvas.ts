/**
 * The picture of a slice: RGBA tiles land in an off-screen image at screen
 * resolution (every `step`-th value, see lib/zarr/decimate.ts); the visible
 * canvas shows it through a zoom/pan view, and zooming in past the image's
 * resolution asks for a finer one. Rows are drawn bottom-up when the y
 * coordinate increases (as xarray plots them), so maps are not upside down.
 */
import { imageSize, stepFor } from '../../lib/zarr/decimate';
import type { Tile } from '../../lib/zarr/slice-session';
import type { TileSink } from '../../state/dataset.svelte';
import type { FlatView } from '../../lib/geo/lines';

/**
 * Tiles arriving faster than this are drawn together: every redraw is a frame
 * to paint and composite (software, on the same cores as the decoding), and
 * 16 tiles of one slice made 16 frames.
 */
const REDRAW_MS = 50;

export interface View {
  scale: number;
  tx: number;
  ty: number;
}

/** Zoom `k` times the fitted scale, centred on picture point (cx, cy), in values. */
export interface Zoom {
  k: number;
  cx: number;
  cy: number;
}

/** Where the slice is on the canvas: value column x spans canvas x `tx + x·scale` to `tx + (x+1)·scale`. */
export interface Frame {
  view: View;
  /** Slice size in values. */
  width: number;
  height: number;
  /** Row 0 at the bottom (y coordinate increasing). */
  flipY: boolean;
  canvasWidth: number;
  canvasHeight: number;
}

export class SliceCanvas implements TileSink {
  readonly #image: HTMLCanvasElement = document.createElement('canvas');
  #canvas: HTMLCanvasElement | null = null;
  #view: View = { scale: 1, tx: 0, ty: 0 };
  #fitted = false;
  #timer: ReturnType<typeof setTimeout> | 0 = 0;
  #lastDraw = -Infinity;
  /** Values per image pixel along each axis. */
  #step = 1;
  onStep?: (step: number) => void;
  /** Called after every zoom, pan or fit with the zoom to keep in the address (null: fitted). */
  onview?: (zoom: Zoom | null) => void;
  /**
   * Called after every redraw with what the axes need to follow zoom and pan
   * (see PlotFrame.svelte): the view, the slice's size and orientation, the canvas size.
   */
  onframe?: (frame: Frame) => void;
  /** A zoom to restore once the slice's size is known (from the address). */
  #restore: Zoom | null = null;
  flipY = true;
  /** Called after every redraw, so what is drawn over the picture (coastlines) follows zoom and pan. */
  readonly redrawn = new Set<() => void>();
  width = 0;
  height = 0;

  attach(canvas: HTMLCanvasElement): void {
    this.#canvas = canvas;
    if (this.#fitted) this.redraw();
    else this.fit();
  }

  begin(width: number, height: number): number {
    if (width !== this.width || height !== this.height) {
      this.width = width;
      this.height = height;
      this.#fitted = false;
    }
    // Keep the previous picture under the new tiles (smooth animation);
    // only a new shape (or a new step) starts blank.
    if (!this.#fitted) this.fit();
    this.#resize(stepFor(this.#viewFor().scale, this.height, this.width));
    return this.#step;
  }

  /** The image holds the slice at `step` (cleared if that changes its size or step). */
  #resize(step: number): void {
    const size = imageSize(this.height, this.width, step);
    if (step === this.#step && this.#image.width === size.width && this.#image.height === size.height) return;
    this.#step = step;
    this.#image.width = size.width;
    this.#image.height = size.height;
  }

  /** The view, or before a canvas is attached the one it will get (the canvas is 720 x 480). */
  #viewFor(): View {
    if (this.#canvas) return this.#view;
    const scale = Math.min(720 / this.width, 480 / this.height);
    return { scale, tx: 0, ty: 0 };
  }

  tile(t: Tile): void {
    const ctx = this.#image.getContext('2d')!;
    ctx.putImageData(new ImageData(t.rgba as Uint8ClampedArray<ArrayBuffer>, t.w, t.h), t.x0, t.y0);
    this.#schedule(false);
  }

  full(rgba: Uint8ClampedArray, width: number, height: number, step: number): void {
    if (width !== this.width || height !== this.height) {
      this.width = width;
      this.height = height;
      this.#fitted = false;
      if (this.#canvas) this.fit();
    }
    this.#resize(step);
    this.#image.getContext('2d')!.putImageData(new ImageData(rgba as Uint8ClampedArray<ArrayBuffer>, this.#image.width, this.#image.height), 0, 0);
    this.#schedule(true);
    // The user may have zoomed in while the slice was being read.
    this.#checkStep();
  }

  clear(): void {
    this.#image.getContext('2d')!.clearRect(0, 0, this.#image.width, this.#image.height);
    this.#schedule(true);
  }

  /** After a zoom: ask for a finer picture if the view now shows fewer than one value per pixel. */
  #checkStep(): void {
    const want = stepFor(this.#view.scale, this.height, this.width);
    if (want < this.#step && this.width) this.onStep?.(want);
  }

  /**
   * Show the image on the canvas: at once when `now` or when the last redraw
   * is old enough (so the first tile and the finished picture are on the
   * canvas when their message is handled), else once REDRAW_MS have passed.
   */
  #schedule(now: boolean): void {
    const wait = now ? 0 : this.#lastDraw + REDRAW_MS - performance.now();
    if (wait > 0) {
      this.#timer ||= setTimeout(() => {
        this.#timer = 0;
        this.#draw();
      }, wait);
      return;
    }
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = 0;
    this.#draw();
  }

  #draw(): void {
    this.#lastDraw = performance.now();
    this.redraw();
  }

  fit(): void {
    const c = this.#canvas;
    if (!c || !this.width || !this.height) return;
    const scale = Math.min(c.width / this.width, c.height / this.height);
    this.#view = { scale, tx: (c.width - this.width * scale) / 2, ty: (c.height - this.height * scale) / 2 };
    this.#fitted = true;
    const z = this.#restore;
    this.#restore = null;
    if (z) {
      // From an address: the same zoom and centre, on this canvas.
      const k = Math.max(1e-3, Math.min(1e4, z.k));
      this.#view = { scale: scale * k, tx: c.width / 2 - z.cx * scale * k, ty: c.height / 2 - z.cy * scale * k };
      this.#checkStep();
    }
    this.redraw();
    this.#changed();
  }

  /** Show `zoom` once the next slice's size is known (a view restored from its address). */
  restore(zoom: Zoom): void {
    this.#restore = zoom;
    if (this.#canvas && this.width && this.height) this.fit();
  }

  /** The zoom now, relative to the fitted view (null when fitted). */
  get zoomState(): Zoom | null {
    const c = this.#canvas;
    if (!c || !this.width || !this.height) return null;
    const fitScale = Math.min(c.width / this.width, c.height / this.height);
    const v = this.#view;
    const z = { k: v.scale / fitScale, cx: (c.width / 2 - v.tx) / v.scale, cy: (c.height / 2 - v.ty) / v.scale };
    const fitted = Math.abs(z.k - 1) < 1e-6 && Math.abs(z.cx - this.width / 2) < 1e-6 && Math.abs(z.cy - this.height / 2) < 1e-6;
    return fitted ? null : z;
  }

  #changed(): void {
    this.onview?.(this.zoomState);
  }

  zoom(factor: number, cx?: number, cy?: number): void {
    const c = this.#canvas;
    if (!c) return;
    const px = cx ?? c.width / 2;
    const py = cy ?? c.height / 2;
    const v = this.#view;
    const scale = Math.max(0.05, Math.min(400, v.scale * factor));
    const k = scale / v.scale;
    this.#view = { scale, tx: px - (px - v.tx) * k, ty: py - (py - v.ty) * k };
    this.redraw();
    this.#checkStep();
    this.#changed();
  }

  pan(dx: number, dy: number): void {
    this.#view = { ...this.#view, tx: this.#view.tx + dx, ty: this.#view.ty + dy };
    this.redraw();
    this.#changed();
  }

  /** Image pixel under canvas point (in canvas pixels), or null outside the picture. */
  pixelAt(px: number, py: number): { x: number; y: number } | null {
    const v = this.#view;
    const x = Math.floor((px - v.tx) / v.scale);
    const row = Math.floor((py - v.ty) / v.scale);
    if (x < 0 || row < 0 || x >= this.width || row >= this.height) return null;
    return { x, y: this.flipY ? this.height - 1 - row : row };
  }

  /** Where the slice's cells are on the canvas (canvas pixels), for lines drawn over them. */
  get flatView(): FlatView {
    const v = this.#view;
    return { scale: v.scale, tx: v.tx, ty: v.ty, flipY: this.flipY, width: this.width, height: this.height };
  }

  redraw(): void {
    for (const f of this.redrawn) f();
    const c = this.#canvas;
    if (!c) return;
    const ctx = c.getContext('2d')!;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, c.width, c.height);
    this.onframe?.({ view: { ...this.#view }, width: this.width, height: this.height, flipY: this.flipY, canvasWidth: c.width, canvasHeight: c.height });
    if (!this.width) return;
    const v = this.#view;
    // One image pixel covers `step` values: drawn that much larger. Data row 0
    // stays at the bottom (or top) edge; a last image row that covers fewer
    // than `step` rows overhangs by less than one canvas pixel.
    const s = v.scale * this.#step;
    ctx.imageSmoothingEnabled = false;
    if (this.flipY) {
      ctx.setTransform(s, 0, 0, -s, v.tx, v.ty + this.height * v.scale);
    } else ctx.setTransform(s, 0, 0, s, v.tx, v.ty);
    ctx.drawImage(this.#image, 0, 0);
  }

  /** The current view as a PNG. */
  toBlob(): Promise<Blob | null> {
    return new Promise((resolve) => (this.#canvas ? this.#canvas.toBlob(resolve, 'image/png') : resolve(null)));
  }
}
