/**
 * Download one object to a file, in parallel byte ranges streamed straight to
 * disk (the File System Access API's writable file, or a file of the origin
 * private file system), never holding the whole object in memory.
 *
 * Every range is bound to the ETag the HEAD gave, so all bytes come from one
 * version of the object: by the range's own ETag where the store lets the page
 * read it (the bucket's CORS rule exposes ETag, as uploads need), which lets the
 * HEAD and every range go as presigned requests with at most a plain `Range`
 * header, with no CORS preflight (a round trip before each); by `If-Match` where
 * it does not (the store then answers 412). A replaced object stops the download.
 * At the end the file's size is checked against the object's.
 */
import type { S3Client } from '../s3/client';
import { S3Error } from '../s3/errors';
import { GetObject, HeadObject } from '../s3/ops/index';
import type { GetObjectInput, GetObjectOutput } from '../s3/ops/get-object';
import { throttle } from '../throttle';
import { hold } from '../held-streams';

/** Where bytes go: positional writes, then close. */
export interface ByteSink {
  /** `bytes` may be reused once the write returns (or its promise settles): copy it to keep it. */
  write(position: number, bytes: Uint8Array): Promise<void> | void;
  /** Called once all writes succeeded; returns the file size written. */
  close(): Promise<number>;
  /** Called on failure or cancel: drop what was written. */
  abort(): Promise<void>;
}

/** The part of OPFS's synchronous handle we use (declared here: the DOM lib of the page build lacks it). */
interface SyncHandle {
  write(buffer: Uint8Array, options: { at: number }): number;
  truncate(size: number): void;
  flush(): void;
  getSize(): number;
  close(): void;
}

const WRITE_BATCH = 4 * 1024 * 1024;

/** A sink over a file handle: the fast synchronous access handle for OPFS files, the writable stream otherwise. */
export async function fileSink(handle: FileSystemFileHandle, size: number): Promise<ByteSink> {
  const h = handle as FileSystemFileHandle & { createSyncAccessHandle?: () => Promise<SyncHandle> };
  if (typeof h.createSyncAccessHandle === 'function') {
    try {
      const sync = await h.createSyncAccessHandle();
      sync.truncate(size);
      return {
        write(position, bytes) {
          let off = 0;
          while (off < bytes.byteLength) off += sync.write(bytes.subarray(off), { at: position + off });
        },
        async close() {
          // No flush(): it forces the whole file to the disk (about 0.15-0.25 s per GiB here)
          // for crash durability a download does not need; closing makes the bytes visible.
          const n = sync.getSize();
          sync.close();
          return n;
        },
        async abort() {
          sync.truncate(0);
          sync.close();
        },
      };
    } catch {
      // Not an OPFS file (a file the user picked): use a writable stream.
    }
  }
  const w = await handle.createWritable({ keepExistingData: false });
  await w.truncate(size);
  // A writable stream pays per write and the network hands over pieces of tens of KiB, so
  // each range's pieces are gathered and written 4 MiB at a time (measured in a worker, 1 GiB
  // in 4 x 64 MiB ranges: 210 -> 280 MB/s). Partial buffers are keyed by where they end, which
  // is where the same range writes next. Positional writes are queued in call order.
  const pending = new Map<number, { at: number; buf: Uint8Array<ArrayBuffer>; fill: number }>();
  const put = (p: { at: number; buf: Uint8Array<ArrayBuffer>; fill: number }) => w.write({ type: 'write', position: p.at, data: p.buf.subarray(0, p.fill) });
  return {
    async write(position, bytes) {
      if (bytes.byteLength >= WRITE_BATCH && !pending.has(position)) {
        // Already a batch (the download reads 4 MiB at a time): no copy.
        await w.write({ type: 'write', position, data: bytes as Uint8Array<ArrayBuffer> });
        return;
      }
      const p = pending.get(position) ?? { at: position, buf: new Uint8Array(WRITE_BATCH), fill: 0 };
      pending.delete(position);
      for (let off = 0; off < bytes.byteLength; ) {
        const n = Math.min(p.buf.byteLength - p.fill, bytes.byteLength - off);
        p.buf.set(bytes.subarray(off, off + n), p.fill);
        p.fill += n;
        off += n;
        if (p.fill === p.buf.byteLength) {
          await put(p);
          p.at += p.fill;
          p.fill = 0;
        }
      }
      if (p.fill > 0) pending.set(p.at + p.fill, p);
    },
    async close() {
      for (const p of pending.values()) await put(p);
      pending.clear();
      await w.close();
      return (await handle.getFile()).size;
    },
    abort: () => w.abort().catch(() => undefined),
  };
}

export interface DownloadProgress {
  bytes: number;
  size: number;
  done: boolean;
}

export interface DownloadOptions {
  signal?: AbortSignal;
  onProgress?: (p: DownloadProgress) => void;
  /** Ranges in flight (default 4). */
  parallel?: number;
  /** Bytes per range (default: the object split over the ranges in flight, between 8 and 64 MiB). */
  rangeSize?: number;
  /**
   * How a range's body is received. `stream` (the default) reads it here as it
   * arrives. `blob` lets the browser gather the whole range (`Response.blob()`)
   * and then reads that blob here: see `gatheredBody`. A range whose gathered
   * body breaks is asked for again and then streamed, so a further break resumes
   * at the exact byte where it broke.
   */
  bodies?: 'stream' | 'blob' | 'auto';
  /**
   * With `bodies: 'auto'`, a range is gathered only when the rate measured so far
   * says it arrives within this many ms (default 8000); others stream.
   */
  gatherWithinMs?: number;
  /**
   * Bytes in each of the first ranges, one per range in flight (default: with
   * `bodies: 'auto'`, 8 MiB; otherwise `rangeSize`): see `rangeList`.
   */
  firstRangeSize?: number;
}

/**
 * `auto`: gather a range only on a link fast enough that it arrives within
 * `gatherWithinMs` (wan, 4 x 64 MiB ranges at ~75 MB/s: ~3.5 s each, and with
 * ranges staggered the bar moves about every second). A gathered range shows no progress until it has all come
 * (64 MiB at a home link's 12 MB/s shared by 4 ranges: ~20 s of a still bar),
 * and on such links the CPU it saves does not decide the speed: the link does.
 * The first ranges, before any rate is known, stream.
 */
export function shouldGather(rangeBytes: number, written: number, elapsedMs: number, parallel: number, withinMs = 8000): boolean {
  if (written <= 0 || elapsedMs <= 0) return false;
  const perRange = written / elapsedMs / Math.max(1, parallel); // bytes per ms for one range in flight
  return rangeBytes / perRange <= withinMs;
}

const MiB = 1024 * 1024;

/** Times one range is picked up again after its connection broke mid-body. */
const MAX_RESUMES = 3;

/**
 * Few, large ranges: in Chromium each new request costs far more than its bytes
 * (measured in a worker on the local RGW, 512 MiB: 8 x 8 MiB ranges about
 * 190-270 MB/s, 4 x 64 MiB about 510-530 MB/s, the same with bytes discarded
 * only a little faster), so a big object goes as 64 MiB ranges, four in flight,
 * and a smaller one is split over the four but not below 8 MiB.
 */
export function rangePlan(size: number, parallel = 4, rangeSize?: number): { rangeSize: number; parallel: number } {
  const r = rangeSize ?? Math.min(64 * MiB, Math.max(8 * MiB, Math.ceil(size / parallel)));
  return { rangeSize: r, parallel: Math.max(1, Math.min(parallel, Math.ceil(size / r))) };
}

/** The first ranges' size with `bodies: 'auto'`. */
export const FIRST_RANGE = 8 * MiB;

/**
 * The ranges of an object, in order: the first `parallel` of `firstSize`, the
 * rest of `rangeSize`. With `bodies: 'auto'` the first ranges stream (no rate is
 * known before they start) and cost the worker ~7 CPU ms per MiB more than a
 * gathered one: at 64 MiB each that was a quarter of a 1 GiB download (wan:
 * 13.30 s against 11.44 s for every range gathered). Small first ranges measure
 * the link for a few round trips' worth of bytes, then the big ones follow.
 */
export function rangeList(size: number, rangeSize: number, parallel: number, firstSize = rangeSize): Array<{ start: number; end: number }> {
  const ranges: Array<{ start: number; end: number }> = [];
  for (let start = 0; start < size; ) {
    const n = ranges.length < parallel ? Math.min(firstSize, rangeSize) : rangeSize;
    const end = Math.min(size, start + n) - 1;
    ranges.push({ start, end });
    start = end + 1;
  }
  return ranges;
}

/** How the GETs of one download are bound to the object's ETag (see the file's header). */
export interface EtagBinding {
  /** Set once a response's ETag could not be read: from then on each GET carries If-Match (and preflights). */
  ifMatch: boolean;
}

/**
 * One GET of `key` bound to `etag`: presigned, with at most a plain Range (no
 * CORS preflight), and checked against the ETag on its response; where the
 * store does not let the page read that ETag, asked again with If-Match, as is
 * every later GET sharing `binding`. A different ETag cancels the body and
 * throws PreconditionFailed (412) with `changed(now)` as its message. No
 * `etag` (none listed or readable): no binding.
 */
export async function boundGet(client: S3Client, bucket: string, key: string, range: GetObjectInput['range'], etag: string | undefined, binding: EtagBinding, signal: AbortSignal | undefined, changed: (now: string) => string): Promise<GetObjectOutput> {
  for (;;) {
    const byHeader = binding.ifMatch && !!etag;
    const out = await client.send(GetObject, { bucket, key, range, ifMatch: byHeader ? etag : undefined }, { signal, presigned: !byHeader });
    if (byHeader || !etag || out.etag === etag) return out;
    await out.body.body?.cancel().catch(() => undefined);
    if (out.etag === undefined) {
      binding.ifMatch = true;
      continue;
    }
    throw new S3Error({ operation: 'GetObject', status: 412, code: 'PreconditionFailed', message: changed(out.etag), bucket, key, retryable: false });
  }
}

/** Bytes handed to the sink at a time. */
const BATCH = 4 * MiB;
/** Bytes one read of the body may bring (the network hands over tens of KiB at a time). */
const LANDING = 256 * 1024;

/**
 * A body as pieces of up to `size` bytes, read into one reused buffer where
 * the stream allows it (a BYOB reader: Chromium's fetch bodies). The network
 * hands over pieces of tens of KiB; writing each to the file costs a system
 * call and a fresh buffer, and for 1 GiB that was 0.7-1.7 s of the fetching
 * worker's time against 0.3-0.45 s in 4 MiB batches (bench/download-harness,
 * on a loaded machine). Each piece is valid until the next is asked for. When
 * the body breaks, the bytes that did arrive come out before the error.
 */
export async function* batches(body: ReadableStream<Uint8Array>, size: number): AsyncGenerator<Uint8Array> {
  // Held while it is read: a gathered range is a blob's stream, which Chromium's collector takes
  // while a read waits on it (see held-streams).
  const release = hold(body);
  try {
    yield* pieces(body, size);
  } finally {
    release();
  }
}

async function* pieces(body: ReadableStream<Uint8Array>, size: number): AsyncGenerator<Uint8Array> {
  let byob: ReadableStreamBYOBReader | undefined;
  try {
    byob = body.getReader({ mode: 'byob' });
  } catch {
    // Not a byte stream: plain pieces, as they come.
  }
  if (!byob) {
    const reader = body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    } finally {
      reader.releaseLock();
    }
  }
  // The stream reads into a small landing buffer it hands back each time, copied into the
  // batch: a BYOB read that fails detaches the buffer it was given, so reading straight into
  // the batch would lose the bytes that did arrive before a break (the copy costs a memcpy).
  const batch = new Uint8Array(Math.max(1, size));
  let landing = new ArrayBuffer(Math.min(LANDING, batch.byteLength));
  try {
    for (;;) {
      let fill = 0;
      let done = false;
      while (fill < batch.byteLength) {
        let r: ReadableStreamReadResult<Uint8Array>;
        try {
          r = await byob.read(new Uint8Array(landing, 0, Math.min(landing.byteLength, batch.byteLength - fill)));
        } catch (e) {
          // The connection broke: hand over what did arrive (a resume starts after it), then fail.
          if (fill) yield batch.subarray(0, fill);
          throw e;
        }
        if (r.value) landing = r.value.buffer as ArrayBuffer;
        if (r.done) {
          done = true;
          break;
        }
        batch.set(r.value, fill);
        fill += r.value.byteLength;
      }
      if (fill) yield batch.subarray(0, fill);
      if (done) return;
    }
  } finally {
    byob.releaseLock();
  }
}

/**
 * A range's body gathered by the browser, as a stream of the gathered bytes.
 *
 * In Chromium, reading a fetch body in a worker costs far more than its bytes:
 * the network service hands it over through a pipe the worker drains piece by
 * piece, and whatever the reader does (BYOB into one reused buffer, reads paced
 * to 350 KB or more each, `min` reads) the worker spent 6-7 CPU s per GiB on it
 * and the network service 5-6 (bench/download-harness/probe.ts, 1 GiB in 4 x 64
 * MiB ranges over HTTP/2 through the wan shaper, bytes discarded). Gathered with
 * `blob()`, the browser process drains the pipe instead: network service 3.2 s,
 * browser 2.4, renderer 1.8; 7.4 CPU s per GiB in all against 13-15. Reading the
 * blob back here in 4 MiB batches and writing them to an OPFS file took 10.1 CPU
 * s and 15.4 s against 13.9 CPU s and 19.3 s streamed (same run, load ~11 on two
 * cores). What this costs: no progress within a range until it has arrived, up
 * to one range held by the browser per range in flight (4 x 64 MiB), and a break
 * loses that range's bytes (the resume then streams, from where it starts).
 */
export async function gatheredBody(res: Response): Promise<ReadableStream<Uint8Array>> {
  return (await res.blob()).stream();
}

export interface DownloadResult {
  size: number;
  etag?: string;
  ms: number;
}

export async function downloadObject(client: S3Client, bucket: string, key: string, sinkFor: (size: number) => Promise<ByteSink>, options: DownloadOptions = {}): Promise<DownloadResult> {
  const t0 = Date.now();
  const { signal } = options;
  const head = await client.send(HeadObject, { bucket, key }, { signal, presigned: true });
  const size = head.size;
  const sink = await sinkFor(size);
  const report = throttle(options.onProgress, 100);
  let written = 0;
  const tFirst = Date.now();
  try {
    const binding: EtagBinding = { ifMatch: false };
    const replaced = (now: string) => `${key} was replaced while it was being downloaded (its ETag was ${head.etag}, now ${now}); the partial file was dropped. Download it again.`;
    const { rangeSize, parallel } = rangePlan(size, options.parallel, options.rangeSize);
    const ranges = rangeList(size, rangeSize, parallel, options.firstRangeSize ?? (options.bodies === 'auto' ? FIRST_RANGE : rangeSize));
    let next = 0;
    /**
     * One range, picked up where it stopped when the connection breaks or the body
     * ends early: the rest of the range is asked for again, still bound to the ETag
     * (a replaced object answers 412 and the download stops), up to MAX_RESUMES
     * times per range before the download is given up and the file dropped.
     */
    const fetchRange = async (start: number, end: number): Promise<void> => {
      let pos = start;
      let resumes = 0;
      let lastStatus = 0;
      let why = '';
      // Gathered by the browser until a gathered body breaks; streamed after that.
      let gather = options.bodies === 'blob' || (options.bodies === 'auto' && shouldGather(end + 1 - start, written, Date.now() - tFirst, parallel, options.gatherWithinMs));
      for (;;) {
        if (resumes > 0) {
          if (signal?.aborted) throw signal.reason ?? new DOMException('Aborted', 'AbortError');
          if (resumes > MAX_RESUMES) {
            throw new S3Error({ operation: 'GetObject', status: lastStatus, code: 'IncompleteBody', message: `Range ${start}-${end} broke ${resumes} times, the last after byte ${pos} (${why}); the download was stopped and the partial file dropped.`, bucket, key, retryable: true });
          }
        }
        const out = await boundGet(client, bucket, key, { start: pos, end }, head.etag, binding, signal, replaced);
        lastStatus = out.status;
        const body = out.body.body;
        if (!body) throw new S3Error({ operation: 'GetObject', status: out.status, code: 'InvalidResponse', message: 'The store sent no body.', bucket, key, retryable: true });
        let source: ReadableStream<Uint8Array> = body;
        if (gather) {
          try {
            source = await gatheredBody(out.body);
          } catch (e) {
            // The connection broke before the whole range arrived: none of it is kept. Asked
            // for again and streamed from now on, so a further break resumes where it broke.
            if (signal?.aborted) throw e;
            why = (e as Error)?.message || 'the connection broke';
            gather = false;
            resumes++;
            continue;
          }
        }
        const pieces = batches(source, Math.min(BATCH, end + 1 - pos));
        try {
          for (;;) {
            let r: IteratorResult<Uint8Array>;
            try {
              r = await pieces.next();
            } catch (e) {
              // The connection broke mid-body: resumed below, unless the user cancelled.
              if (signal?.aborted) throw e;
              why = (e as Error)?.message || 'the connection broke';
              break;
            }
            if (r.done) {
              why = 'the body ended early';
              break;
            }
            // A gathered body is read from the browser's copy, which a cancel does not stop.
            if (signal?.aborted) throw signal.reason ?? new DOMException('Aborted', 'AbortError');
            const bytes = r.value;
            if (pos + bytes.byteLength > end + 1) throw new S3Error({ operation: 'GetObject', status: out.status, code: 'InvalidResponse', message: `Range ${start}-${end} sent more bytes than asked for.`, bucket, key, retryable: false });
            await sink.write(pos, bytes);
            pos += bytes.byteLength;
            written += bytes.byteLength;
            report.push({ bytes: written, size, done: false });
          }
        } finally {
          await pieces.return(undefined).catch(() => undefined);
          if (pos !== end + 1 && source === body) await body.cancel().catch(() => undefined);
        }
        if (pos === end + 1) return;
        resumes++;
      }
    };
    const worker = async (): Promise<void> => {
      while (next < ranges.length) {
        const { start, end } = ranges[next++]!;
        await fetchRange(start, end);
      }
    };
    await Promise.all(Array.from({ length: parallel }, worker));
    const onDisk = await sink.close();
    if (onDisk !== size) throw new S3Error({ operation: 'Download', status: 0, code: 'SizeMismatch', message: `The file has ${onDisk} bytes but the object ${size}.`, bucket, key, retryable: false });
  } catch (e) {
    await sink.abort().catch(() => undefined);
    throw e;
  }
  report.flush({ bytes: written, size, done: true });
  return { size, etag: head.etag, ms: Date.now() - t0 };
}
