/**
 * Blosc (xarray's default compressor), decoded by numcodecs' own WebAssembly
 * build, with one copy less and no fresh memory per chunk.
 *
 * numcodecs' `Blosc.decode` copies the bytes its module decompressed (a view
 * of WebAssembly memory) into a new array: 1 MiB of fresh memory for a
 * 512 x 512 float32 chunk, which Chromium here took ~10 ms to fill, more than
 * decompressing it (139-228 ms of a 16-chunk slice went to blosc decode). Here
 * the view is copied into a buffer lent by `chunkBuffers`, which the slice
 * reader gives back once the chunk's values are in the slice, so the next
 * chunk lands in memory already in use.
 *
 * The module is reached through an export the build adds to numcodecs' file
 * (scripts/numcodecs-blosc.ts); where it is absent (Vite's dev server, Node
 * outside Vite) chunks are decoded by `Blosc.decode` as before.
 *
 * @example
 * const Blosc = await loadBlosc();
 * const bytes = await Blosc.fromConfig({ id: 'blosc', cname: 'zstd', clevel: 5, shuffle: 1 }).decode(stored);
 */
import { chunkBuffers } from './chunk-buffers';

/** What numcodecs' emscripten blosc module offers (codecs/blosc/blosc_codec.cpp in numcodecs.js). */
interface BloscModule {
  /** The decompressed bytes, as a view of the module's memory valid until `free_result`. */
  decompress(data: Uint8Array): Uint8Array;
  free_result(): void;
}

/** numcodecs' codec, as zarrita builds it. */
interface NumcodecsBlosc {
  encode(data: Uint8Array): Promise<Uint8Array>;
  decode(data: Uint8Array): Promise<Uint8Array>;
}
interface NumcodecsBloscClass {
  fromConfig(config: unknown): NumcodecsBlosc;
}

/** The export scripts/numcodecs-blosc.ts appends (`BLOSC_MODULE_EXPORT` there). */
export const BLOSC_MODULE_EXPORT = 'tesseraBloscModule';

interface Loaded {
  Blosc: NumcodecsBloscClass;
  module: (() => Promise<BloscModule>) | undefined;
}

let loaded: Promise<Loaded> | undefined;

/** numcodecs' blosc entry (a large module: loaded on first use, once). */
function load(): Promise<Loaded> {
  loaded ??= import('numcodecs/blosc').then((m) => {
    // The WebAssembly is compiled on first use, as numcodecs does. Compiling it
    // as soon as the entry loaded held the worker's first message (the open)
    // for 100-200 ms longer in bench/zarr.ts (open:start 120-234 ms after the
    // page asked, against 17-63 ms), so the metadata request left later.
    const module = (m as unknown as Record<string, (() => Promise<BloscModule>) | undefined>)[BLOSC_MODULE_EXPORT];
    return { Blosc: m.default as unknown as NumcodecsBloscClass, module };
  });
  loaded.catch(() => (loaded = undefined));
  return loaded;
}

export class BloscCodec {
  readonly kind = 'bytes_to_bytes';
  readonly #inner: NumcodecsBlosc;
  readonly #module: (() => Promise<BloscModule>) | undefined;

  private constructor(inner: NumcodecsBlosc, module: (() => Promise<BloscModule>) | undefined) {
    this.#inner = inner;
    this.#module = module;
  }

  static fromConfig(config: unknown, { Blosc, module }: Loaded): BloscCodec {
    return new BloscCodec(Blosc.fromConfig(config), module);
  }

  /** Whether chunks go straight from WebAssembly memory into lent buffers (false: through `Blosc.decode`). */
  get direct(): boolean {
    return this.#module !== undefined;
  }

  encode(data: Uint8Array): Promise<Uint8Array> {
    return this.#inner.encode(data);
  }

  /**
   * The decompressed bytes, in a buffer lent by `chunkBuffers` (the slice
   * reader gives it back; anyone else simply keeps it).
   */
  async decode(data: Uint8Array): Promise<Uint8Array> {
    if (!this.#module) return this.#inner.decode(data);
    // A module that cannot be had rejects with a DecoderUnavailable error, which bounded-codecs.ts words for the chunk.
    const module = await this.#module();
    const view = module.decompress(data);
    try {
      const out = chunkBuffers.take(view.length);
      out.set(view);
      return out;
    } finally {
      module.free_result();
    }
  }
}

/**
 * Compile the WebAssembly now (once). For a read whose chunks are on their
 * way: compiling at the first decode, as numcodecs does, put it between the
 * first chunk's bytes and its picture whenever the warm-up was cut short by
 * an early open (warm.ts).
 */
export function startBlosc(): void {
  void load()
    .then((l) => l.module?.())
    .catch(() => undefined);
}

/** Whether a codec name is blosc's (v3 `blosc`, v2 `numcodecs.blosc`). */
export function isBlosc(name: string): boolean {
  return name === 'blosc' || name === 'numcodecs.blosc';
}

/** The codec class for zarrita's registry (`fromConfig(config, meta)`), numcodecs loaded. */
export async function loadBlosc(): Promise<{ fromConfig(config: unknown): BloscCodec }> {
  const l = await load();
  return { fromConfig: (config: unknown) => BloscCodec.fromConfig(config, l) };
}
