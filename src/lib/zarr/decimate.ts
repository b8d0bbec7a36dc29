/**
 * Pictures at screen resolution. A 2048 x 2048 slice shown in a 720 x 480
 * canvas needs one value in 16, so the worker paints every `step`-th row and
 * column (nearest neighbour, as the canvas would when scaling the full image
 * down) and the page asks for a finer step only when the user zooms in.
 * Painting, sending and drawing a quarter-size picture costs a sixteenth.
 *
 * Image pixel (i, j) at step f shows the value at data row i*f, column j*f.
 */
import type { Values } from './read';

/** Longest side of a picture held by the page (8192 x 8192 RGBA is 256 MiB; canvases fail beyond 16384). */
export const MAX_IMAGE_SIDE = 8192;

/**
 * The coarsest step that still gives at least one value per canvas pixel at
 * `scale` canvas pixels per value, but never a picture side over MAX_IMAGE_SIDE.
 */
export function stepFor(scale: number, height = 0, width = 0): number {
  const view = scale > 0 && Number.isFinite(scale) ? Math.max(1, Math.floor(1 / scale)) : 1;
  return Math.max(view, Math.ceil(Math.max(height, width) / MAX_IMAGE_SIDE));
}

/** Image size of a `height` x `width` slice at `step`. */
export function imageSize(height: number, width: number, step: number): { height: number; width: number } {
  return { height: Math.ceil(height / step), width: Math.ceil(width / step) };
}

export interface Sampled {
  /** Top-left of the block in image pixels. */
  y0: number;
  x0: number;
  h: number;
  w: number;
  values: Values;
}

/**
 * The image pixels of a block of values: `values` holds `h` rows of `w`
 * values whose first is data (y0, x0). Rows and columns on the step grid are
 * kept; a block with none has h or w 0.
 */
export function sampleBlock(values: Values, y0: number, x0: number, h: number, w: number, step: number): Sampled {
  return sampleRect(values, 0, w, y0, x0, h, w, step);
}

/**
 * `sampleBlock` of a block held inside a larger array (a chunk's part of a
 * slice): its row r (data row y0 + r) starts at `offset + r * rowStride` in
 * `values`. The pixels go into `into` when it is of the same type and long
 * enough (a view of it is returned: read it before `into` is used again),
 * else into a new array; at step 1 a block whose rows are contiguous is
 * returned as a view of `values`.
 */
export function sampleRect(values: Values, offset: number, rowStride: number, y0: number, x0: number, h: number, w: number, step: number, into?: Values): Sampled {
  const iy0 = Math.ceil(y0 / step);
  const ix0 = Math.ceil(x0 / step);
  const ih = Math.max(0, Math.floor((y0 + h - 1) / step) - iy0 + 1);
  const iw = Math.max(0, Math.floor((x0 + w - 1) / step) - ix0 + 1);
  if (step === 1 && (h <= 1 || rowStride === w)) return { y0, x0, h, w, values: offset === 0 && h * w === values.length ? values : values.subarray(offset, offset + h * w) };
  const out = into && into.constructor === values.constructor && into.length >= ih * iw ? into.subarray(0, ih * iw) : values instanceof Float32Array ? new Float32Array(ih * iw) : new Float64Array(ih * iw);
  for (let r = 0; r < ih; r++) {
    const from = offset + ((iy0 + r) * step - y0) * rowStride + (ix0 * step - x0);
    const o = r * iw;
    if (step === 1) out.set(values.subarray(from, from + iw), o);
    else for (let c = 0; c < iw; c++) out[o + c] = values[from + c * step]!;
  }
  return { y0: iy0, x0: ix0, h: ih, w: iw, values: out };
}
