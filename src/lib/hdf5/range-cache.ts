/**
 * Byte ranges of one object, read through an async `readRange` and kept.
 *
 * The metadata of an HDF5 file (superblock, object headers, B-tree nodes,
 * heaps) is a graph of small structures spread over the file. Reading each one
 * by its own request would cost a round trip apiece, so:
 * - the first read is large (`firstRead`, 256 KiB by default): most writers put
 *   the superblock, the root group and the dataset headers at the start;
 * - reads asked for in the same tick (the children of a B-tree node, the
 *   objects of a group) are sorted and merged when the gap between them is
 *   under `mergeGap`, then sent in parallel;
 * - every read is at least `minRead` bytes, so the next structure, usually
 *   written just after, is already there;
 * - what was read is kept, and a read that falls inside it costs nothing.
 */
import { Hdf5Error, corrupt } from './errors';

/** Read `length` bytes at `offset` (a ranged GET). May return fewer bytes only at the end of the object. */
export type ReadRange = (offset: number, length: number) => Promise<Uint8Array>;

export interface RangeCacheOptions {
  firstRead?: number;
  minRead?: number;
  mergeGap?: number;
}

export interface RangeStats {
  requests: number;
  bytes: number;
}

interface Segment {
  start: number;
  data: Uint8Array;
}

interface Pending {
  start: number;
  end: number;
  resolve: (d: Uint8Array) => void;
  reject: (e: unknown) => void;
}

export class RangeCache {
  /** The object's size; until it is known (see `sizeKnown`), an upper bound. */
  size: number;
  /** False when the caller did not know the size: a short read at the end, or `setSize`, tells it. */
  sizeKnown: boolean;
  readonly stats: RangeStats = { requests: 0, bytes: 0 };
  readonly #read: ReadRange;
  readonly #minRead: number;
  readonly #mergeGap: number;
  readonly #firstRead: number;
  #segments: Segment[] = [];
  #inflight: { start: number; end: number; done: Promise<void> }[] = [];
  #queue: Pending[] = [];
  #first = true;

  /** `size` undefined: unknown (a source that cannot say, e.g. a presigned GET without HEAD). */
  constructor(read: ReadRange, size: number | undefined, opts: RangeCacheOptions = {}) {
    if (size !== undefined && (!Number.isSafeInteger(size) || size < 0)) throw corrupt(`object size ${size} is not a byte count`);
    this.#read = read;
    this.size = size ?? Number.MAX_SAFE_INTEGER;
    this.sizeKnown = size !== undefined;
    this.#firstRead = opts.firstRead ?? 256 * 1024;
    this.#minRead = opts.minRead ?? 16 * 1024;
    this.#mergeGap = opts.mergeGap ?? 32 * 1024;
  }

  /** Exactly `length` bytes at `offset`; rejects when the range lies beyond the object. */
  async read(offset: number, length: number): Promise<Uint8Array> {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > this.size) {
      throw corrupt(`a structure at byte ${offset} (${length} bytes) lies outside the object (${this.size} bytes)`);
    }
    if (length === 0) return new Uint8Array(0);
    for (;;) {
      const hit = this.#cached(offset, length);
      if (hit) return hit;
      const wait = this.#inflight.find((f) => f.start <= offset && f.end >= offset + length);
      if (!wait) break;
      await wait.done;
    }
    return new Promise<Uint8Array>((resolve, reject) => {
      const end = offset + length;
      this.#queue.push({
        start: offset,
        end,
        resolve: () => {
          const hit = this.#cached(offset, length);
          if (hit) resolve(hit);
          else reject(corrupt(`a structure at byte ${offset} (${length} bytes) lies beyond the end of the object (${this.size} bytes)`));
        },
        reject,
      });
      if (this.#queue.length === 1) queueMicrotask(() => this.#flush());
    });
  }

  /** Learn the object's size (from a short read, or the HDF5 superblock's end-of-file address). */
  setSize(size: number): void {
    if (this.sizeKnown || !Number.isSafeInteger(size) || size < 0) return;
    this.size = size;
    this.sizeKnown = true;
  }

  #cached(offset: number, length: number): Uint8Array | undefined {
    for (const s of this.#segments) {
      if (s.start <= offset && s.start + s.data.length >= offset + length) return s.data.subarray(offset - s.start, offset - s.start + length);
    }
    return undefined;
  }

  #flush(): void {
    const queue = this.#queue.sort((a, b) => a.start - b.start);
    this.#queue = [];
    const groups: { start: number; end: number; members: Pending[] }[] = [];
    for (const p of queue) {
      const last = groups.at(-1);
      if (last && p.start <= last.end + this.#mergeGap) {
        last.end = Math.max(last.end, p.end);
        last.members.push(p);
      } else groups.push({ start: p.start, end: p.end, members: [p] });
    }
    for (const g of groups) {
      let want = Math.max(g.end - g.start, this.#first ? this.#firstRead : this.#minRead);
      this.#first = false;
      want = Math.min(want, this.size - g.start);
      const start = g.start;
      const end = start + want;
      const done = this.#fetch(start, want).then(
        (data) => {
          this.#segments.push({ start, data });
          for (const m of g.members) m.resolve(data);
        },
        (e: unknown) => {
          for (const m of g.members) m.reject(e);
        },
      );
      const entry = { start, end, done };
      this.#inflight.push(entry);
      void done.finally(() => (this.#inflight = this.#inflight.filter((f) => f !== entry)));
    }
  }

  async #fetch(start: number, length: number): Promise<Uint8Array> {
    this.stats.requests++;
    let data: Uint8Array;
    try {
      data = await this.#read(start, length);
    } catch (e) {
      if (e instanceof Hdf5Error) throw e;
      throw new Hdf5Error('read-failed', `reading bytes ${start}-${start + length - 1} failed: ${(e as Error)?.message ?? String(e)}`, { cause: e });
    }
    this.stats.bytes += data.length;
    if (data.length < length) {
      if (this.sizeKnown) throw corrupt(`the object ended at byte ${start + data.length}, before ${start + length}`);
      this.setSize(start + data.length);
    }
    return data.length > length ? data.subarray(0, length) : data;
  }
}
