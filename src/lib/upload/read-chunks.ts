/**
 * Reading a byte range of a file a chunk at a time into memory that is
 * reused, for hashing: each chunk is handed to a synchronous callback (the
 * hashers' `update`) and its buffer is read into again.
 *
 * Why: fresh memory is dear in Chromium here (pages mapped on first touch:
 * filling a new 1 MiB array took ~10 ms, one already in use ~0.03 ms), and
 * `Blob.arrayBuffer()` returns fresh memory every time; so does a plain
 * stream reader, chunk by chunk. Measured in a worker, 256 MiB in 64 MiB
 * parts, renderer CPU s (bench/upload-harness/hash-probe.ts, medians of 2,
 * load ~15): MD5 through `arrayBuffer()` of 8 MiB slices 1.81, default
 * stream reader 1.80-1.86, BYOB into a reused buffer 0.74 (1 MiB) / 0.76
 * (8 MiB); SHA-256 2.21, 2.08, 1.08 / 1.15. The browser process read less
 * too (0.82 against 0.48 CPU s).
 *
 * Where the stream is a byte stream (Chromium, Firefox: the File API makes
 * `Blob.stream()` one) a BYOB reader fills a buffer of ours, which is kept
 * from part to part; elsewhere (Node 20) the stream's own chunks are hashed.
 */
import { FileChangedError } from './classify';
import { hold } from '../held-streams';

/** Bytes per read into a reused buffer (1 and 8 MiB measured the same; the smaller is held per read). */
export const READ_CHUNK = 1024 * 1024;

/**
 * Buffers lent to one read at a time and given back after it: a few per
 * thread (one per read running at once), never one per part or file.
 */
export class ReadBuffers {
  #free: ArrayBuffer[] = [];
  /** Buffers allocated so far (for tests: reads reuse them). */
  made = 0;
  readonly size: number;
  readonly keep: number;

  constructor(size = READ_CHUNK, keep = 4) {
    this.size = size;
    this.keep = keep;
  }

  /** How many buffers wait to be lent (for tests). */
  get idle(): number {
    return this.#free.length;
  }

  take(): ArrayBuffer {
    const free = this.#free.pop();
    if (free) return free;
    this.made++;
    return new ArrayBuffer(this.size);
  }

  give(buffer: ArrayBuffer): void {
    // A BYOB read moves the buffer: only the one handed back last is usable (never a detached one).
    if (buffer.byteLength === this.size && this.#free.length < this.keep) this.#free.push(buffer);
  }
}

const shared = new ReadBuffers();

type ByobReader = ReadableStreamBYOBReader;

function byobReader(stream: ReadableStream<Uint8Array>): ByobReader | undefined {
  try {
    return stream.getReader({ mode: 'byob' });
  } catch {
    // Not a byte stream (Node 20's Blob.stream()): read its own chunks.
    return undefined;
  }
}

/**
 * Feed bytes [start, end) of `blob` to `each`, in order, a chunk at a time.
 * The chunk passed to `each` is only valid during the call (its memory is
 * read into again). A file that can no longer be read, or that ends early,
 * throws FileChangedError.
 */
export async function readChunks(blob: Blob, start: number, end: number, name: string, each: (bytes: Uint8Array) => void, buffers: ReadBuffers = shared): Promise<void> {
  // The whole file is read as it is: in Chromium every `Blob.slice` registers a new blob with the browser process (see readSlice).
  const source = start === 0 && end === blob.size ? blob : blob.slice(start, end);
  let got: number;
  let stream: ReadableStream<Uint8Array>;
  try {
    stream = source.stream() as ReadableStream<Uint8Array>;
  } catch (e) {
    throw new FileChangedError(name, { cause: e });
  }
  // Held until the read ends: Chromium's collector takes a blob stream waiting on a read (see held-streams).
  const release = hold(stream);
  try {
    got = await drain(stream, name, each, buffers);
  } finally {
    release();
  }
  if (got !== end - start) throw new FileChangedError(name, { cause: new Error(`read ${got} of ${end - start} bytes`) });
}

/** Every chunk of `stream` to `each`; the bytes read. */
async function drain(stream: ReadableStream<Uint8Array>, name: string, each: (bytes: Uint8Array) => void, buffers: ReadBuffers): Promise<number> {
  let got = 0;
  const byob = byobReader(stream);
  if (byob) {
    let buffer = buffers.take();
    try {
      for (;;) {
        let r: ReadableStreamReadResult<Uint8Array>;
        try {
          r = await byob.read(new Uint8Array(buffer));
        } catch (e) {
          throw new FileChangedError(name, { cause: e });
        }
        if (r.value) buffer = r.value.buffer as ArrayBuffer;
        if (r.done) break;
        got += r.value.byteLength;
        each(r.value);
      }
    } catch (e) {
      await byob.cancel().catch(() => undefined);
      throw e;
    } finally {
      // A buffer moved into a read that failed is detached (length 0): give() drops it.
      buffers.give(buffer);
    }
  } else {
    const reader = stream.getReader();
    try {
      for (;;) {
        let r: ReadableStreamReadResult<Uint8Array>;
        try {
          r = await reader.read();
        } catch (e) {
          throw new FileChangedError(name, { cause: e });
        }
        if (r.done) break;
        got += r.value.byteLength;
        each(r.value);
      }
    } catch (e) {
      await reader.cancel().catch(() => undefined);
      throw e;
    }
  }
  return got;
}
