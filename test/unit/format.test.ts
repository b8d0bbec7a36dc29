import { describe, expect, it } from 'vitest';
import { formatBytes, formatNumber, noun, plural } from '../../src/lib/format';

describe('plural', () => {
  it('uses the singular for exactly one and the plural otherwise', () => {
    expect(plural(1, 'object')).toBe('1 object');
    expect(plural(0, 'object')).toBe('0 objects');
    expect(plural(2, 'day')).toBe('2 days');
    expect(plural(-1, 'day')).toBe('-1 days');
    expect(plural(1.5, 'hour')).toBe('1.5 hours');
  });
  it('groups thousands like the other counts', () => {
    expect(plural(12000, 'object')).toBe('12,000 objects');
  });
  it('takes an irregular plural', () => {
    expect(plural(1, 'entry', 'entries')).toBe('1 entry');
    expect(plural(3, 'entry', 'entries')).toBe('3 entries');
  });
  it('gives the noun alone for a count shown elsewhere', () => {
    expect(noun(1, 'day')).toBe('day');
    expect(noun(7, 'day')).toBe('days');
    expect(noun(Number.NaN, 'hour')).toBe('hours');
  });
});

describe('formatBytes', () => {
  it('spells binary units the IEC way, three significant digits', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(204800)).toBe('200 KiB');
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(40 * 1024 ** 2)).toBe('40.0 MiB');
  });
  it('says a size is unknown rather than print a wrong one', () => {
    expect(formatBytes(Number.NaN)).toBe('—');
    expect(formatBytes(-1)).toBe('—');
  });
});

describe('formatNumber', () => {
  it('keeps integers, rounds the float noise away, and switches to exponents at the extremes', () => {
    expect(formatNumber(42)).toBe('42');
    expect(formatNumber(0.1 + 0.2)).toBe('0.3');
    expect(formatNumber(1.5e-7)).toBe('1.5×10⁻⁷');
    expect(formatNumber(-12345678.9)).toBe('-1.23457×10⁷');
    expect(formatNumber(Number.NaN)).toBe('NaN');
  });
});
