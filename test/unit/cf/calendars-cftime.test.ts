/**
 * CF times of the model calendars (noleap/365_day, all_leap/366_day,
 * 360_day, julian) and the Gregorian ones, checked against cftime (the
 * library xarray decodes them with, Debian's python3-cftime): every decoded
 * date, the dates of the time axis' ticks, and the tick values themselves
 * (cftime's date2num of the date a tick names).
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { decodeTime, encodeTime, formatDate, parseTimeUnits, timeLabels, type CfTimeUnits } from '../../../src/lib/cf/time';
import { axisTicks, calendarTicks } from '../../../src/lib/plot/ticks';

const CFTIME = String.raw`
import json, sys, cftime
out = []
for q in json.load(sys.stdin):
    if 'values' in q:
        out.append([d.isoformat() for d in cftime.num2date(q['values'], q['units'], q['calendar'])])
    else:
        dates = [cftime.datetime(*d, calendar=q['calendar']) for d in q['dates']]
        out.append([float(x) for x in cftime.date2num(dates, q['units'], q['calendar'])])
print(json.dumps(out))
`;

type Query = { units: string; calendar: string } & ({ values: number[] } | { dates: number[][] });

/** Ask cftime, all queries in one run of Python. */
function cftime(queries: Query[]): (string[] | number[])[] {
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', CFTIME], { input: JSON.stringify(queries), encoding: 'utf8' })) as (string[] | number[])[];
}

const CALENDARS = ['noleap', '365_day', 'all_leap', '366_day', '360_day', 'julian', 'proleptic_gregorian', 'standard'];
const UNITS = ['days since 2001-01-01', 'hours since 1850-01-01 06:00:00', 'minutes since 1979-02-28 12:30', 'seconds since 1990-01-01T00:00:00', 'days since 1700-03-01'];

/** Offsets spread over ± about 150 years, whole seconds (cftime prints microseconds otherwise). */
function offsets(unit: string, seed: number): number[] {
  const perDay = { days: 1, hours: 24, minutes: 1440, seconds: 86_400 }[unit.split(' ')[0]!]!;
  let x = seed;
  const next = () => ((x = (x * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
  const out = [0, 1, -1, 59 * perDay, 60 * perDay, 365 * perDay, 366 * perDay, 1460 * perDay, 1461 * perDay];
  for (let i = 0; i < 60; i++) {
    const days = (next() - 0.5) * 110_000;
    // A multiple of an eighth of a day, in the unit (whole seconds).
    out.push((Math.round(days * 8) / 8) * perDay);
  }
  return out;
}

function units(u: string, c: string): CfTimeUnits {
  const t = parseTimeUnits(u, c);
  if (!t) throw new Error(`${u} (${c}) not parsed`);
  return t;
}

describe('CF calendars against cftime', () => {
  it('decodes every date as cftime does, and encodes it back to the same value', () => {
    const queries: Query[] = [];
    for (const calendar of CALENDARS) for (const [i, u] of UNITS.entries()) queries.push({ units: u, calendar, values: offsets(u, i * 31 + calendar.length) });
    const want = cftime(queries);
    let checked = 0;
    queries.forEach((q, k) => {
      if (!('values' in q)) return;
      const t = units(q.units, q.calendar);
      q.values.forEach((v, i) => {
        const p = decodeTime(v, t)!;
        expect(formatDate(p), `${v} ${q.units} (${q.calendar})`).toBe(want[k]![i]);
        expect(encodeTime(p, t)).toBeCloseTo(v, 6);
        checked++;
      });
    });
    expect(checked).toBe(CALENDARS.length * UNITS.length * 69);
  }, 60_000);

  it('labels an all-midnight axis with the dates xarray shows', () => {
    for (const calendar of ['noleap', 'all_leap', '360_day', 'julian']) {
      const values = [58, 59, 60, 424, 789, 1154];
      const [want] = cftime([{ units: 'days since 2001-01-01', calendar, values }]) as string[][];
      expect(timeLabels(values, units('days since 2001-01-01', calendar))).toEqual(want!.map((s) => s.slice(0, 10)));
    }
  }, 60_000);

  it('puts the time axis ticks of every calendar on the round dates they name', () => {
    const spans: [string, number, number][] = [
      // units, first and last value: decades, years, months, days, hours.
      ['days since 2001-01-01', 0, 365 * 60],
      ['days since 2001-01-01', -400, 900],
      ['days since 2001-01-01', 20, 130],
      ['days since 2001-01-01', 55, 64],
      ['hours since 1850-01-01 06:00:00', 1000, 1030],
      ['minutes since 1979-02-28 12:30', 0, 50],
      // Across the standard calendar's switch from Julian to Gregorian (1582-10-04 is followed by 10-15).
      ['days since 1582-01-01', 0, 700],
      ['days since 1582-10-01', 0, 40],
    ];
    const cases: { calendar: string; u: string; ticks: { value: number; label: string }[] }[] = [];
    const queries: Query[] = [];
    for (const calendar of ['noleap', 'all_leap', '360_day', 'julian', 'standard']) {
      for (const [u, lo, hi] of spans) {
        const ticks = calendarTicks(lo, hi, units(u, calendar), 6);
        expect(ticks.length, `${u} ${lo}..${hi} (${calendar})`).toBeGreaterThanOrEqual(3);
        expect(ticks.length).toBeLessThanOrEqual(12);
        for (const t of ticks) expect(t.value >= lo && t.value <= hi, `${t.label} inside ${lo}..${hi}`).toBe(true);
        cases.push({ calendar, u, ticks });
        queries.push({ units: u, calendar, values: ticks.map((t) => t.value) });
      }
    }
    const dates = cftime(queries) as string[][];
    cases.forEach((c, k) => {
      c.ticks.forEach((t, i) => {
        const iso = dates[k]![i]!;
        // cftime's date of the tick's value is the one the label names, with nothing finer than it says:
        // `2010` is 2010-01-01T00:00:00, `2010-03` the first of March, `12:30:10` a time on the day.
        const label = t.label.replace(' ', 'T');
        const named = /^\d\d:\d\d:\d\d$/.test(label) ? iso.slice(0, 11) + label : label + '0000-01-01T00:00:00'.slice(label.length);
        expect(iso, `${t.label} at ${t.value} ${c.u} (${c.calendar})`).toBe(named);
      });
    });
    // And the value of a tick is what cftime's date2num gives for its date.
    const monthly = calendarTicks(-400, 900, units('days since 2001-01-01', '360_day'), 6);
    const [nums] = cftime([{ units: 'days since 2001-01-01', calendar: '360_day', dates: monthly.map((t) => {
      const [y, m = 1] = t.label.split('-').map(Number);
      return [y!, m, 1];
    }) }]) as number[][];
    expect(monthly.map((t) => t.value)).toEqual(nums);
  }, 60_000);

  it('labels the time axis of a non-Gregorian calendar with dates, not numbers', () => {
    for (const calendar of ['noleap', 'all_leap', '360_day', 'julian']) {
      const values = Array.from({ length: 120 }, (_, i) => i * 30 + 15);
      const ticks = axisTicks({ kind: 'time', values, time: units('days since 2001-01-01', calendar) }, -0.5, 119.5, 5);
      expect(ticks.length).toBeGreaterThanOrEqual(3);
      for (const t of ticks) expect(t.label, calendar).toMatch(/^\d{4}(-\d\d)?$/);
    }
  });
});
