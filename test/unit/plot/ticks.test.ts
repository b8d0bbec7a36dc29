import { describe, expect, it } from 'vitest';
import { axisKind, axisTicks, dateTicks, formatLatitude, formatLongitude, linearTicks, logTicks, positionOf, valueAt } from '../../../src/lib/plot/ticks';
import { parseTimeUnits, timeLabels } from '../../../src/lib/cf/time';

const labels = (t: { label: string }[]) => t.map((x) => x.label);
const range = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

/** Every tick sits where the coordinate has the tick's value. */
function placed(values: number[], ticks: { pos: number; value: number }[]): void {
  for (const t of ticks) expect(valueAt(values, t.pos)).toBeCloseTo(t.value, 6);
}

describe('axisKind', () => {
  it('knows longitude and latitude by CF units, standard_name or axis', () => {
    expect(axisKind({ units: 'degrees_east' })).toBe('longitude');
    expect(axisKind({ units: 'degree_E' })).toBe('longitude');
    expect(axisKind({ standard_name: 'longitude' })).toBe('longitude');
    expect(axisKind({ axis: 'X', units: 'degrees' })).toBe('longitude');
    expect(axisKind({ units: 'degrees_north' })).toBe('latitude');
    expect(axisKind({ standard_name: 'latitude', units: 'degrees' })).toBe('latitude');
    expect(axisKind({ axis: 'Y', units: 'degree' })).toBe('latitude');
    expect(axisKind({ units: 'm' })).toBe('linear');
    expect(axisKind(undefined)).toBe('index');
    expect(axisKind({}, parseTimeUnits('days since 2000-01-01'))).toBe('time');
  });
});

describe('degree ticks', () => {
  it('labels 0..360 longitudes with hemispheres at round degrees', () => {
    const lon = range(36, (i) => i * 10);
    const t = axisTicks({ kind: 'longitude', values: lon }, -0.5, 35.5);
    expect(labels(t)).toEqual(['0°', '60°E', '120°E', '180°', '120°W', '60°W']);
    placed(lon, t);
  });
  it('labels -180..180 longitudes alike', () => {
    const lon = range(360, (i) => -179.5 + i);
    const t = axisTicks({ kind: 'longitude', values: lon }, -0.5, 359.5);
    expect(labels(t)).toEqual(['180°', '120°W', '60°W', '0°', '60°E', '120°E', '180°']);
    placed(lon, t);
  });
  it('places ticks on descending latitudes where the coordinate has their value', () => {
    const lat = range(18, (i) => 85 - i * 10);
    const t = axisTicks({ kind: 'latitude', values: lat }, -0.5, 17.5);
    expect(labels(t).sort()).toEqual(['0°', '30°N', '30°S', '60°N', '60°S', '90°N', '90°S'].sort());
    placed(lat, t);
    // Descending: the northern ticks sit at the low indices.
    expect(t.find((x) => x.label === '60°N')!.pos).toBeLessThan(t.find((x) => x.label === '60°S')!.pos);
  });
  it('follows a zoom into part of the axis, with decimals for fine steps', () => {
    const lat = range(1000, (i) => -89.91 + i * 0.18);
    const t = axisTicks({ kind: 'latitude', values: lat }, 500, 510);
    expect(t.length).toBeGreaterThan(2);
    for (const x of t) {
      expect(x.pos).toBeGreaterThanOrEqual(500);
      expect(x.pos).toBeLessThanOrEqual(510);
    }
    expect(t[0]!.label).toMatch(/^\d+\.\d°N$/);
    placed(lat, t);
  });
  it('writes degrees the way maps do', () => {
    expect(formatLongitude(180)).toBe('180°');
    expect(formatLongitude(-180)).toBe('180°');
    expect(formatLongitude(360)).toBe('0°');
    expect(formatLongitude(200)).toBe('160°W');
    expect(formatLongitude(-0.0001, 0)).toBe('0°');
    expect(formatLatitude(-45.5, 1)).toBe('45.5°S');
    expect(formatLatitude(0)).toBe('0°');
  });
});

describe('date ticks', () => {
  const days = parseTimeUnits('days since 2000-01-01', 'proleptic_gregorian')!;
  it('puts years, months, days or hours at round dates as the span needs', () => {
    expect(labels(axisTicks({ kind: 'time', values: range(3650, (i) => i), time: days }, -0.5, 3649.5))).toEqual(['2000', '2002', '2004', '2006', '2008']);
    expect(labels(axisTicks({ kind: 'time', values: range(400, (i) => i), time: days }, -0.5, 399.5))).toEqual(['2000-01', '2000-04', '2000-07', '2000-10', '2001-01']);
    expect(labels(axisTicks({ kind: 'time', values: range(10, (i) => i), time: days }, -0.5, 9.5))).toEqual(['2000-01-02', '2000-01-04', '2000-01-06', '2000-01-08', '2000-01-10']);
    const hours = axisTicks({ kind: 'time', values: range(48, (i) => i / 24), time: days }, -0.5, 47.5);
    expect(labels(hours)[1]).toBe('2000-01-01 12:00');
  });
  it('places each date where the decoded time axis has it', () => {
    const values = range(730, (i) => i * 1.5);
    const t = axisTicks({ kind: 'time', values, time: days }, -0.5, 729.5);
    const decoded = timeLabels(t.map((x) => x.value), days);
    t.forEach((x, i) => expect(decoded[i]!.startsWith(x.label)).toBe(true));
    placed(values, t);
  });
  it('labels other calendars with round dates of that calendar', () => {
    const noleap = parseTimeUnits('days since 2000-01-01', 'noleap')!;
    const t = axisTicks({ kind: 'time', values: range(730, (i) => i), time: noleap }, -0.5, 729.5);
    expect(labels(t)).toEqual(['2000-01', '2000-07', '2001-01', '2001-07']);
    // 1 July of a noleap year is day 181 (no 29 February).
    expect(t[1]!.value).toBe(181);
  });
  it('gives seconds for a span of a minute', () => {
    const d = dateTicks(Date.UTC(2020, 0, 1), Date.UTC(2020, 0, 1, 0, 1));
    expect(d.ms.map(d.label)[1]).toBe('00:00:10');
  });
});

describe('linear, index and log ticks', () => {
  it('uses round values for tiny and huge ranges', () => {
    expect(labels(axisTicks({ kind: 'linear', values: [1e-7, 2e-7, 3e-7, 4e-7] }, 0, 3))).toEqual(['10⁻⁷', '1.5×10⁻⁷', '2×10⁻⁷', '2.5×10⁻⁷', '3×10⁻⁷', '3.5×10⁻⁷', '4×10⁻⁷']);
    expect(labels(axisTicks({ kind: 'linear', values: [1e12, 2e12, 3e12] }, 0, 2))).toEqual(['10¹²', '1.5×10¹²', '2×10¹²', '2.5×10¹²', '3×10¹²']);
    expect(linearTicks(0.1, 0.3, 4).values).toEqual([0.1, 0.15, 0.2, 0.25, 0.3]);
  });
  it('places ticks on an irregular descending coordinate (pressure levels)', () => {
    const plev = [100000, 85000, 50000];
    const t = axisTicks({ kind: 'linear', values: plev }, -0.5, 2.5);
    placed(plev, t);
    expect(positionOf(plev, 85000)).toBe(1);
  });
  it('numbers a dimension without a coordinate by whole indices', () => {
    expect(labels(axisTicks({ kind: 'index' }, -0.5, 9.5))).toEqual(['0', '2', '4', '6', '8']);
    expect(labels(axisTicks({ kind: 'index' }, -0.5, 2.5))).toEqual(['0', '1', '2']);
    // A coordinate that is not monotonic cannot place values: indices instead.
    expect(labels(axisTicks({ kind: 'linear', values: [3, 1, 2] }, -0.5, 2.5))).toEqual(['0', '1', '2']);
  });
  it('puts log ticks on decades, with 2 and 5 between few', () => {
    expect(logTicks(0.01, 1000)).toEqual([0.01, 0.1, 1, 10, 100, 1000]);
    expect(logTicks(1, 50)).toEqual([1, 2, 5, 10, 20, 50]);
    expect(logTicks(1e-8, 1e8).length).toBeLessThanOrEqual(7);
    expect(logTicks(2, 7)).toEqual([2, 3, 4, 5, 6, 7]);
    expect(logTicks(0, 7)).toEqual([]);
  });
});
