/**
 * Tick marks for the axes of a slice, DOM-free: where they go (as a
 * fractional index along the dimension, the unit the picture is laid out
 * in) and what they say (a round coordinate value, in the axis' own terms).
 *
 * - linear coordinates: 1, 2, 5 × 10ⁿ steps, written by `formatTicks`;
 * - latitude and longitude (CF units degrees_north/east, standard_name,
 *   or axis Y/X): degree steps (…, 1, 2, 5, 10, 15, 30, 45, 60, 90) written
 *   `30°N`, `120°E`, `0°`, `180°`, for 0..360 and -180..180 longitudes alike;
 * - CF times: round dates (years, months, days, hours…);
 * - log scales (colour bars): decades, with 2 and 5 between them when few;
 * - a dimension without a coordinate, or with one that is not monotonic:
 *   whole indices.
 *
 * Ascending and descending coordinates both work: ticks are chosen in value
 * space and placed by inverse interpolation of the coordinate.
 */
import { calendarMs, decodeTime, encodeTime, timeToEpochMs, type CfTimeUnits } from '../cf/time';
import { formatTicks } from './number-format';

export type AxisKind = 'longitude' | 'latitude' | 'time' | 'linear' | 'index';

/** What an axis shows: the coordinate of one dimension of the slice. */
export interface AxisSpec {
  kind: AxisKind;
  /** Coordinate value at each index (absent for 'index'). */
  values?: ArrayLike<number>;
  /** CF time units of the values (for 'time'). */
  time?: CfTimeUnits;
}

export interface Tick {
  /** Fractional index along the dimension (cell centres are whole numbers). */
  pos: number;
  /** The coordinate value at that position (the index itself for 'index' axes). */
  value: number;
  label: string;
}

const LON_UNITS = /^degrees?_?e(ast)?$/i;
const LAT_UNITS = /^degrees?_?n(orth)?$/i;

/**
 * The kind of axis a coordinate makes, from its CF attributes (CF §4.1,
 * §4.2): units degrees_east/degrees_north (and their CF spellings),
 * `standard_name` longitude/latitude, or `axis` X/Y with degree units.
 */
export function axisKind(attrs: Record<string, unknown> | undefined, time?: CfTimeUnits | null): AxisKind {
  if (!attrs) return 'index';
  if (time) return 'time';
  const units = typeof attrs.units === 'string' ? attrs.units.trim() : '';
  const std = typeof attrs.standard_name === 'string' ? attrs.standard_name.trim().toLowerCase() : '';
  const axis = typeof attrs.axis === 'string' ? attrs.axis.trim().toUpperCase() : '';
  const degrees = /^degrees?$/i.test(units);
  if (LON_UNITS.test(units) || std === 'longitude' || std === 'grid_longitude' || (axis === 'X' && degrees)) return 'longitude';
  if (LAT_UNITS.test(units) || std === 'latitude' || std === 'grid_latitude' || (axis === 'Y' && degrees)) return 'latitude';
  return 'linear';
}

/** Whether `v` increases or decreases strictly (NaN anywhere: neither). */
export function monotonic(v: ArrayLike<number>): boolean {
  if (v.length < 2) return v.length === 1 && Number.isFinite(v[0]!);
  const up = v[1]! > v[0]!;
  for (let i = 1; i < v.length; i++) {
    const d = v[i]! - v[i - 1]!;
    if (!(up ? d > 0 : d < 0)) return false;
  }
  return true;
}

/** Coordinate value at fractional index `p`, linear between cell centres and beyond the ends. */
export function valueAt(v: ArrayLike<number>, p: number): number {
  const n = v.length;
  if (n === 1) return v[0]!;
  const i = Math.max(0, Math.min(n - 2, Math.floor(p)));
  return v[i]! + (p - i) * (v[i + 1]! - v[i]!);
}

/** Fractional index of coordinate value `x` in monotonic `v` (inverse of valueAt). */
export function positionOf(v: ArrayLike<number>, x: number): number {
  const n = v.length;
  if (n === 1) return 0;
  const up = v[n - 1]! > v[0]!;
  let lo = 0;
  let hi = n - 1;
  // The last segment whose start is at or before x (in the coordinate's own direction).
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (up ? v[mid]! <= x : v[mid]! >= x) lo = mid;
    else hi = mid;
  }
  const i = Math.min(lo, n - 2);
  return i + (x - v[i]!) / (v[i + 1]! - v[i]!);
}

/** A round step near `raw` from the multipliers `mults` of powers of ten. */
function niceStep(raw: number, mults: readonly number[] = [1, 2, 5]): number {
  const mag = 10 ** Math.floor(Math.log10(raw));
  for (const m of mults) if (m * mag >= raw * (1 - 1e-9)) return m * mag;
  return 10 * mag;
}

/** Multiples of `step` from `lo` to `hi` (inclusive, with a little slack for rounding). */
function multiples(lo: number, hi: number, step: number): number[] {
  const out: number[] = [];
  const first = Math.ceil(lo / step - 1e-9);
  const last = Math.floor(hi / step + 1e-9);
  for (let k = first; k <= last && out.length < 1000; k++) out.push(Number((k * step).toPrecision(12)) || 0);
  return out;
}

/** Round values from `lo` to `hi` (about `count` of them) at 1, 2, 5 × 10ⁿ, with their step. */
export function linearTicks(lo: number, hi: number, count = 6): { values: number[]; step: number } {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return { values: [], step: 0 };
  if (hi < lo) [lo, hi] = [hi, lo];
  if (hi === lo) return { values: [lo], step: 0 };
  const step = niceStep((hi - lo) / Math.max(1, count));
  return { values: multiples(lo, hi, step), step };
}

const DEGREE_STEPS = [1, 2, 5, 10, 15, 30, 45, 60, 90, 180];

/** Degree steps: the usual map graticule above one degree, decimal below. */
function degreeStep(raw: number): number {
  if (raw <= 1) return niceStep(raw);
  return DEGREE_STEPS.find((s) => s >= raw) ?? 180;
}

function decimalsFor(step: number): number {
  if (!(step > 0) || step >= 1) return 0;
  return Math.min(10, Math.max(0, Math.ceil(-Math.log10(step) - 1e-9) + (Math.abs(step / 10 ** Math.floor(Math.log10(step))) % 1 > 1e-6 ? 1 : 0)));
}

/**
 * A longitude as people write it: `120°E`, `60°W`, `0°`, `180°`. Values in
 * 0..360 are read as their -180..180 equivalents (200 → `160°W`).
 *
 * @example formatLongitude(200) // '160°W'
 */
export function formatLongitude(v: number, decimals = 0): string {
  let w = ((((v + 180) % 360) + 360) % 360) - 180;
  if (Math.abs(w + 180) < 10 ** -(decimals + 1)) w = 180;
  const t = Math.abs(w).toFixed(decimals);
  if (Number(t) === 0) return `${(0).toFixed(decimals)}°`;
  if (Number(t) === 180) return `${t}°`;
  return `${t}°${w > 0 ? 'E' : 'W'}`;
}

/** A latitude as people write it: `30°N`, `45.5°S`, `0°`. */
export function formatLatitude(v: number, decimals = 0): string {
  const t = Math.abs(v).toFixed(decimals);
  if (Number(t) === 0) return `${t}°`;
  return `${t}°${v > 0 ? 'N' : 'S'}`;
}

const DAY = 86_400_000;
/** Date steps: [size in ms, kind, count of that kind]. Months and years are calendar steps. */
const DATE_STEPS: [number, 'ms' | 'month' | 'year', number][] = [
  [1000, 'ms', 1], [2000, 'ms', 2], [5000, 'ms', 5], [10_000, 'ms', 10], [15_000, 'ms', 15], [30_000, 'ms', 30],
  [60_000, 'ms', 1], [120_000, 'ms', 2], [300_000, 'ms', 5], [600_000, 'ms', 10], [900_000, 'ms', 15], [1_800_000, 'ms', 30],
  [3_600_000, 'ms', 1], [7_200_000, 'ms', 2], [10_800_000, 'ms', 3], [21_600_000, 'ms', 6], [43_200_000, 'ms', 12],
  [DAY, 'ms', 1], [2 * DAY, 'ms', 2], [7 * DAY, 'ms', 7], [14 * DAY, 'ms', 14],
  [30.4 * DAY, 'month', 1], [61 * DAY, 'month', 2], [91 * DAY, 'month', 3], [182 * DAY, 'month', 6],
  [365.25 * DAY, 'year', 1], [2 * 365.25 * DAY, 'year', 2], [5 * 365.25 * DAY, 'year', 5],
];

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Round UTC dates (epoch ms) from `lo` to `hi`, with the precision their labels need. */
export function dateTicks(lo: number, hi: number, count = 6): { ms: number[]; label: (ms: number) => string } {
  if (hi < lo) [lo, hi] = [hi, lo];
  const span = hi - lo;
  let chosen = DATE_STEPS.find(([size]) => span / size <= count);
  if (!chosen) {
    const years = niceStep(span / (365.25 * DAY) / count);
    chosen = [years * 365.25 * DAY, 'year', years];
  }
  const [size, kind, k] = chosen;
  const out: number[] = [];
  if (kind === 'ms') {
    for (const m of multiples(lo, hi, size)) out.push(m);
  } else {
    const d = new Date(lo);
    let y = d.getUTCFullYear();
    let mo = kind === 'year' ? 0 : d.getUTCMonth();
    if (kind === 'year') y = Math.floor(y / k) * k;
    else mo = Math.floor(mo / k) * k;
    for (let guard = 0; guard < 2000; guard++) {
      const ms = new Date(Date.UTC(2000, 0, 1)).setUTCFullYear(y, mo, 1);
      if (ms > hi) break;
      if (ms >= lo) out.push(ms);
      if (kind === 'year') y += k;
      else {
        mo += k;
        if (mo >= 12) {
          y += Math.floor(mo / 12);
          mo %= 12;
        }
      }
    }
  }
  const label = (ms: number): string => {
    const d = new Date(ms);
    const Y = d.getUTCFullYear();
    const ys = Y < 0 ? `-${pad(-Y, 4)}` : pad(Y, 4);
    const date = `${ys}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
    if (kind === 'year') return ys;
    if (kind === 'month') return `${ys}-${pad(d.getUTCMonth() + 1)}`;
    if (size >= DAY) return date;
    if (size >= 60_000) return `${date} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
    return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  };
  return { ms: out, label };
}

/** Year text as in ISO 8601 (`0850`, `-0044`). */
const yearText = (y: number) => (y < 0 ? `-${pad(-y, 4)}` : pad(y, 4));

/**
 * Round dates from time value `lo` to `hi` (in `t`'s units) in a calendar
 * JavaScript's Date does not know (noleap, all_leap, 360_day, julian): whole
 * years, months of the calendar, or multiples of a day, hour, minute or
 * second (every day of these calendars is 86 400 s), with labels as
 * `dateTicks` writes them.
 */
export function calendarTicks(lo: number, hi: number, t: CfTimeUnits, count = 6): { value: number; label: string }[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (hi < lo) [lo, hi] = [hi, lo];
  const a = calendarMs(lo, t);
  const b = calendarMs(hi, t);
  const span = b - a;
  let chosen = DATE_STEPS.find(([size]) => span / size <= count);
  if (!chosen) {
    const years = niceStep(span / (365.25 * DAY) / count);
    chosen = [years * 365.25 * DAY, 'year', years];
  }
  const [size, kind, k] = chosen;
  const out: { value: number; label: string }[] = [];
  if (kind === 'ms') {
    const a0 = calendarMs(0, t);
    for (const m of multiples(a, b, size)) {
      const x = (m - a0) / t.unitMs;
      const p = decodeTime(x, t);
      if (!p) continue;
      const date = `${yearText(p.y)}-${pad(p.m)}-${pad(p.d)}`;
      const label = size >= DAY ? date : size >= 60_000 ? `${date} ${pad(p.h)}:${pad(p.mi)}` : `${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}`;
      out.push({ value: x, label });
    }
    return out;
  }
  const first = decodeTime(lo, t);
  if (!first) return [];
  let y = kind === 'year' ? Math.floor(first.y / k) * k : first.y;
  let mo = kind === 'year' ? 1 : Math.floor((first.m - 1) / k) * k + 1;
  for (let guard = 0; guard < 2000; guard++) {
    const x = encodeTime({ y, m: mo, d: 1 }, t);
    if (x > hi + 1e-9 * Math.abs(hi)) break;
    if (x >= lo - 1e-9 * Math.abs(lo)) out.push({ value: x, label: kind === 'year' ? yearText(y) : `${yearText(y)}-${pad(mo)}` });
    if (kind === 'year') y += k;
    else {
      mo += k;
      if (mo > 12) {
        y += Math.floor((mo - 1) / 12);
        mo = ((mo - 1) % 12) + 1;
      }
    }
  }
  return out;
}

/**
 * Ticks for a log scale from `lo` to `hi` (both > 0): every decade (every
 * other… when many), with 2 and 5 between them when there are few decades,
 * and plain round values when the range is within one decade.
 */
export function logTicks(lo: number, hi: number, count = 6): number[] {
  if (!(lo > 0) || !(hi > 0)) return [];
  if (hi < lo) [lo, hi] = [hi, lo];
  const d0 = Math.floor(Math.log10(lo) + 1e-9);
  const d1 = Math.ceil(Math.log10(hi) - 1e-9);
  const decades = d1 - d0;
  if (decades <= 1) return linearTicks(lo, hi, Math.max(3, count - 1)).values.filter((v) => v > 0);
  const every = Math.max(1, Math.ceil(decades / count));
  const mults = decades <= 2 ? [1, 2, 5] : decades <= 3 && every === 1 ? [1, 3] : [1];
  const out: number[] = [];
  for (let d = Math.ceil(d0 / every) * every; d <= d1; d += every) {
    for (const m of mults) {
      const v = Number(`${m}e${d}`);
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out.push(v);
    }
  }
  return out;
}

/**
 * Ticks for the part of an axis in view, from fractional index `lo` to `hi`
 * (cell centres are whole indices; the edges of the data are -0.5 and n-0.5).
 */
export function axisTicks(axis: AxisSpec, lo: number, hi: number, count = 6): Tick[] {
  if (hi < lo) [lo, hi] = [hi, lo];
  const v = axis.values;
  if (axis.kind === 'index' || !v || !v.length || !monotonic(v)) {
    const { values, step } = linearTicks(lo, hi, count);
    const whole = step < 1 ? values.filter((x) => Number.isInteger(x)) : values;
    return whole.map((x) => ({ pos: x, value: x, label: String(x) }));
  }
  const a = valueAt(v, lo);
  const b = valueAt(v, hi);
  const vmin = Math.min(a, b);
  const vmax = Math.max(a, b);
  const at = (x: number) => positionOf(v, x);
  if (axis.kind === 'time' && axis.time) {
    const t = axis.time;
    // Gregorian dates through Date; the standard calendar before 1583 is Julian (see cf/time.ts).
    const zero = t.calendar === 'standard' && (decodeTime(vmin, t)?.y ?? 0) < 1583 ? null : timeToEpochMs(0, t);
    if (zero !== null) {
      const { ms, label } = dateTicks(zero + vmin * t.unitMs, zero + vmax * t.unitMs, count);
      return ms.map((m) => {
        const x = (m - zero) / t.unitMs;
        return { pos: at(x), value: x, label: label(m) };
      });
    }
    // Other calendars (noleap, all_leap, 360_day, julian, early standard): round dates of that calendar.
    return calendarTicks(vmin, vmax, t, count).map((x) => ({ pos: at(x.value), value: x.value, label: x.label }));
  }
  if (axis.kind === 'longitude' || axis.kind === 'latitude') {
    const step = degreeStep((vmax - vmin) / Math.max(1, count));
    const decimals = decimalsFor(step);
    const fmt = axis.kind === 'longitude' ? formatLongitude : formatLatitude;
    return multiples(vmin, vmax, step).map((x) => ({ pos: at(x), value: x, label: fmt(x, decimals) }));
  }
  const { values, step } = linearTicks(vmin, vmax, count);
  const labels = formatTicks(values, step);
  return values.map((x, i) => ({ pos: at(x), value: x, label: labels[i]! }));
}

/**
 * The axis a dimension makes: its coordinate variable (attributes, CF time
 * units) and decoded values, or an index axis when it has none.
 */
export function axisSpec(coord: { attrs: Record<string, unknown>; time?: CfTimeUnits | undefined } | null | undefined, values: ArrayLike<number> | undefined): AxisSpec {
  if (!coord || !values) return { kind: 'index' };
  const kind = axisKind(coord.attrs, coord.time);
  return coord.time ? { kind, values, time: coord.time } : { kind, values };
}
