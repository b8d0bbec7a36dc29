/**
 * A few chunk-sized byte buffers lent out and given back, so that decoding a
 * slice chunk by chunk does not take fresh memory for every chunk.
 *
 * Fresh memory is dear: in Chromium on our 2-core test machines, filling a
 * newly allocated 1 MiB array took ~10 ms against ~0.03 ms for one already
 * in use (the pages are mapped on first touch), so the decode steps that
 * allocate a chunk's worth of output (the byte shuffle, see shuffle.ts) each
 * cost more than the work they do.
 *
 * A buffer is given back only by the code that lent it and knows nobody else
 * holds it (readSelection, once a chunk's values are in the slice). `give`
 * ignores anything it did not lend, or lent and already got back, so bytes
 * that belong to a store, a cache or a caller are never recycled.
 */

export class ChunkBuffers {
  readonly #free: ArrayBuffer[] = [];
  /** Lent and not yet given back. */
  readonly #lent = new WeakSet<ArrayBuffer>();
  readonly #keep: number;
  readonly #maxBytes: number;

  /**
   * Keep at most `keep` idle buffers of at most `maxBytes` in all (chunks of
   * hundreds of MB, as CEDA writes, are not held idle).
   */
  constructor(keep = 4, maxBytes = 64 * 2 ** 20) {
    this.#keep = keep;
    this.#maxBytes = maxBytes;
  }

  /**
   * `bytes` bytes to write into (contents undefined): an idle buffer of that
   * exact size, or a new one. Either way the caller holds it alone.
   */
  take(bytes: number): Uint8Array<ArrayBuffer> {
    const i = this.#free.findIndex((b) => b.byteLength === bytes);
    const buffer = i >= 0 ? this.#free.splice(i, 1)[0]! : new ArrayBuffer(bytes);
    this.#lent.add(buffer);
    return new Uint8Array(buffer);
  }

  /** The holder is done with `buffer`: it may be lent again (if it came from here). */
  give(buffer: ArrayBufferLike): void {
    if (!(buffer instanceof ArrayBuffer) || !this.#lent.has(buffer)) return;
    this.#lent.delete(buffer);
    // A buffer transferred to another thread meanwhile is detached (length 0): drop it.
    if (buffer.byteLength === 0 || buffer.byteLength > this.#maxBytes) return;
    this.#free.push(buffer);
    let bytes = this.#free.reduce((n, b) => n + b.byteLength, 0);
    while (this.#free.length > this.#keep || bytes > this.#maxBytes) bytes -= this.#free.shift()!.byteLength;
  }

  /** Idle buffers (for tests). */
  get idle(): number {
    return this.#free.length;
  }
}

/** The decoders' buffers (one set per thread: each worker imports its own). */
export const chunkBuffers = new ChunkBuffers();
