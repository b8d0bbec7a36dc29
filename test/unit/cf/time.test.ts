import { describe, expect, it } from 'vitest';
import { decodeTime, formatDate, isTimeUnits, parseTimeUnits, timeLabels, timeToEpochMs } from '../../../src/lib/cf/time';

const label = (v: number, units: string, cal?: string) => {
  const u = parseTimeUnits(units, cal);
  if (!u) throw new Error('units not parsed');
  return formatDate(decodeTime(v, u)!);
};

describe('CF time units', () => {
  it('recognises the spellings xarray and CMOR write', () => {
    expect(isTimeUnits('days since 2000-01-01')).toBe(true);
    expect(isTimeUnits('hours since 1900-01-01 00:00:0.0')).toBe(true);
    expect(isTimeUnits('seconds since 1970-01-01T00:00:00Z')).toBe(true);
    expect(isTimeUnits('K')).toBe(false);
    expect(parseTimeUnits('months since 2000-01-01')).toBeNull();
    expect(parseTimeUnits('days since 2000-01-01', 'martian')).toBeNull();
  });
});

describe('Gregorian calendars', () => {
  it('decodes days, hours and fractional offsets', () => {
    expect(label(0, 'days since 2000-01-01')).toBe('2000-01-01T00:00:00');
    expect(label(31.5, 'days since 2000-01-01')).toBe('2000-02-01T12:00:00');
    expect(label(60, 'days since 2000-01-01', 'gregorian')).toBe('2000-03-01T00:00:00'); // 2000 is a leap year
    expect(label(876576, 'hours since 1900-01-01 00:00:0.0')).toBe('2000-01-01T00:00:00');
    expect(label(1.5, 'seconds since 1970-01-01T00:00:00Z')).toBe('1970-01-01T00:00:01.500');
  });
  it('applies a reference time zone', () => {
    expect(label(1, 'hours since 2000-01-01 00:00:00+01:00')).toBe('2000-01-01T00:00:00');
  });
  it('gives epoch milliseconds like numpy datetime64', () => {
    expect(timeToEpochMs(1, parseTimeUnits('days since 1970-01-01')!)).toBe(86_400_000);
    expect(timeToEpochMs(1, parseTimeUnits('days since 2000-01-01', '360_day')!)).toBeNull();
  });
  it('labels an all-midnight axis with dates only, and NaN as NaT', () => {
    expect(timeLabels([0, 1, NaN], parseTimeUnits('days since 2000-01-01')!)).toEqual(['2000-01-01', '2000-01-02', 'NaT']);
    expect(timeLabels([0, 0.25], parseTimeUnits('days since 2000-01-01')!)).toEqual(['2000-01-01T00:00:00', '2000-01-01T06:00:00']);
  });
});

describe('model calendars', () => {
  it('noleap has no 29 February', () => {
    expect(label(59, 'days since 2000-01-01', 'noleap')).toBe('2000-03-01T00:00:00');
    expect(label(365, 'days since 2000-01-01', '365_day')).toBe('2001-01-01T00:00:00');
    expect(label(-1, 'days since 2000-01-01', 'noleap')).toBe('1999-12-31T00:00:00');
  });
  it('all_leap always has 29 February', () => {
    expect(label(59, 'days since 2001-01-01', 'all_leap')).toBe('2001-02-29T00:00:00');
    expect(label(366, 'days since 2001-01-01', '366_day')).toBe('2002-01-01T00:00:00');
  });
  it('360_day has twelve 30-day months', () => {
    expect(label(30, 'days since 2000-01-01', '360_day')).toBe('2000-02-01T00:00:00');
    expect(label(59, 'days since 2000-02-01', '360_day')).toBe('2000-03-30T00:00:00');
    expect(label(360 * 24 + 12, 'hours since 2000-01-01', '360_day')).toBe('2001-01-01T12:00:00');
  });
  it('julian has a leap year every four years, 1900 included', () => {
    expect(label(1, 'days since 1900-02-28', 'julian')).toBe('1900-02-29T00:00:00');
    expect(label(366, 'days since 2000-01-01', 'julian')).toBe('2001-01-01T00:00:00');
    expect(label(365 * 3 + 366, 'days since 2000-01-01', 'julian')).toBe('2004-01-01T00:00:00');
  });
});
