/** The warm-up runs the whole open-and-draw path on its own store. */
import { describe, expect, it } from 'vitest';
import { warmDecoders } from '../../../src/lib/zarr/warm';

describe('warm-up', () => {
  it('opens, reads and paints its in-memory dataset', async () => {
    // 2 x 2 chunks of 4 x 4 in the slice at time 1, each painted as a tile.
    expect(await warmDecoders()).toBe(4);
  });
});
