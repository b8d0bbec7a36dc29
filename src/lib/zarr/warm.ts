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
import { shuffle } from './shuffle';
import { loadBlosc } from './blosc';
import { chunkBuffers } from './chunk-buffers';

/**
 * A consolidated xarray-like store in memory: tas(time, lat, lon) whose
 * chunks are real-size (512 x 512 float32, blosc zstd), so the loops that
 * run on every value (decode, unpack, paint) are compiled by the JIT before
 * a real chunk needs them: warmed on small chunks, the first real chunk
 * still took ~50 ms to decode, unpack and paint against ~6 ms later.
 */
/** How the warm-up's chunks are stored: blosc zstd (xarray's Zarr), or shuffle + zlib (netCDF-4's deflate, read through references). */
export type WarmCodec = 'blosc' | 'zlib';

const CODECS: Record<WarmCodec, { filters: unknown[] | null; compressor: unknown }> = {
  blosc: { filters: null, compressor: { id: 'blosc', cname: 'zstd', clevel: 5, shuffle: 1, blocksize: 0 } },
  zlib: { filters: [{ id: 'shuffle', elementsize: 4 }, { id: 'zlib', level: 1 }], compressor: null },
};

function tinyStore(chunk: Uint8Array, encodedSmall: Map<string, Uint8Array>, codec: WarmCodec = 'blosc'): KeySource {
  const files = new Map<string, Uint8Array>(encodedSmall);
  const json = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));
  const arr = (shape: number[], chunks: number[], dims: string[], attrs: Record<string, unknown> = {}) => ({
    '.zarray': { zarr_format: 2, shape, chunks, dtype: '<f4', fill_value: 'NaN', order: 'C', ...CODECS[codec] },
    '.zattrs': { _ARRAY_DIMENSIONS: dims, ...attrs },
  });
  const meta: Record<string, unknown> = { '.zgroup': { zarr_format: 2 }, '.zattrs': {} };
  const add = (name: string, a: ReturnType<typeof arr>) => {
    meta[`${name}/.zarray`] = a['.zarray'];
    meta[`${name}/.zattrs`] = a['.zattrs'];
  };
  add('time', arr([2], [2], ['time'], { units: 'days since 2000-01-01', calendar: 'standard' }));
  add('lat', arr([WARM_N], [WARM_N], ['lat']));
  add('lon', arr([2 * WARM_N], [2 * WARM_N], ['lon']));
  add('tas', arr([2, WARM_N, 2 * WARM_N], [1, WARM_N, WARM_N], ['time', 'lat', 'lon'], { units: 'K' }));
  files.set('.zmetadata', json({ zarr_consolidated_format: 1, metadata: meta }));
  for (let t = 0; t < 2; t++) for (let x = 0; x < 2; x++) files.set(`tas/${t}.0.${x}`, chunk);
  return { label: 'memory://warm.zarr', anonymous: false, get: async (key) => files.get(key) };
}

/** Side of the warm-up's chunks: the common 512 x 512. */
const WARM_N = 512;

/** A smooth field plus noise (deterministic), like most gridded data: float32 bytes. */
function fieldBytes(n: number): Uint8Array {
  const out = new Float32Array(n * n);
  let seed = 12345;
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      out[y * n + x] = 280 + 20 * Math.sin(y / 60) * Math.cos(x / 45) + (seed / 2 ** 32 - 0.5);
    }
  }
  return new Uint8Array(out.buffer);
}

/** Shuffle then deflate float32 bytes, as netCDF-4 stores them (`CompressionStream` is in workers and Node alike). */
async function shuffleDeflate(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([shuffle(bytes, 4) as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream('deflate'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Let a waiting message (the user's open) run before the next warm-up step. */
const yieldToMessages = () => new Promise((r) => setTimeout(r, 0));

/**
 * Returns how many tiles the throw-away slice painted (0 if the path failed
 * or was skipped). `stop()` says a real dataset is being opened: the steps
 * after compiling blosc are then skipped, since they would only compete with
 * it (measured: opening at once was ~100 ms slower with them).
 */
export async function warmDecoders(stop: () => boolean = () => false, codec: WarmCodec = 'blosc'): Promise<number> {
  if (codec === 'zlib') return warmZlib(stop);
  // The codec slices decode with (blosc.ts), so its module and its copy into lent buffers are warmed too.
  const Blosc = await loadBlosc();
  mark('blosc:compiled');
  await yieldToMessages();
  if (stop()) return 0;
  // float32-like data, shuffled like xarray writes it; zstd and lz4 are the common compressors.
  const sample = new Uint8Array(new Float32Array(4096).map((_, i) => Math.sin(i / 50)).buffer);
  for (const cname of ['zstd', 'lz4']) {
    const codec = Blosc.fromConfig({ id: 'blosc', clevel: 5, cname, shuffle: 1, blocksize: 0 });
    chunkBuffers.give((await codec.decode(await codec.encode(sample))).buffer);
  }
  // One chunk of a typical size (512 x 512 float32, 1 MiB), decoded three
  // times: the WASM memory grows to hold it, and V8 moves the hot decoder
  // functions from its baseline compiler to the optimizing one (in Node the
  // first decodes took 24, 12 and 8 ms, then ~3.4 ms). Each lands in the
  // same lent buffer, which stays idle for the first real chunk: memory
  // already in use, not fresh (see chunk-buffers.ts).
  await yieldToMessages();
  if (stop()) return 0;
  const zstd = Blosc.fromConfig({ id: 'blosc', clevel: 5, cname: 'zstd', shuffle: 1, blocksize: 0 });
  const chunk = await zstd.encode(fieldBytes(WARM_N));
  for (let i = 0; i < 3; i++) {
    chunkBuffers.give((await zstd.decode(chunk)).buffer);
    await yieldToMessages();
    if (stop()) return 0;
  }
  mark('blosc:ready');
  // The whole path twice on a throw-away session: open, coordinates, a slice
  // of real-size chunks painted as tiles (the first run is interpreted).
  const f32 = (n: number, f: (i: number) => number) => new Uint8Array(new Float32Array(n).map((_, i) => f(i)).buffer);
  const small = new Map<string, Uint8Array>([
    ['time/0', await zstd.encode(f32(2, (i) => i))],
    ['lat/0', await zstd.encode(f32(WARM_N, (i) => i / 10 - 25))],
    ['lon/0', await zstd.encode(f32(2 * WARM_N, (i) => i / 5))],
  ]);
  return warmSession(tinyStore(chunk, small), stop);
}

/**
 * For a page about to open netCDF-4 files: no blosc (a large module, compiled
 * on the worker while the file's first bytes arrive), but the inflate and
 * unshuffle of their chunks, then the same throw-away slices.
 */
async function warmZlib(stop: () => boolean): Promise<number> {
  await yieldToMessages();
  if (stop()) return 0;
  const f32 = (n: number, f: (i: number) => number) => new Uint8Array(new Float32Array(n).map((_, i) => f(i)).buffer);
  const chunk = await shuffleDeflate(fieldBytes(WARM_N));
  const small = new Map<string, Uint8Array>([
    ['time/0', await shuffleDeflate(f32(2, (i) => i))],
    ['lat/0', await shuffleDeflate(f32(WARM_N, (i) => i / 10 - 25))],
    ['lon/0', await shuffleDeflate(f32(2 * WARM_N, (i) => i / 5))],
  ]);
  mark('zlib:ready');
  return warmSession(tinyStore(chunk, small, 'zlib'), stop);
}

/** Open the tiny store, read its coordinates and paint two slices of it. */
async function warmSession(store: KeySource, stop: () => boolean): Promise<number> {
  await yieldToMessages();
  if (stop()) return 0;
  const session = new SliceSession();
  const opened = await session.open(store);
  if ('error' in opened) return 0;
  await session.coords();
  let tiles = 0;
  for (let t = 0; t < 2; t++) {
    await yieldToMessages();
    if (stop()) return tiles;
    // The second at the step a page uses for a big slice (every 4th value).
    const r = await session.drawSlice({ id: 1 + t, name: 'tas', sel: { index: [t, 0, 0], free: [1, 2] }, cmap: 'viridis', range: null, robust: true, autoCmap: true, step: 1 + 3 * t }, () => void tiles++);
    if ('error' in r) return 0;
  }
  mark('paint:ready');
  return tiles;
}
