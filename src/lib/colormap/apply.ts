/**
 * Values to RGBA pixels through a lookup table. NaN (masked, fill, missing
 * chunk) is drawn transparent so the page's checkerboard shows through:
 * "no data" must never look like a colour of the scale.
 */
import type { Colormap } from './maps';

/**
 * How values map onto the colours: evenly (linear), or by their logarithm
 * (log: for positive data spread over decades, such as precipitation;
 * values at or below zero take the lowest colour).
 */
export type ColorScale = 'linear' | 'log';

export interface PaintOptions {
  min: number;
  max: number;
  scale?: ColorScale;
  /** RGBA for NaN; transparent by default. */
  nanColor?: [number, number, number, number];
}

/** Whether a Uint32Array sees RGBA bytes as r | g << 8 | b << 16 | a << 24 (true everywhere browsers run). */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

const packed = new WeakMap<Uint8Array, Uint32Array>();

/** The colour map as 256 packed RGBA pixels (opaque). */
function lut32(lut: Uint8Array): Uint32Array {
  let t = packed.get(lut);
  if (!t) {
    t = new Uint32Array(256);
    for (let i = 0; i < 256; i++) t[i] = (lut[i * 3]! | (lut[i * 3 + 1]! << 8) | (lut[i * 3 + 2]! << 16) | (255 << 24)) >>> 0;
    packed.set(lut, t);
  }
  return t;
}

/**
 * Runs on every pixel of every picture: one 32-bit store per pixel instead of
 * four clamped byte stores (~2x faster in Node on a 2048 x 2048 slice).
 */
function fill(values: ArrayLike<number>, n: number, min: number, k: number, t: Uint32Array, nan: number, out: Uint32Array): void {
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (v !== v) {
      out[i] = nan;
      continue;
    }
    const idx = ((v - min) * k + 0.5) | 0;
    out[i] = t[idx < 0 ? 0 : idx > 255 ? 255 : idx]!;
  }
}

/** The byte-wise loop, for a big-endian engine. */
function fillBytes(values: ArrayLike<number>, n: number, min: number, k: number, lut: Uint8Array, nanColor: readonly number[], rgba: Uint8ClampedArray): void {
  for (let i = 0, o = 0; i < n; i++, o += 4) {
    const v = values[i]!;
    if (v !== v) {
      rgba[o] = nanColor[0]!;
      rgba[o + 1] = nanColor[1]!;
      rgba[o + 2] = nanColor[2]!;
      rgba[o + 3] = nanColor[3]!;
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
}

/** Same as `fill`, through log10: values at or below zero (log -Infinity) clamp to the first colour. */
function fillLog(values: ArrayLike<number>, n: number, min: number, k: number, t: Uint32Array, nan: number, out: Uint32Array): void {
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (v !== v) {
      out[i] = nan;
      continue;
    }
    const idx = v > 0 ? ((Math.log10(v) - min) * k + 0.5) | 0 : 0;
    out[i] = t[idx < 0 ? 0 : idx > 255 ? 255 : idx]!;
  }
}

/**
 * The lower end of a log scale: `min` when it is positive, else three
 * decades below `max` (a log scale cannot start at or below zero).
 */
export function logFloor(min: number, max: number): number {
  if (min > 0) return min;
  return max > 0 ? max / 1000 : 1;
}

/** Fill `out` (RGBA, 4 bytes per value) from `values`. */
export function paint(values: ArrayLike<number>, cmap: Colormap, options: PaintOptions, out?: Uint8ClampedArray): Uint8ClampedArray {
  const n = values.length;
  const rgba = out ?? new Uint8ClampedArray(n * 4);
  const log = options.scale === 'log';
  const min = log ? Math.log10(logFloor(options.min, options.max)) : options.min;
  const max = log ? Math.log10(Math.max(options.max, logFloor(options.min, options.max))) : options.max;
  const span = max - min;
  const k = span > 0 ? 255 / span : 0;
  const nanColor = options.nanColor ?? [0, 0, 0, 0];
  if (log || !LITTLE_ENDIAN || rgba.byteOffset % 4 !== 0) {
    if (log && LITTLE_ENDIAN && rgba.byteOffset % 4 === 0) {
      const nan = (nanColor[0] | (nanColor[1] << 8) | (nanColor[2] << 16) | (nanColor[3] << 24)) >>> 0;
      fillLog(values, n, min, k, lut32(cmap.lut), nan, new Uint32Array(rgba.buffer, rgba.byteOffset, n));
      return rgba;
    }
    const vals = log ? Float64Array.from({ length: n }, (_, i) => (values[i]! > 0 ? Math.log10(values[i]!) : values[i]! === values[i]! ? -Infinity : NaN)) : values;
    fillBytes(vals, n, min, k, cmap.lut, nanColor, rgba);
    return rgba;
  }
  const t = lut32(cmap.lut);
  const nan = (nanColor[0] | (nanColor[1] << 8) | (nanColor[2] << 16) | (nanColor[3] << 24)) >>> 0;
  const out32 = new Uint32Array(rgba.buffer, rgba.byteOffset, n);
  fill(values, n, min, k, t, nan, out32);
  return rgba;
}

/** A horizontal colour bar strip: `width` x 1 RGBA pixels from min to max. */
export function colorbarStrip(cmap: Colormap, width = 256): Uint8ClampedArray {
  const values = new Float64Array(width);
  for (let i = 0; i < width; i++) values[i] = width === 1 ? 0 : i / (width - 1);
  return paint(values, cmap, { min: 0, max: 1 });
}

/** Evenly spaced "nice" tick values (see plot/ticks.ts for the axes' ticks) for a colour bar or axis (1, 2, 5 x 10^k steps). */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max) || max <= min) return [min];
  const raw = (max - min) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let t = Math.ceil(min / step) * step; t <= max + step * 1e-9; t += step) out.push(Math.abs(t) < step * 1e-9 ? 0 : Number(t.toPrecision(12)));
  return out;
}
