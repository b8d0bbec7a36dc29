/**
 * A read of a blosc variable compiles blosc's WebAssembly while its chunks
 * are still on their way, not when the first one lands (its own file: the
 * module is compiled once per test file).
 */
import { describe, expect, it, vi } from 'vitest';
import { ZarrDataset } from '../../../src/lib/zarr/open';
import { MemorySource, v2Array } from './memory-source';

describe('blosc compiled ahead of the first chunk', () => {
  it('starts compiling when a read of a blosc variable starts, before any chunk has arrived', async () => {
    const instantiate = vi.spyOn(WebAssembly, 'instantiate');
    const src = new MemorySource({}).json('.zgroup', { zarr_format: 2 }).json('.zattrs', {});
    v2Array(src, 'v', { shape: [4, 8], chunks: [4, 8], dtype: '<f4', dims: ['y', 'x'], compressor: { id: 'blosc', cname: 'zstd', clevel: 5, shuffle: 1, blocksize: 0 } });
    // The chunk never arrives (a slow network): nothing is decoded.
    let asked = false;
    const get = src.get.bind(src);
    src.get = (key, range) => (key === 'v/0.0' ? ((asked = true), new Promise<never>(() => undefined)) : get(key, range));
    const ds = await ZarrDataset.open(src);
    const controller = new AbortController();
    const read = ds.read('v', { index: [0, 0], free: [0, 1] }, { signal: controller.signal });
    read.catch(() => undefined);
    await vi.waitFor(() => expect(instantiate).toHaveBeenCalled(), { timeout: 4_000 });
    expect(asked).toBe(true);
    controller.abort();
  });
});
