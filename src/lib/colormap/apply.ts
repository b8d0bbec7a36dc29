/**
 * Values to RGBA pixels through a lookup table. NaN (masked, fill, missing
 * chunk) is drawn transparent so the page's checkerboard shows through:
 * "no data" must never look like a colour of the scale.
 */
import type { Colormap } from './maps';

export interface PaintOptions {
  min: number;
  max: number;
  /** RGBA for NaN; transparent by default. */
  nanColor?: [number, number, number, number];
}

/** Fill `out` (RGBA, 4 bytes per value) from `values`. */
export function paint(values: ArrayLike<number>, cmap: Colormap, options: PaintOptions, out?: Uint8ClampedArray): Uint8ClampedArray {
  const n = values.length;
  const rgba = out ?? new Uint8ClampedArray(n * 4);
  const { lut } = cmap;
  const { min, max } = options;
  const span = max - min;
  const k = span > 0 ? 255 / span : 0;
  const [nr, ng, nb, na] = options.nanColor ?? [0, 0, 0, 0];
  for (let i = 0, o = 0; i < n; i++, o += 4) {
    const v = values[i]!;
    if (v !== v) {
      rgba[o] = nr;
      rgba[o + 1] = ng;
      rgba[o + 2] = nb;
      rgba[o + 3] = na;
      continue;
    }
    let idx = ((v - min) * k + 0.5) | 0;
    if (idx < 0) idx = 0;
    else if (idx > 255) idx = 255;
    const l = idx * 3;
    rgba[o] = lut[l]!;
    rgba[o + 1] = lut[l + 1]!;
    rgba[o + 2] = lut[l + 2]!;
    rgba[o + 3] = 255;
  }
  return rgba;
}

/** A horizontal colour bar strip: `width` x 1 RGBA pixels from min to max. */
export function colorbarStrip(cmap: Colormap, width = 256): Uint8ClampedArray {
  const values = new Float64Array(width);
  for (let i = 0; i < width; i++) values[i] = width === 1 ? 0 : i / (width - 1);
  return paint(values, cmap, { min: 0, max: 1 });
}

/** Evenly spaced "nice" tick values for a colour bar or axis (1, 2, 5 x 10^k steps). */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max) || max <= min) return [min];
  const raw = (max - min) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let t = Math.ceil(min / step) * step; t <= max + step * 1e-9; t += step) out.push(Math.abs(t) < step * 1e-9 ? 0 : Number(t.toPrecision(12)));
  return out;
}
