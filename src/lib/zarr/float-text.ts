/**
 * Numbers written as text (CSV export) in their shortest round-trip form for
 * the type they are held in, as numpy and pandas write them: a float32 value
 * is written as the shortest decimal that reads back as the same float32
 * ("273.96"), not as the float64 it widens to ("273.9599914550781").
 */

/** Shortest decimal text that reads back as the same float32 (finite `v` already rounded to float32). */
export function float32Text(v: number): string {
  if (!Number.isFinite(v) || v === 0) return String(v);
  // At most 9 significant digits distinguish every float32 (IEEE 754 §5.12.2).
  for (let p = 1; p < 9; p++) {
    const t = Number(v.toPrecision(p));
    if (Math.fround(t) === v) return String(t);
  }
  return String(Number(v.toPrecision(9)));
}

/** A function writing the values of `values` as text: float32 arrays by `float32Text`, others as JavaScript does (shortest for float64). */
export function valueText(values: ArrayLike<number>): (v: number) => string {
  return values instanceof Float32Array ? float32Text : String;
}
