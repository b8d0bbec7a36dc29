import { describe, expect, it } from 'vitest';
import { formatTicks, formatValue, parseNumber, superscript } from '../../../src/lib/plot/number-format';

describe('formatValue', () => {
  it('writes ordinary numbers plainly, rounding float noise to six significant digits', () => {
    expect(formatValue(0.1 + 0.2)).toBe('0.3');
    expect(formatValue(273.15)).toBe('273.15');
    expect(formatValue(-0.5)).toBe('-0.5');
    expect(formatValue(0.00012345678)).toBe('0.000123457');
    expect(formatValue(42)).toBe('42');
    expect(formatValue(0)).toBe('0');
  });
  it('writes tiny and huge numbers with a power of ten, never as 5.0000e-6', () => {
    expect(formatValue(5e-6)).toBe('5×10⁻⁶');
    expect(formatValue(1.5e-7)).toBe('1.5×10⁻⁷');
    expect(formatValue(-12345678.9)).toBe('-1.23457×10⁷');
    expect(formatValue(1e300)).toBe('10³⁰⁰');
    expect(formatValue(3e9)).toBe('3×10⁹');
    expect(formatValue(9.9999999e-5)).toBe('10⁻⁴');
  });
  it('keeps whole numbers below 10⁹ exact', () => {
    expect(formatValue(1234567)).toBe('1234567');
    expect(formatValue(100000)).toBe('100000');
  });
  it('names what is not a number', () => {
    expect(formatValue(Number.NaN)).toBe('NaN');
    expect(formatValue(Infinity)).toBe('∞');
    expect(formatValue(-Infinity)).toBe('-∞');
  });
  it('reads back what it wrote, to its precision, for values across 600 orders of magnitude', () => {
    for (let e = -300; e <= 300; e += 7) {
      for (const m of [1, -2.5, 7.123456]) {
        const v = m * 10 ** e;
        const back = parseNumber(formatValue(v));
        expect(Math.abs(back - v) / Math.abs(v), `${v} → ${formatValue(v)}`).toBeLessThan(1e-5);
      }
    }
  });
});

describe('formatTicks', () => {
  it('gives evenly spaced values one precision from their spacing', () => {
    expect(formatTicks([0, 0.05, 0.1])).toEqual(['0', '0.05', '0.1']);
    expect(formatTicks([0.1, 0.15, 0.2])).toEqual(['0.1', '0.15', '0.2']);
    expect(formatTicks([270, 275, 280])).toEqual(['270', '275', '280']);
    expect(formatTicks([0, 2.5, 5])).toEqual(['0', '2.5', '5']);
    expect(formatTicks([0.1 + 0.2, 0.4, 0.5])).toEqual(['0.3', '0.4', '0.5']);
  });
  it('writes tiny and huge ticks with powers of ten', () => {
    expect(formatTicks([0, 2e-6, 4e-6])).toEqual(['0', '2×10⁻⁶', '4×10⁻⁶']);
    expect(formatTicks([1.5e-5, 2e-5, 2.5e-5])).toEqual(['1.5×10⁻⁵', '2×10⁻⁵', '2.5×10⁻⁵']);
    expect(formatTicks([1e6, 2e6, 3e6])).toEqual(['10⁶', '2×10⁶', '3×10⁶']);
    expect(formatTicks([-1e9, 0, 1e9])).toEqual(['-10⁹', '0', '10⁹']);
  });
  it('never prints the same label for two different ticks', () => {
    for (const [lo, step] of [[0, 0.001], [1000, 0.5], [1e-9, 1e-11], [-3e7, 2.5e5], [12, 0.25]] as const) {
      const ticks = Array.from({ length: 6 }, (_, i) => lo + i * step);
      expect(new Set(formatTicks(ticks, step)).size, `${lo} by ${step}`).toBe(6);
    }
  });
});

describe('parseNumber', () => {
  it('reads plain, e-notation and power-of-ten text', () => {
    expect(parseNumber('5×10⁻⁶')).toBe(5e-6);
    expect(parseNumber('10⁶')).toBe(1e6);
    expect(parseNumber('2x10^3')).toBe(2000);
    expect(parseNumber('1.5e-7')).toBe(1.5e-7);
    expect(parseNumber('−4.5')).toBe(-4.5);
    expect(parseNumber(' 12 ')).toBe(12);
  });
  it('refuses what is not a number', () => {
    expect(parseNumber('abc')).toBeNaN();
    expect(parseNumber('')).toBeNaN();
    expect(parseNumber('1,5')).toBeNaN();
  });
  it('writes superscripts', () => {
    expect(superscript(-12)).toBe('⁻¹²');
  });
});
