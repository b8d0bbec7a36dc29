import { describe, expect, it } from 'vitest';
import { chooseRange, colormap, COLORMAP_NAMES, niceTicks, paint, percentileOfSorted } from '../../../src/lib/colormap/index';

const rgb = (name: Parameters<typeof colormap>[0], i: number) => Array.from(colormap(name).lut.subarray(i * 3, i * 3 + 3));

describe('colour maps', () => {
  it('viridis runs from dark purple to yellow (matplotlib: #440154 .. #fde725)', () => {
    const [r0, g0, b0] = rgb('viridis', 0);
    const [r1, g1, b1] = rgb('viridis', 255);
    for (const [a, b] of [[r0, 0x44], [g0, 0x01], [b0, 0x54], [r1, 0xfd], [g1, 0xe7], [b1, 0x25]] as const) expect(Math.abs(a! - b)).toBeLessThanOrEqual(6);
  });
  it('viridis gets lighter monotonically (perceptually ordered)', () => {
    const lum = (i: number) => {
      const [r, g, b] = rgb('viridis', i);
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
    };
    for (let i = 8; i < 256; i += 8) expect(lum(i)).toBeGreaterThan(lum(i - 8));
  });
  it('RdBu_r is blue for low values, white-ish in the middle, red for high', () => {
    expect(rgb('RdBu_r', 0)).toEqual([5, 48, 97]);
    expect(rgb('RdBu_r', 255)).toEqual([103, 0, 31]);
    const mid = rgb('RdBu_r', 128);
    expect(Math.min(...mid)).toBeGreaterThan(230);
    expect(colormap('RdBu_r').diverging).toBe(true);
    expect(COLORMAP_NAMES).toContain('viridis');
  });
  it('paints NaN transparent and clamps out-of-range values', () => {
    const px = paint(new Float32Array([NaN, -5, 0.5, 99]), colormap('greys'), { min: 0, max: 1 });
    expect(Array.from(px.subarray(0, 4))).toEqual([0, 0, 0, 0]);
    expect(Array.from(px.subarray(4, 8))).toEqual([0, 0, 0, 255]);
    expect(px[8]).toBe(128);
    expect(Array.from(px.subarray(12, 16))).toEqual([255, 255, 255, 255]);
  });
  it('paints every array type the same, byte for byte, into a fresh or a given buffer', () => {
    const src = Array.from({ length: 1000 }, (_, i) => (i % 97 === 0 ? NaN : Math.sin(i / 30) * 1.5 - 0.2));
    const cmap = colormap('RdBu_r');
    const opts = { min: -1, max: 1, nanColor: [9, 8, 7, 6] as [number, number, number, number] };
    // The reference: one pixel at a time, as the colour map is documented.
    const want = new Uint8ClampedArray(src.length * 4);
    src.forEach((v, i) => {
      const idx = Math.max(0, Math.min(255, ((v - opts.min) * (255 / (opts.max - opts.min)) + 0.5) | 0));
      want.set(Number.isNaN(v) ? opts.nanColor : [...cmap.lut.subarray(idx * 3, idx * 3 + 3), 255], i * 4);
    });
    for (const values of [new Float32Array(src), new Float64Array(src), src.map((v) => Math.fround(v))]) {
      const expected = values instanceof Float64Array ? want : paint(src.map((v) => Math.fround(v)), cmap, opts);
      expect(paint(values, cmap, opts)).toEqual(expected);
    }
    expect(paint(new Float64Array(src), cmap, opts)).toEqual(want);
    // An output that does not start on a 4-byte boundary still gets every pixel.
    const odd = new Uint8ClampedArray(src.length * 4 + 1).subarray(1);
    expect(paint(new Float64Array(src), cmap, opts, odd)).toEqual(want);
  });
});

describe('colour range', () => {
  it('takes 2-98 percentiles like numpy (linear interpolation)', () => {
    const sorted = Array.from({ length: 101 }, (_, i) => i);
    expect(percentileOfSorted(sorted, 2)).toBe(2);
    expect(percentileOfSorted([0, 10], 25)).toBe(2.5);
  });
  it('ignores outliers and NaN when robust', () => {
    const v = new Float32Array(1000).map((_, i) => i % 100);
    v[0] = 1e9;
    v[1] = NaN;
    const r = chooseRange(v)!;
    expect(r.max).toBeLessThan(100);
    expect(r.diverging).toBe(false);
    expect(chooseRange(v, { robust: false })!.max).toBe(1e9);
  });
  it('centres data that straddle zero', () => {
    const r = chooseRange(new Float64Array([-1, 0, 1, 2, 3]), { robust: false })!;
    expect(r).toEqual({ min: -3, max: 3, diverging: true });
  });
  it('gives a constant field a usable range and an empty one none', () => {
    const r = chooseRange(new Float32Array([5, 5, 5]))!;
    expect(r.min).toBeLessThan(5);
    expect(r.max).toBeGreaterThan(5);
    expect(chooseRange(new Float32Array([NaN]))).toBeNull();
  });
  it('makes round tick values', () => {
    expect(niceTicks(0, 10, 5)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(-0.3, 0.3, 3)).toEqual([-0.2, 0, 0.2]);
  });
});
