/**
 * Half floats where the JavaScript engine has no `Float16Array` (Node 20,
 * older browsers): zarrita needs that class for `float16`, so such arrays are
 * read as their raw 16-bit patterns and converted here.
 */

export const hasFloat16Array = typeof (globalThis as { Float16Array?: unknown }).Float16Array === 'function';

/** The float value of IEEE 754 half-precision bits. */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** Half-precision bits of a number (round to nearest), for fill values. */
export function floatToHalf(v: number): number {
  if (Number.isNaN(v)) return 0x7e00;
  const s = v < 0 || Object.is(v, -0) ? 0x8000 : 0;
  const a = Math.abs(v);
  if (a >= 65520) return s | 0x7c00;
  if (a < 2 ** -14) return s | Math.round(a / 2 ** -24);
  const e = Math.floor(Math.log2(a));
  const f = Math.round((a / 2 ** e - 1) * 1024);
  return f === 1024 ? s | ((e + 16) << 10) : s | ((e + 15) << 10) | f;
}

/** Convert a chunk of half-float bit patterns to floats. */
export function halvesToFloats(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = halfToFloat(bits[i]!);
  return out;
}

/** Metadata zarrita can open without `Float16Array`: the same bytes read as uint16. */
export function float16AsUint16(raw: Record<string, unknown>, zarrFormat: 2 | 3): Record<string, unknown> {
  const fill = raw.fill_value;
  const fillNum = fill === 'NaN' ? NaN : typeof fill === 'number' ? fill : null;
  const fill_value = fillNum === null ? (zarrFormat === 3 ? 0 : null) : floatToHalf(fillNum);
  if (zarrFormat === 2) return { ...raw, dtype: String(raw.dtype).replace('f2', 'u2'), fill_value };
  return { ...raw, data_type: 'uint16', fill_value };
}
