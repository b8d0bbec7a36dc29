/** The warm-up runs the whole open-and-draw path on its own store. */
import { describe, expect, it } from 'vitest';
import { warmDecoders } from '../../../src/lib/zarr/warm';

describe('warm-up', () => {
  it('opens, reads and paints its in-memory dataset', async () => {
    // Two slices (time 0 and 1) of two 512 x 512 chunks each, each chunk painted as a tile.
    expect(await warmDecoders()).toBe(4);
  });

  it('does the same with chunks stored as netCDF-4 stores them (shuffle, then zlib)', async () => {
    expect(await warmDecoders(() => false, 'zlib')).toBe(4);
  });
});
