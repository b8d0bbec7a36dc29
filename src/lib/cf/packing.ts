/**
 * CF packing and masking (CF conventions §2.5.1, §8.1), applied the way
 * xarray's `mask_and_scale` does: raw values equal to `_FillValue` or any
 * `missing_value` become NaN, then `raw * scale_factor + add_offset`.
 */

export interface CfPacking {
  scale: number;
  offset: number;
  /** Raw values that mean "no data" (from `_FillValue` and `missing_value`). */
  masked: number[];
  /** Whether NaN raw values are also "no data" (always true for floats). */
  maskNaN: boolean;
  /** Valid range in raw units, if given (`valid_min`/`valid_max`/`valid_range`). */
  validMin?: number;
  validMax?: number;
}

export type NumericArray = ArrayLike<number | bigint | boolean>;

function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    // Zarr JSON spells non-finite floats as strings.
    if (v === 'NaN') return NaN;
    if (v === 'Infinity') return Infinity;
    if (v === '-Infinity') return -Infinity;
    const n = Number(v);
    return Number.isNaN(n) ? undefined : n;
  }
  return undefined;
}

function numbers(v: unknown): number[] {
  if (Array.isArray(v)) return v.map(toNumber).filter((n): n is number => n !== undefined);
  const n = toNumber(v);
  return n === undefined ? [] : [n];
}

/**
 * The packing of a variable from its attributes. `fillValue` is the array's
 * fill value when it acts as `_FillValue` (xarray stores `_FillValue` as the
 * Zarr v2 `fill_value`).
 */
export function cfPacking(attrs: Record<string, unknown>, fillValue?: unknown): CfPacking {
  const scale = toNumber(attrs.scale_factor) ?? 1;
  const offset = toNumber(attrs.add_offset) ?? 0;
  const masked = [...numbers(attrs._FillValue ?? fillValue), ...numbers(attrs.missing_value)];
  const p: CfPacking = { scale, offset, masked: masked.filter((n) => !Number.isNaN(n)), maskNaN: true };
  const range = numbers(attrs.valid_range);
  const vmin = toNumber(attrs.valid_min) ?? range[0];
  const vmax = toNumber(attrs.valid_max) ?? range[1];
  if (vmin !== undefined) p.validMin = vmin;
  if (vmax !== undefined) p.validMax = vmax;
  return p;
}

/** Whether applying this packing changes anything. */
export function isIdentity(p: CfPacking): boolean {
  return p.scale === 1 && p.offset === 0 && p.masked.length === 0 && p.validMin === undefined && p.validMax === undefined;
}

/** Decode one raw value. */
export function unpackValue(raw: number | bigint | boolean, p: CfPacking): number {
  const v = typeof raw === 'number' ? raw : Number(raw);
  if (Number.isNaN(v)) return NaN;
  for (const m of p.masked) if (v === m) return NaN;
  if (p.validMin !== undefined && v < p.validMin) return NaN;
  if (p.validMax !== undefined && v > p.validMax) return NaN;
  return v * p.scale + p.offset;
}

/**
 * Decode `count` values of `raw` starting at `start` with `step` into `out`
 * from `outStart` (stride 1). Loops are kept simple for the JIT: this runs on
 * every pixel of every slice.
 */
export function unpackInto(
  raw: NumericArray,
  start: number,
  step: number,
  count: number,
  p: CfPacking,
  out: Float32Array | Float64Array,
  outStart: number,
): void {
  // Nothing to decode (floats with a NaN fill value, xarray's default): a
  // native copy, which needs no JIT warm-up (the loop below took ~40 ms on
  // a 512 x 512 chunk before V8 had compiled it).
  if (step === 1 && isIdentity(p) && ArrayBuffer.isView(raw) && !(raw instanceof BigInt64Array || raw instanceof BigUint64Array)) {
    const view = raw as unknown as Float32Array;
    out.set(view.subarray(start, start + count), outStart);
    return;
  }
  const { scale, offset, masked } = p;
  // A float32 array holds the float32 rounding of a fill value written as a double.
  const round = raw instanceof Float32Array ? Math.fround : (x: number) => x;
  const m0 = masked.length > 0 ? round(masked[0]!) : NaN;
  const m1 = masked.length > 1 ? round(masked[1]!) : NaN;
  const more = masked.length > 2;
  const lo = p.validMin ?? -Infinity;
  const hi = p.validMax ?? Infinity;
  const numeric = typeof raw[0] === 'number' || raw.length === 0;
  for (let i = 0, r = start, o = outStart; i < count; i++, r += step, o++) {
    const v = numeric ? (raw[r] as number) : Number(raw[r]);
    if (v === m0 || v === m1 || v !== v || v < lo || v > hi || (more && masked.some((m) => round(m) === v))) out[o] = NaN;
    else out[o] = v * scale + offset;
  }
}
