import { describe, expect, it } from 'vitest';
import { cfPacking, isIdentity, unpackInto, unpackValue } from '../../../src/lib/cf/packing';
import { axisTitle } from '../../../src/lib/cf/labels';

describe('CF packing', () => {
  it('scales, offsets and masks like mask_and_scale', () => {
    const p = cfPacking({ scale_factor: 0.01, add_offset: 273.15, _FillValue: -32767, missing_value: -32768 });
    const raw = new Int16Array([0, 100, -32767, -32768, -100]);
    const out = new Float64Array(5);
    unpackInto(raw, 0, 1, 5, p, out, 0);
    expect(out[0]).toBeCloseTo(273.15, 10);
    expect(out[1]).toBeCloseTo(274.15, 10);
    expect(Number.isNaN(out[2])).toBe(true);
    expect(Number.isNaN(out[3])).toBe(true);
    expect(out[4]).toBeCloseTo(272.15, 10);
  });
  it('uses the Zarr fill_value as _FillValue when the attribute is absent', () => {
    const p = cfPacking({}, 'NaN');
    expect(p.masked).toEqual([]);
    expect(Number.isNaN(unpackValue(NaN, p))).toBe(true);
    const q = cfPacking({}, -9999);
    expect(Number.isNaN(unpackValue(-9999, q))).toBe(true);
    expect(unpackValue(-9998, q)).toBe(-9998);
  });
  it('matches a float32 fill value written as a double', () => {
    const p = cfPacking({ _FillValue: 1e20 });
    const raw = new Float32Array([1e20, 1]);
    const out = new Float32Array(2);
    unpackInto(raw, 0, 1, 2, p, out, 0);
    expect(Number.isNaN(out[0])).toBe(true);
    expect(out[1]).toBe(1);
  });
  it('honours valid_range and strides', () => {
    const p = cfPacking({ valid_range: [0, 10] });
    const raw = new Int8Array([5, 99, 11, 99, -1, 99, 10]);
    const out = new Float32Array(4);
    unpackInto(raw, 0, 2, 4, p, out, 0);
    expect(Array.from(out).map((v) => (Number.isNaN(v) ? null : v))).toEqual([5, null, null, 10]);
  });
  it('decodes bigint and boolean data', () => {
    const p = cfPacking({ _FillValue: -1 });
    const out = new Float64Array(3);
    unpackInto(new BigInt64Array([1n, -1n, 3n]), 0, 1, 3, p, out, 0);
    expect(Array.from(out).map((v) => (Number.isNaN(v) ? null : v))).toEqual([1, null, 3]);
    expect(isIdentity(cfPacking({}))).toBe(true);
  });
  it('copies values that need no decoding, from any offset, as the loop would', () => {
    const p = cfPacking({}, 'NaN');
    expect(isIdentity(p)).toBe(true);
    const f32 = new Float32Array([9, 1.5, NaN, -2, 9]);
    const out = new Float32Array(5).fill(7);
    unpackInto(f32, 1, 1, 3, p, out, 2);
    expect(Array.from(out).map((v) => (Number.isNaN(v) ? null : v))).toEqual([7, 7, 1.5, null, -2]);
    // Integers become floats; 64-bit integers (BigInt) and strided reads take the loop.
    const wide = new Float64Array(3);
    unpackInto(new Int16Array([-3, 0, 32767]), 0, 1, 3, p, wide, 0);
    expect(Array.from(wide)).toEqual([-3, 0, 32767]);
    unpackInto(new BigUint64Array([5n, 6n, 7n]), 0, 1, 3, p, wide, 0);
    expect(Array.from(wide)).toEqual([5, 6, 7]);
    unpackInto(new Float32Array([1, 2, 3, 4]), 1, 2, 2, p, wide, 0);
    expect(Array.from(wide.subarray(0, 2))).toEqual([2, 4]);
  });
  it('titles axes as xarray does', () => {
    expect(axisTitle('tas', { long_name: 'Air temperature', units: 'K' })).toBe('Air temperature [K]');
    expect(axisTitle('x', {})).toBe('x');
  });
});
