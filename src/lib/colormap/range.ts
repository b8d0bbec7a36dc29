/**
 * Robust colour range, as xarray's `robust=True`: the 2nd and 98th
 * percentiles of the finite values, so a few outliers do not wash out the
 * picture. Large slices are sampled with a fixed stride (deterministic).
 */

export interface ValueRange {
  min: number;
  max: number;
}

export interface RangeChoice extends ValueRange {
  /** Whether the data straddle zero (xarray then centres a diverging map on 0). */
  diverging: boolean;
  /**
   * Whether the data are clearly skewed positive (none below zero, the median
   * under a tenth of the 98th percentile, as rain is): a log scale suits them.
   */
  skewed?: boolean;
}

const MAX_SAMPLES = 200_000;

/** Finite values of `values`, sampled down to at most `maxSamples`, sorted. */
function sortedSample(values: ArrayLike<number>, maxSamples: number): Float64Array {
  const step = Math.max(1, Math.ceil(values.length / maxSamples));
  const out = new Float64Array(Math.ceil(values.length / step));
  let n = 0;
  for (let i = 0; i < values.length; i += step) {
    const v = values[i]!;
    if (Number.isFinite(v)) out[n++] = v;
  }
  return out.subarray(0, n).sort();
}

/** Linear-interpolated percentile of sorted data (numpy's default method). */
export function percentileOfSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (q / 100) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  const f = pos - lo;
  return sorted[lo]! * (1 - f) + sorted[hi]! * f;
}

/** Min and max of the finite values, or null when there are none. */
export function finiteRange(values: ArrayLike<number>): ValueRange | null {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min <= max ? { min, max } : null;
}

/**
 * Choose the colour range. `robust` uses the 2-98 percentiles. When the range
 * straddles zero it is made symmetric around zero and flagged diverging (the
 * rule of xarray's `_determine_cmap_params`).
 */
export function chooseRange(values: ArrayLike<number>, options: { robust?: boolean; maxSamples?: number } = {}): RangeChoice | null {
  const robust = options.robust ?? true;
  let r: ValueRange | null;
  // Without `robust` the sample only judges the skew: a small one will do.
  const s = sortedSample(values, options.maxSamples ?? (robust ? MAX_SAMPLES : 16_384));
  if (s.length === 0) return null;
  const p98 = percentileOfSorted(s, 98);
  const skewed = s[0]! >= 0 && p98 > 0 && percentileOfSorted(s, 50) < 0.1 * p98;
  if (robust) {
    r = { min: percentileOfSorted(s, 2), max: p98 };
  } else {
    r = finiteRange(values);
    if (!r) return null;
  }
  const diverging = r.min < 0 && r.max > 0;
  if (diverging) {
    const m = Math.max(-r.min, r.max);
    return { min: -m, max: m, diverging };
  }
  if (r.min === r.max) {
    // A constant field still needs a non-empty range to draw.
    const pad = r.min === 0 ? 1 : Math.abs(r.min) * 0.01;
    return { min: r.min - pad, max: r.max + pad, diverging };
  }
  return skewed ? { ...r, diverging, skewed } : { ...r, diverging };
}

/**
 * The range for a log scale: the positive values only, from their 2nd (or
 * smallest) to their 98th percentile (or largest), at most six decades.
 * Null when no value is positive.
 */
export function logRange(values: ArrayLike<number>, options: { robust?: boolean; maxSamples?: number } = {}): RangeChoice | null {
  const robust = options.robust ?? true;
  const s = sortedSample(values, options.maxSamples ?? MAX_SAMPLES);
  let first = 0;
  while (first < s.length && !(s[first]! > 0)) first++;
  const pos = s.subarray(first);
  if (!pos.length) return null;
  const max = robust ? percentileOfSorted(pos, 98) : pos[pos.length - 1]!;
  let min = robust ? percentileOfSorted(pos, 2) : pos[0]!;
  min = Math.max(min, max * 1e-6);
  if (!(max > min)) return { min: max / 10, max, diverging: false, skewed: true };
  return { min, max, diverging: false, skewed: true };
}
