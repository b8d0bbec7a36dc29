import { describe, expect, it } from 'vitest';
import * as zarr from 'zarrita';
import { shuffle, unshuffle } from '../../../src/lib/zarr/shuffle';

/** The filter by its definition (numcodecs, HDF5): byte b of element i goes to plane b; the tail stays. */
function reference(data: Uint8Array, size: number): Uint8Array {
  const n = Math.floor(data.length / size);
  const out = data.slice();
  for (let i = 0; i < n; i++) for (let b = 0; b < size; b++) out[b * n + i] = data[i * size + b]!;
  return out;
}

function bytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let s = seed;
  for (let i = 0; i < length; i++) out[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
  return out;
}

describe('the shuffle filter', () => {
  it('undoes the shuffle for every element size, whole or with a tail, aligned or not', () => {
    for (const size of [1, 2, 3, 4, 8, 16]) {
      for (const length of [0, 3, size * 4, size * 4 + 1, size * 1021, size * 4096 + size - 1]) {
        const data = bytes(length, size * 7919 + length);
        const shuffled = reference(data, size);
        expect(shuffle(data, size)).toEqual(shuffled);
        expect(unshuffle(shuffled, size)).toEqual(data);
        // The same bytes at an odd offset in a larger buffer (a chunk cut from a bigger body).
        const padded = new Uint8Array(length + 3);
        padded.set(shuffled, 1);
        expect(unshuffle(padded.subarray(1, 1 + length), size)).toEqual(data);
      }
    }
  });

  it('undoes the shuffle into a given array, wherever it starts in its buffer, touching nothing around it', () => {
    for (const size of [2, 4, 8]) {
      for (const length of [size * 4, size * 4 + 1, size * 1021]) {
        const data = bytes(length, size * 31 + length);
        const shuffled = reference(data, size);
        for (const at of [0, 4, 3]) {
          const room = new Uint8Array(length + at + 2).fill(0xee);
          const out = unshuffle(shuffled, size, room.subarray(at, at + length));
          expect(out.buffer).toBe(room.buffer);
          expect(Buffer.from(out).equals(Buffer.from(data)), `size ${size}, length ${length}, at ${at}`).toBe(true);
          expect(room.subarray(0, at).every((b) => b === 0xee) && room.subarray(at + length).every((b) => b === 0xee)).toBe(true);
        }
      }
    }
  });

  it('is the codec zarrita decodes shuffled chunks with', async () => {
    type Codec = { decode(d: Uint8Array): Uint8Array };
    const registry = zarr.registry as unknown as Map<string, () => Promise<{ fromConfig(c: unknown, m: unknown): Codec }> | { fromConfig(c: unknown, m: unknown): Codec }>;
    const codec = await registry.get('numcodecs.shuffle')!();
    for (const [dataType, size] of [['float32', 4], ['float64', 8], ['int16', 2], ['uint8', 1]] as const) {
      const data = bytes(size * 512 * 3, size);
      // The element size comes from the chunk's data type, as in zarrita's own codec.
      expect(codec.fromConfig({ elementsize: 4 }, { dataType, shape: [512 * 3] }).decode(reference(data, size))).toEqual(data);
    }
  });
});
