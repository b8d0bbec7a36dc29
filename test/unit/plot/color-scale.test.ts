import { describe, expect, it } from 'vitest';
import { chooseRange, colormap, logFloor, logRange, paint } from '../../../src/lib/colormap/index';

/** The lookup-table index each value was painted with (greys: red channel = index). */
const indices = (rgba: Uint8ClampedArray) => Array.from({ length: rgba.length / 4 }, (_, i) => (rgba[i * 4 + 3] ? rgba[i * 4]! : -1));

describe('log colour scale', () => {
  it('spreads decades evenly over the colours', () => {
    const px = paint(new Float64Array([1, 10, 100, 1000]), colormap('greys'), { min: 1, max: 1000, scale: 'log' });
    expect(indices(px)).toEqual([0, 85, 170, 255]);
  });
  it('gives values at or below zero the first colour and keeps NaN transparent', () => {
    const px = paint(new Float32Array([0, -3, NaN, 1e9]), colormap('greys'), { min: 0.1, max: 10, scale: 'log' });
    expect(indices(px)).toEqual([0, 0, -1, 255]);
  });
  it('starts three decades below the top when the range reaches zero', () => {
    expect(logFloor(0, 50)).toBe(0.05);
    expect(logFloor(2, 50)).toBe(2);
    const px = paint(new Float64Array([0.05, 50]), colormap('greys'), { min: 0, max: 50, scale: 'log' });
    expect(indices(px)).toEqual([0, 255]);
  });
  it('takes its range from the positive values', () => {
    const v = new Float64Array([0, 0, 0, 0.01, 0.1, 1, 10, 100]);
    const r = logRange(v, { robust: false })!;
    expect(r.min).toBe(0.01);
    expect(r.max).toBe(100);
    expect(logRange(new Float64Array([0, -1]))).toBeNull();
  });
  it('is offered for data skewed positive (rain), not for symmetric or negative data', () => {
    const rain = Float64Array.from({ length: 10_000 }, (_, i) => (i % 3 === 0 ? Math.exp((i % 97) / 10) : 0));
    expect(chooseRange(rain)!.skewed).toBe(true);
    const temp = Float64Array.from({ length: 10_000 }, (_, i) => 270 + (i % 40));
    expect(chooseRange(temp)!.skewed).toBeFalsy();
    const anom = Float64Array.from({ length: 10_000 }, (_, i) => (i % 40) - 20);
    expect(chooseRange(anom)!.skewed).toBeFalsy();
  });
});

describe('diverging and reversed maps', () => {
  it('centres the range on zero when the data straddle it', () => {
    const r = chooseRange(new Float64Array([-1, 0.5, 3]), { robust: false })!;
    expect(r).toMatchObject({ min: -3, max: 3, diverging: true });
    // Zero then lands on the middle colour of a diverging map.
    const px = paint(new Float64Array([0]), colormap('RdBu_r'), r);
    expect(Array.from(px.subarray(0, 3))).toEqual(Array.from(colormap('RdBu_r').lut.subarray(128 * 3, 128 * 3 + 3)));
  });
  it('reverses a map end to end', () => {
    for (const name of ['viridis', 'RdBu_r', 'greys'] as const) {
      const a = colormap(name).lut;
      const b = colormap(name, true).lut;
      for (let i = 0; i < 256; i += 15) expect(Array.from(b.subarray(i * 3, i * 3 + 3))).toEqual(Array.from(a.subarray((255 - i) * 3, (255 - i) * 3 + 3)));
    }
    expect(colormap('viridis', true).reversed).toBe(true);
    const px = paint(new Float64Array([0, 1]), colormap('greys', true), { min: 0, max: 1 });
    expect(indices(px)).toEqual([255, 0]);
  });
});

describe('colour bar labels', () => {
  it('labels both ends with the range and round values between, clear of the ends', async () => {
    const { barTicks } = await import('../../../src/lib/plot/colorbar');
    const t = barTicks(271.3, 301.9, 'linear');
    expect(t[0]).toMatchObject({ at: 0, label: '271.3', end: 'min' });
    expect(t.at(-1)).toMatchObject({ at: 1, label: '301.9', end: 'max' });
    expect(t.slice(1, -1).map((x) => x.label)).toEqual(['275', '280', '285', '290', '295']);
    for (const x of t.slice(1, -1)) expect(x.at > 0.09 && x.at < 0.91).toBe(true);
  });
  it('puts decades evenly along a log bar and writes tiny ends with powers of ten', async () => {
    const { barTicks, barFraction, barValue } = await import('../../../src/lib/plot/colorbar');
    const t = barTicks(1e-6, 1e-2, 'log');
    expect(t[0]!.label).toBe('10⁻⁶');
    expect(t.slice(1, -1).map((x) => x.label)).toEqual(['10⁻⁵', '0.0001', '0.001']);
    expect(barFraction(1e-4, 1e-6, 1e-2, 'log')).toBeCloseTo(0.5, 9);
    expect(barValue(0.5, 1e-6, 1e-2, 'log')).toBeCloseTo(1e-4, 12);
  });
});
