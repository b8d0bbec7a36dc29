/** Screen-resolution pictures: which values an image at step f shows. */
import { describe, expect, it } from 'vitest';
import { imageSize, sampleBlock, sampleRect, stepFor } from '../../../src/lib/zarr/decimate';

describe('decimation', () => {
  it('keeps at least one value per canvas pixel', () => {
    expect(stepFor(720 / 2048)).toBe(2);
    expect(stepFor(480 / 2048)).toBe(4);
    expect(stepFor(1)).toBe(1);
    expect(stepFor(3.5)).toBe(1);
    expect(stepFor(0)).toBe(1);
    expect(stepFor(Infinity)).toBe(1);
    expect(imageSize(2048, 2048, 4)).toEqual({ height: 512, width: 512 });
    // Zoomed far in on a huge slice, the picture still fits a canvas.
    expect(stepFor(4, 2048, 2048)).toBe(1);
    expect(stepFor(4, 20_000, 9000)).toBe(3);
    expect(imageSize(20_000, 9000, 3).height).toBeLessThanOrEqual(8192);
    expect(imageSize(5, 7, 2)).toEqual({ height: 3, width: 4 });
  });

  it('samples a block on the global step grid, wherever the block starts', () => {
    // A 10 x 10 slice with value y*100 + x, cut into blocks of 3 x 4 as chunks are.
    const value = (y: number, x: number) => y * 100 + x;
    const step = 3;
    const image = new Map<string, number>();
    for (let y0 = 0; y0 < 10; y0 += 3) {
      for (let x0 = 0; x0 < 10; x0 += 4) {
        const h = Math.min(3, 10 - y0);
        const w = Math.min(4, 10 - x0);
        const block = new Float64Array(h * w).map((_, i) => value(y0 + Math.floor(i / w), x0 + (i % w)));
        const s = sampleBlock(block, y0, x0, h, w, step);
        for (let r = 0; r < s.h; r++) for (let c = 0; c < s.w; c++) image.set(`${s.y0 + r},${s.x0 + c}`, s.values[r * s.w + c]!);
      }
    }
    // Every image pixel was produced exactly once, from data (i*3, j*3).
    const { height, width } = imageSize(10, 10, step);
    expect(image.size).toBe(height * width);
    for (let i = 0; i < height; i++) for (let j = 0; j < width; j++) expect(image.get(`${i},${j}`)).toBe(value(i * 3, j * 3));
  });

  it('keeps the array type, and a block off the grid gives an empty tile', () => {
    const f32 = sampleBlock(new Float32Array([1, 2, 3, 4]), 0, 0, 2, 2, 2);
    expect(f32.values).toBeInstanceOf(Float32Array);
    expect(Array.from(f32.values)).toEqual([1]);
    const off = sampleBlock(new Float32Array([1, 2]), 1, 1, 1, 2, 4);
    expect(off.h * off.w).toBe(0);
    const same = new Float64Array([5, 6]);
    expect(sampleBlock(same, 0, 0, 1, 2, 1).values).toBe(same);
  });

  it('samples a block in place in its slice as it would the block cut out, into a reused array', () => {
    // A 10 x 10 slice with value y*100 + x; the block of rows 3-7, columns 2-8.
    const slice = new Float32Array(100).map((_, i) => Math.floor(i / 10) * 100 + (i % 10));
    const [y0, x0, h, w] = [3, 2, 5, 7];
    const block = new Float32Array(h * w).map((_, i) => slice[(y0 + Math.floor(i / w)) * 10 + x0 + (i % w)]!);
    const scratch = new Float32Array(64).fill(-1);
    for (const step of [1, 2, 3, 4]) {
      const want = sampleBlock(block, y0, x0, h, w, step);
      const got = sampleRect(slice, y0 * 10 + x0, 10, y0, x0, h, w, step, scratch);
      expect({ ...got, values: Array.from(got.values) }).toEqual({ ...want, values: Array.from(want.values) });
      expect(got.values.buffer).toBe(scratch.buffer);
    }
    // Whole rows are contiguous: at step 1 a view of the slice, no copy.
    const rows = sampleRect(slice, 30, 10, 3, 0, 2, 10, 1, scratch);
    expect(rows.values.buffer).toBe(slice.buffer);
    expect(Array.from(rows.values)).toEqual(Array.from(slice.subarray(30, 50)));
    // A scratch array of another type or too short is not used.
    expect(sampleRect(slice, 0, 10, 0, 0, 10, 10, 2, new Float64Array(100)).values).toBeInstanceOf(Float32Array);
    expect(sampleRect(slice, 0, 10, 0, 0, 10, 10, 2, new Float32Array(3)).values.length).toBe(25);
  });
});
