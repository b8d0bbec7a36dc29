import { describe, expect, it } from 'vitest';
import { noun, plural } from '../../src/lib/format';

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
