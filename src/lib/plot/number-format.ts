/**
 * The one way Tessera writes a number for people to read: ticks, colour-bar
 * labels, the hover read-out, the series chart and the data range line.
 *
 * - Plain decimals where they are short (`273.15`, `0.05`, `120000`).
 * - Powers of ten written as people write them, `5×10⁻⁶` and `1.2×10⁹`,
 *   never `5.0000e-6`: trailing zeros of the mantissa are dropped.
 * - A set of ticks shares one precision, picked from their spacing, so a
 *   colour bar reads `0.1 0.15 0.2` and not `0.1 0.15000000000000002 0.2`.
 *
 * Files (CSV) do not use this: they keep each value's exact shortest text
 * (see zarr/float-text.ts).
 */

const SUPERSCRIPT: Record<string, string> = { '-': '⁻', '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹' };
const FROM_SUPERSCRIPT: Record<string, string> = Object.fromEntries(Object.entries(SUPERSCRIPT).map(([k, v]) => [v, k]));

/** Below this magnitude (and at or above HUGE) a number is written with a power of ten. */
const TINY = 1e-4;
const HUGE = 1e6;

/** `n` in superscript digits (`-6` → `⁻⁶`). */
export function superscript(n: number): string {
  return String(n).replace(/./g, (c) => SUPERSCRIPT[c] ?? c);
}

/** Drop trailing zeros of a decimal mantissa (`5.000` → `5`, `1.50` → `1.5`). */
function trimZeros(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** `m×10ⁿ`, or `10ⁿ` when the mantissa is 1. */
function powerText(mantissa: string, exp: number): string {
  const sign = mantissa.startsWith('-') ? '-' : '';
  const m = sign ? mantissa.slice(1) : mantissa;
  return `${sign}${m === '1' ? '' : `${m}×`}10${superscript(exp)}`;
}

/** Decimal exponent of |v| (v finite, non-zero), corrected for rounding at `digits` significant digits. */
function exponentOf(v: number, digits: number): number {
  const [, e] = Math.abs(v).toExponential(Math.max(0, digits - 1)).split('e');
  return Number(e);
}

/**
 * One number on its own, to `digits` significant digits (6 by default), in
 * the shorter of plain and power-of-ten form.
 *
 * @example formatValue(0.1 + 0.2) // '0.3'
 * @example formatValue(5e-6) // '5×10⁻⁶'
 * @example formatValue(-12345678.9) // '-1.23457×10⁷'
 * @example formatValue(1234567) // '1234567'
 */
export function formatValue(v: number, digits = 6): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '-∞';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= TINY && a < HUGE) return String(Number(v.toPrecision(digits)));
  // Whole numbers below 10⁹ are written out exactly (counts, pressure in Pa, seconds).
  if (Number.isInteger(v) && a < 1e9) return String(v);
  const exp = exponentOf(v, digits);
  return powerText(trimZeros((v / 10 ** exp).toFixed(Math.max(0, digits - 1))), exp);
}

/**
 * A set of evenly spaced values (ticks) written alike: as many decimals as
 * their spacing `step` needs, and one power of ten for all when they are
 * tiny or huge.
 *
 * @example formatTicks([0, 0.05, 0.1]) // ['0', '0.05', '0.1']
 * @example formatTicks([0, 2e-6, 4e-6]) // ['0', '2×10⁻⁶', '4×10⁻⁶']
 */
export function formatTicks(values: readonly number[], step?: number): string[] {
  const finite = values.filter(Number.isFinite);
  if (!finite.length) return values.map((v) => formatValue(v));
  const s = step ?? spacing(finite);
  const big = Math.max(...finite.map(Math.abs));
  if (!(s > 0)) return values.map((v) => formatValue(v));
  const stepExp = Math.floor(Math.log10(s) + 1e-9);
  // Digits that tell neighbours apart: one more when the step is not a power of ten (0.25, 2.5).
  const mant = s / 10 ** stepExp;
  const extra = Math.abs(mant - Math.round(mant)) > 1e-6 ? 1 : 0;
  if (big >= HUGE || big < TINY * 10) {
    return values.map((v) => {
      if (!Number.isFinite(v)) return formatValue(v);
      if (Math.abs(v) < s * 1e-9) return '0';
      const exp = Math.floor(Math.log10(Math.abs(v)) + 1e-9);
      const decimals = Math.max(0, exp - stepExp + extra);
      let m = (v / 10 ** exp).toFixed(decimals);
      let e = exp;
      if (Math.abs(Number(m)) >= 10) {
        e++;
        m = (v / 10 ** e).toFixed(Math.max(0, decimals - 1));
      }
      return powerText(trimZeros(m), e);
    });
  }
  const decimals = Math.max(0, -stepExp + extra);
  return values.map((v) => {
    if (!Number.isFinite(v)) return formatValue(v);
    if (Math.abs(v) < s * 1e-9) return '0';
    return trimZeros(v.toFixed(Math.min(20, decimals)));
  });
}

/** The smallest gap between consecutive values (for one value: a tenth of its magnitude). */
function spacing(values: readonly number[]): number {
  let s = Infinity;
  for (let i = 1; i < values.length; i++) {
    const d = Math.abs(values[i]! - values[i - 1]!);
    if (d > 0 && d < s) s = d;
  }
  if (Number.isFinite(s)) return s;
  const a = Math.abs(values[0]!);
  return a > 0 ? 10 ** Math.floor(Math.log10(a)) : 1;
}

/**
 * A number typed by a person, or written by `formatValue`: plain, `5e-6`,
 * `5×10⁻⁶`, `5x10^-6`, `10⁶`, with a Unicode minus allowed. NaN when it is none.
 *
 * @example parseNumber('5×10⁻⁶') // 5e-6
 */
export function parseNumber(text: string): number {
  const t = text.trim().replace(/−/g, '-').replace(/[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+/g, (s) => `^${[...s].map((c) => FROM_SUPERSCRIPT[c]).join('')}`);
  if (!t) return NaN;
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))?\s*(?:[×x*·]\s*)?10\s*\^\s*\(?([+-]?\d+)\)?$/i.exec(t);
  if (m && (m[1] !== undefined || /^[+-]?10/.test(t))) {
    // Through the decimal text, so `5×10⁻⁶` reads back as exactly 5e-6.
    return Number(`${m[1] ?? '1'}e${m[2]}`);
  }
  const n = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i.test(t) ? Number(t) : NaN;
  return n;
}
