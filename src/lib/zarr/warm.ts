/**
 * Warm the Zarr worker before a dataset opens, so the first chunk is not
 * slowed by one-off costs measured in Chromium: compiling the blosc WASM
 * (100-500 ms under load), the first call of its decompressors (V8 compiles
 * WASM functions lazily, on first use), and the first runs of the colouring
 * loops (interpreted until the JIT picks them up). Small inputs keep it short.
 */
import { chooseRange, colormap, paint } from '../colormap/index';
import { mark } from './trace';

export async function warmDecoders(): Promise<void> {
  const { default: Blosc } = await import('numcodecs/blosc');
  mark('blosc:compiled');
  // float32-like data, shuffled like xarray writes it; zstd and lz4 are the common compressors.
  const sample = new Uint8Array(new Float32Array(4096).map((_, i) => Math.sin(i / 50)).buffer);
  for (const cname of ['zstd', 'lz4']) {
    const codec = Blosc.fromConfig({ id: 'blosc', clevel: 5, cname, shuffle: 1, blocksize: 0 });
    await codec.decode(await codec.encode(sample));
  }
  // One chunk of a typical size (512 x 512 float32, 1 MiB): the WASM memory
  // grows to hold it now, not during the first real chunk (which took 30-70 ms
  // to decode against ~10 ms for the next ones).
  const big = new Uint8Array(new Float32Array(512 * 512).map((_, i) => Math.sin(i / 50) * 300).buffer);
  const zstd = Blosc.fromConfig({ id: 'blosc', clevel: 5, cname: 'zstd', shuffle: 1, blocksize: 0 });
  await zstd.decode(await zstd.encode(big));
  mark('blosc:ready');
  const values = new Float32Array(sample.buffer);
  for (let i = 0; i < 3; i++) paint(values, colormap('viridis'), chooseRange(values, { maxSamples: 16_384 }) ?? { min: -1, max: 1 });
  mark('paint:ready');
}
