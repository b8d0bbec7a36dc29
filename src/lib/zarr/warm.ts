/**
 * Warm the Zarr worker before a dataset opens, so the first chunk is not
 * slowed by one-off costs measured in Chromium: compiling the blosc WASM
 * (100-500 ms under load), the first call of its decompressors (V8 compiles
 * WASM functions lazily, on first use), growing its memory to a real chunk,
 * and the first runs of the open/plan/read/paint code (interpreted until the
 * JIT picks it up: parsing .zmetadata to presigning the first chunks took
 * ~27 ms cold). Small inputs keep it short.
 */
import { mark } from './trace';
import { SliceSession } from './slice-session';
import type { KeySource } from './source';

/** A consolidated xarray-like store in memory: tas(time, lat, lon) with blosc zstd chunks. */
async function tinyStore(encode: (b: Uint8Array) => Promise<Uint8Array>): Promise<KeySource> {
  const files = new Map<string, Uint8Array>();
  const json = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));
  const arr = (shape: number[], chunks: number[], dims: string[], attrs: Record<string, unknown> = {}) => ({
    '.zarray': { zarr_format: 2, shape, chunks, dtype: '<f4', fill_value: 'NaN', order: 'C', filters: null, compressor: { id: 'blosc', cname: 'zstd', clevel: 5, shuffle: 1, blocksize: 0 } },
    '.zattrs': { _ARRAY_DIMENSIONS: dims, ...attrs },
  });
  const meta: Record<string, unknown> = { '.zgroup': { zarr_format: 2 }, '.zattrs': {} };
  const add = (name: string, a: ReturnType<typeof arr>) => {
    meta[`${name}/.zarray`] = a['.zarray'];
    meta[`${name}/.zattrs`] = a['.zattrs'];
  };
  add('time', arr([2], [2], ['time'], { units: 'days since 2000-01-01', calendar: 'standard' }));
  add('lat', arr([8], [8], ['lat']));
  add('lon', arr([8], [8], ['lon']));
  add('tas', arr([2, 8, 8], [1, 4, 4], ['time', 'lat', 'lon'], { units: 'K' }));
  files.set('.zmetadata', json({ zarr_consolidated_format: 1, metadata: meta }));
  const f32 = (n: number, f: (i: number) => number) => new Uint8Array(new Float32Array(n).map((_, i) => f(i)).buffer);
  files.set('time/0', await encode(f32(2, (i) => i)));
  files.set('lat/0', await encode(f32(8, (i) => i * 10 - 35)));
  files.set('lon/0', await encode(f32(8, (i) => i * 45)));
  for (let t = 0; t < 2; t++) for (let y = 0; y < 2; y++) for (let x = 0; x < 2; x++) files.set(`tas/${t}.${y}.${x}`, await encode(f32(16, (i) => 280 + i + t)));
  return { label: 'memory://warm.zarr', anonymous: false, get: async (key) => files.get(key) };
}

/** Let a waiting message (the user's open) run before the next warm-up step. */
const yieldToMessages = () => new Promise((r) => setTimeout(r, 0));

/**
 * Returns how many tiles the throw-away slice painted (0 if the path failed
 * or was skipped). `stop()` says a real dataset is being opened: the steps
 * after compiling blosc are then skipped, since they would only compete with
 * it (measured: opening at once was ~100 ms slower with them).
 */
export async function warmDecoders(stop: () => boolean = () => false): Promise<number> {
  const { default: Blosc } = await import('numcodecs/blosc');
  mark('blosc:compiled');
  await yieldToMessages();
  if (stop()) return 0;
  // float32-like data, shuffled like xarray writes it; zstd and lz4 are the common compressors.
  const sample = new Uint8Array(new Float32Array(4096).map((_, i) => Math.sin(i / 50)).buffer);
  for (const cname of ['zstd', 'lz4']) {
    const codec = Blosc.fromConfig({ id: 'blosc', clevel: 5, cname, shuffle: 1, blocksize: 0 });
    await codec.decode(await codec.encode(sample));
  }
  // One chunk of a typical size (512 x 512 float32, 1 MiB): the WASM memory
  // grows to hold it now, not during the first real chunk (which took 30-70 ms
  // to decode against ~10 ms for the next ones).
  await yieldToMessages();
  if (stop()) return 0;
  const big = new Uint8Array(new Float32Array(512 * 512).map((_, i) => Math.sin(i / 50) * 300).buffer);
  const zstd = Blosc.fromConfig({ id: 'blosc', clevel: 5, cname: 'zstd', shuffle: 1, blocksize: 0 });
  await zstd.decode(await zstd.encode(big));
  mark('blosc:ready');
  await yieldToMessages();
  if (stop()) return 0;
  // The whole path once, on a throw-away session: open, coordinates, a slice painted as tiles.
  const session = new SliceSession();
  const opened = await session.open(await tinyStore(async (b) => zstd.encode(b)));
  if ('error' in opened) return 0;
  await session.coords();
  let tiles = 0;
  const r = await session.drawSlice({ id: 1, name: 'tas', sel: { index: [1, 0, 0], free: [1, 2] }, cmap: 'viridis', range: null, robust: true, autoCmap: true }, () => void tiles++);
  mark('paint:ready');
  return 'error' in r ? 0 : tiles;
}
