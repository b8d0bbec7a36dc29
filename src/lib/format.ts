import { formatValue } from './plot/number-format';

/** Human-readable sizes, numbers, counts and dates: the one place the app spells them. */

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/**
 * A byte count in binary units (IEC spelling: KiB, MiB...), three significant
 * digits; '—' for a size that is not known.
 *
 * @example formatBytes(204800) // '200 KiB'
 */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '—';
  let i = 0;
  let v = n;
  while (v >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0)} ${UNITS[i]}`;
}

/**
 * Short text for a number shown to the user (a coordinate, a value under the
 * pointer, the data range): see `formatValue` in plot/number-format.ts, the
 * one formatter every number on screen goes through.
 *
 * @example formatNumber(0.1 + 0.2) // '0.3'
 * @example formatNumber(1.5e-7) // '1.5×10⁻⁷'
 */
export function formatNumber(v: number): string {
  return formatValue(v);
}

export function formatDate(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-GB');
}

/**
 * A count with its noun, singular for exactly one: "1 object", "2 objects",
 * "12,000 objects", "0 objects". Give the plural when it is not the noun
 * plus "s" (`plural(n, 'entry', 'entries')`).
 */
export function plural(n: number, singular: string, pluralForm = `${singular}s`): string {
  return `${formatCount(n)} ${noun(n, singular, pluralForm)}`;
}

/** The noun alone, for where the count is shown elsewhere (a number field beside a unit). */
export function noun(n: number, singular: string, pluralForm = `${singular}s`): string {
  return n === 1 ? singular : pluralForm;
}
