/**
 * The colour bar's scale: where a value sits along the bar (linear or log)
 * and which labels it carries: both ends (the range in use), and round ticks
 * between them that keep clear of the ends' labels.
 */
import { logFloor, type ColorScale } from '../colormap/index';
import { formatTicks, formatValue } from './number-format';
import { linearTicks, logTicks } from './ticks';

export interface BarTick {
  /** 0 at the low end of the bar, 1 at the high end. */
  at: number;
  value: number;
  label: string;
  end?: 'min' | 'max';
}

/** Fraction along the bar of value `v` (unclamped). */
export function barFraction(v: number, min: number, max: number, scale: ColorScale): number {
  if (scale === 'log') {
    const lo = Math.log10(logFloor(min, max));
    const hi = Math.log10(max);
    return v > 0 && hi > lo ? (Math.log10(v) - lo) / (hi - lo) : 0;
  }
  return max > min ? (v - min) / (max - min) : 0;
}

/** Value at fraction `t` along the bar (inverse of barFraction). */
export function barValue(t: number, min: number, max: number, scale: ColorScale): number {
  if (scale === 'log') {
    const lo = Math.log10(logFloor(min, max));
    const hi = Math.log10(max);
    return 10 ** (lo + t * (hi - lo));
  }
  return min + t * (max - min);
}

/**
 * The labels of a bar from `min` to `max`: its two ends (the exact range, in
 * the one number formatter) and round ticks between that stay `gap` (a
 * fraction of the bar) away from them.
 */
export function barTicks(min: number, max: number, scale: ColorScale, count = 8, gap = 0.1): BarTick[] {
  const lo = scale === 'log' ? logFloor(min, max) : min;
  const ends: BarTick[] = [
    { at: 0, value: lo, label: formatValue(lo), end: 'min' },
    { at: 1, value: max, label: formatValue(max), end: 'max' },
  ];
  if (!(max > lo)) return ends.slice(0, 1);
  let inner: number[];
  let labels: string[];
  if (scale === 'log') {
    inner = logTicks(lo, max, count);
    labels = inner.map((v) => formatValue(v));
  } else {
    const t = linearTicks(lo, max, count);
    inner = t.values;
    labels = formatTicks(inner, t.step);
  }
  const between = inner
    .map((value, i) => ({ at: barFraction(value, min, max, scale), value, label: labels[i]! }))
    .filter((t) => t.at >= gap && t.at <= 1 - gap);
  return [ends[0]!, ...between, ends[1]!];
}
