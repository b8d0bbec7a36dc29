/**
 * CF time decoding (CF conventions §4.4): numbers "<unit> since <reference>"
 * in a calendar, as cftime (and so xarray) decodes them: proleptic_gregorian
 * with JavaScript's `Date` arithmetic; standard/gregorian as CF's mixed
 * calendar (Julian before 1582-10-15, Gregorian from then on); the
 * fixed-length calendars (noleap, all_leap, 360_day) and julian with plain
 * day arithmetic. Years before 1 follow astronomical numbering (year 0
 * exists), which cftime does only for the model calendars.
 */

export type CfCalendar = 'standard' | 'proleptic_gregorian' | 'noleap' | 'all_leap' | '360_day' | 'julian';

export interface CfTimeUnits {
  /** Milliseconds per unit. */
  unitMs: number;
  unit: string;
  /** Reference date components (UTC). */
  ref: { y: number; m: number; d: number; h: number; mi: number; s: number };
  /** Offset of the reference time zone from UTC, in minutes. */
  tzMinutes: number;
  calendar: CfCalendar;
}

const UNIT_MS: Record<string, number> = {
  microseconds: 1e-3, microsecond: 1e-3, us: 1e-3,
  milliseconds: 1, millisecond: 1, ms: 1,
  seconds: 1000, second: 1000, secs: 1000, sec: 1000, s: 1000,
  minutes: 60_000, minute: 60_000, mins: 60_000, min: 60_000,
  hours: 3_600_000, hour: 3_600_000, hrs: 3_600_000, hr: 3_600_000, h: 3_600_000,
  days: 86_400_000, day: 86_400_000, d: 86_400_000,
  weeks: 604_800_000, week: 604_800_000,
};

const CALENDARS: Record<string, CfCalendar> = {
  standard: 'standard', gregorian: 'standard', proleptic_gregorian: 'proleptic_gregorian',
  noleap: 'noleap', '365_day': 'noleap', all_leap: 'all_leap', '366_day': 'all_leap', '360_day': '360_day', julian: 'julian',
};

const UNITS_RE =
  /^\s*([a-zA-Z]+)\s+since\s+(-?\d{1,4})-(\d{1,2})-(\d{1,2})(?:[ T]+(\d{1,2}):(\d{1,2})(?::(\d{1,2}(?:\.\d*)?))?)?\s*(Z|UTC|GMT|[+-]\d{1,2}(?::?\d{2})?)?\s*$/;

/** Whether `units` looks like CF time units ("days since 2000-01-01"). */
export function isTimeUnits(units: unknown): units is string {
  return typeof units === 'string' && UNITS_RE.test(units);
}

/**
 * Parse CF time units. Returns null when `units` are not CF time units or use
 * a unit/calendar Tessera cannot decode (months and years are ambiguous in
 * CF and xarray refuses them too).
 */
export function parseTimeUnits(units: string, calendar?: unknown): CfTimeUnits | null {
  const m = UNITS_RE.exec(units);
  if (!m) return null;
  const unit = m[1]!.toLowerCase();
  const unitMs = UNIT_MS[unit];
  if (unitMs === undefined) return null;
  const cal = CALENDARS[String(calendar ?? 'standard').toLowerCase()];
  if (!cal) return null;
  let tzMinutes = 0;
  const tz = m[8];
  if (tz && tz !== 'Z' && tz !== 'UTC' && tz !== 'GMT') {
    const t = /^([+-])(\d{1,2}):?(\d{2})?$/.exec(tz)!;
    tzMinutes = (t[1] === '-' ? -1 : 1) * (Number(t[2]) * 60 + Number(t[3] ?? 0));
  }
  return {
    unit,
    unitMs,
    calendar: cal,
    tzMinutes,
    ref: { y: Number(m[2]), m: Number(m[3]), d: Number(m[4]), h: Number(m[5] ?? 0), mi: Number(m[6] ?? 0), s: Number(m[7] ?? 0) },
  };
}

export interface DateParts {
  y: number; m: number; d: number; h: number; mi: number; s: number; ms: number;
}

const DAY_MS = 86_400_000;

function gregorianMs(ref: CfTimeUnits['ref'], tzMinutes: number): number {
  const whole = Math.floor(ref.s);
  const d = new Date(0);
  d.setUTCFullYear(ref.y, ref.m - 1, ref.d);
  d.setUTCHours(ref.h, ref.mi, whole, Math.round((ref.s - whole) * 1000));
  return d.getTime() - tzMinutes * 60_000;
}

/** Days in each month for the fixed calendars (index 0 = January). */
function monthDays(calendar: CfCalendar, year: number): number[] {
  if (calendar === '360_day') return Array(12).fill(30) as number[];
  const leap = calendar === 'all_leap' || (calendar === 'julian' && year % 4 === 0);
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
}

function yearDays(calendar: CfCalendar, year: number): number {
  return monthDays(calendar, year).reduce((a, b) => a + b, 0);
}

/** Day number from year 0 for calendars without Gregorian leap rules. */
function fixedDayNumber(calendar: CfCalendar, y: number, m: number, d: number): number {
  let days: number;
  if (calendar === 'julian') {
    // 1461 days per 4 years; count from year 0 (a leap year).
    days = Math.floor(y / 4) * 1461 + (y % 4 === 0 ? 0 : 366 + ((y % 4) - 1) * 365);
  } else {
    days = y * yearDays(calendar, 1);
  }
  const md = monthDays(calendar, y);
  for (let i = 0; i < m - 1; i++) days += md[i]!;
  return days + d - 1;
}

function fixedFromDayNumber(calendar: CfCalendar, dayNumber: number): { y: number; m: number; d: number } {
  let y: number;
  let rest: number;
  if (calendar === 'julian') {
    const cycles = Math.floor(dayNumber / 1461);
    rest = dayNumber - cycles * 1461;
    y = cycles * 4;
    if (rest >= 366) {
      rest -= 366;
      const extra = Math.min(2, Math.floor(rest / 365));
      y += 1 + extra;
      rest -= extra * 365;
    }
  } else {
    const len = yearDays(calendar, 1);
    y = Math.floor(dayNumber / len);
    rest = dayNumber - y * len;
  }
  const md = monthDays(calendar, y);
  let m = 0;
  while (m < 11 && rest >= md[m]!) rest -= md[m++]!;
  return { y, m: m + 1, d: rest + 1 };
}

/** Day number of 0000-01-01 in the Julian calendar, and of 1970-01-01 and 1582-10-15 in the Gregorian one (Julian days). */
const JD_JULIAN_0 = 1_721_058;
const JD_UNIX = 2_440_588;
const JD_GREGORIAN_START = 2_299_161;

function gregorianDay(y: number, m: number, d: number): number {
  const t = new Date(0);
  t.setUTCFullYear(y, m - 1, d);
  return Math.floor(t.getTime() / DAY_MS) + JD_UNIX;
}

/**
 * The day number of a date in `calendar`: Julian days for the real-world
 * calendars, so that 'standard' (CF's mixed calendar, as cftime has it:
 * Julian before 1582-10-15, Gregorian from then on) joins its two parts.
 */
function dayNumber(calendar: CfCalendar, y: number, m: number, d: number): number {
  if (calendar === 'proleptic_gregorian') return gregorianDay(y, m, d);
  if (calendar === 'standard') {
    const julian = y < 1582 || (y === 1582 && (m < 10 || (m === 10 && d < 15)));
    return julian ? fixedDayNumber('julian', y, m, d) + JD_JULIAN_0 : gregorianDay(y, m, d);
  }
  return fixedDayNumber(calendar, y, m, d) + (calendar === 'julian' ? JD_JULIAN_0 : 0);
}

/** The date of day number `n` in `calendar` (the inverse of `dayNumber`). */
function dateOfDay(calendar: CfCalendar, n: number): { y: number; m: number; d: number } {
  if (calendar === 'proleptic_gregorian' || (calendar === 'standard' && n >= JD_GREGORIAN_START)) {
    const t = new Date((n - JD_UNIX) * DAY_MS);
    return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
  }
  if (calendar === 'standard' || calendar === 'julian') return fixedFromDayNumber('julian', n - JD_JULIAN_0);
  return fixedFromDayNumber(calendar, n);
}

/** Milliseconds of the units' reference time from the start of day number 0 of its calendar. */
function referenceMs(units: CfTimeUnits): number {
  const { ref } = units;
  return dayNumber(units.calendar, ref.y, ref.m, ref.d) * DAY_MS + ((ref.h * 60 + ref.mi) * 60 + ref.s) * 1000 - units.tzMinutes * 60_000;
}

/**
 * Milliseconds of time `value` from the start of day number 0 of the units'
 * calendar, a count without leap seconds (every day 86 400 s): round
 * multiples of a day, hour or minute in it are round times of the calendar.
 */
export function calendarMs(value: number, units: CfTimeUnits): number {
  return referenceMs(units) + Math.round(value * units.unitMs);
}

/** Decode one CF time value to calendar date parts (UTC). NaN gives null. */
export function decodeTime(value: number, units: CfTimeUnits): DateParts | null {
  if (!Number.isFinite(value)) return null;
  const total = calendarMs(value, units);
  if (!Number.isFinite(total) || Math.abs(total) > 8.64e18) return null;
  const n = Math.floor(total / DAY_MS);
  let msOfDay = total - n * DAY_MS;
  const { y, m, d } = dateOfDay(units.calendar, n);
  if (!Number.isFinite(y)) return null;
  const h = Math.floor(msOfDay / 3_600_000);
  msOfDay -= h * 3_600_000;
  const mi = Math.floor(msOfDay / 60_000);
  msOfDay -= mi * 60_000;
  const s = Math.floor(msOfDay / 1000);
  return { y, m, d, h, mi, s, ms: msOfDay - s * 1000 };
}

/**
 * The CF time value (in `units`) of a date in the units' calendar: the
 * inverse of `decodeTime`. Month and day may run past their ends (month 13
 * is January of the next year, day 0 the last of the month before).
 *
 * @example encodeTime({ y: 2001, m: 3, d: 1 }, parseTimeUnits('days since 2001-01-01', 'noleap')!) // 59
 */
export function encodeTime(p: { y: number; m: number; d: number; h?: number; mi?: number; s?: number }, units: CfTimeUnits): number {
  const y = p.y + Math.floor((p.m - 1) / 12);
  const m = ((((p.m - 1) % 12) + 12) % 12) + 1;
  const msOfDay = (((p.h ?? 0) * 60 + (p.mi ?? 0)) * 60 + (p.s ?? 0)) * 1000;
  const ms = (dayNumber(units.calendar, y, m, 1) + p.d - 1) * DAY_MS + msOfDay;
  return (ms - referenceMs(units)) / units.unitMs;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** ISO-like text for date parts; `dateOnly` drops a midnight time. */
export function formatDate(p: DateParts, dateOnly = false): string {
  const date = `${p.y < 0 ? '-' : ''}${pad(Math.abs(p.y), 4)}-${pad(p.m)}-${pad(p.d)}`;
  if (dateOnly) return date;
  const frac = p.ms ? `.${pad(p.ms, 3)}` : '';
  return `${date}T${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}${frac}`;
}

/**
 * Decode a whole time axis to labels. All-midnight axes show dates only, as
 * xarray prints them.
 */
export function timeLabels(values: ArrayLike<number>, units: CfTimeUnits): string[] {
  const parts = Array.from(values, (v) => decodeTime(v, units));
  const dateOnly = parts.every((p) => !p || (p.h === 0 && p.mi === 0 && p.s === 0 && p.ms === 0));
  return parts.map((p) => (p ? formatDate(p, dateOnly) : 'NaT'));
}

/** Milliseconds since 1970 for Gregorian calendars (for numpy-style output), else null. */
export function timeToEpochMs(value: number, units: CfTimeUnits): number | null {
  if (units.calendar !== 'standard' && units.calendar !== 'proleptic_gregorian') return null;
  if (!Number.isFinite(value)) return null;
  return gregorianMs(units.ref, units.tzMinutes) + value * units.unitMs;
}
