/**
 * Read a planned selection chunk by chunk: several requests in flight, each
 * chunk decoded (zarrita), cut to the selection and CF-unpacked to floats
 * (NaN for "no data") straight into its place in the output, and reported as
 * soon as it is there so a picture can be drawn progressively. One failing
 * chunk never fails the whole read: it is recorded and left as NaN.
 *
 * No chunk-sized copy is made on the way (a fresh 1 MiB array cost ~10 ms to
 * fill in Chromium here, more than decoding it), and the caller may hand in
 * the output array to fill (`into`), so a slider walk does not take 16 MiB of
 * fresh memory per position.
 */
import * as zarr from 'zarrita';
import { unpackInto, type CfPacking, type NumericArray } from '../cf/packing';
import { toZarrError, ZarrError, type ZarrErrorKind } from './errors';
import { halvesToFloats } from './float16';
import type { ArrayMeta } from './metadata';
import { mark } from './trace';
import type { ChunkPlan, PlannedChunk, Selection } from './plan';
import { chunkBuffers } from './chunk-buffers';

/** Chunks read at once by a selection that was not prefetched (see `ZarrDataset.prefetch`, CHUNK_LANES). */
const READ_LANES = 8;

export type Values = Float32Array | Float64Array;

/**
 * A chunk's part of the output, in place: `rows` rows of `cols` values, the
 * first at `offset`, each `rowStride` after the one before (1-D and 0-D
 * selections are one row). Read it before `onPiece` returns only.
 */
export interface ChunkPiece {
  chunk: PlannedChunk;
  /** The whole output array of the read (other chunks' parts may not be there yet). */
  out: Values;
  offset: number;
  rowStride: number;
  rows: number;
  cols: number;
}

/** A piece's values as one row-major array: a view when they are contiguous, else a copy (into `into` when given, long enough and of the same type). */
export function pieceValues(piece: ChunkPiece, into?: Values): Values {
  const { out, offset, rowStride, rows, cols } = piece;
  if (rows <= 1 || rowStride === cols) return out.subarray(offset, offset + rows * cols);
  const dst = into && into.constructor === out.constructor && into.length >= rows * cols ? into.subarray(0, rows * cols) : new (out.constructor as typeof Float64Array)(rows * cols);
  for (let r = 0; r < rows; r++) dst.set(out.subarray(offset + r * rowStride, offset + r * rowStride + cols), r * cols);
  return dst;
}

export interface ChunkFailure {
  objectKey: string;
  coords: number[];
  kind: ZarrErrorKind;
  message: string;
}

export interface ReadResult {
  values: Values;
  shape: number[];
  failures: ChunkFailure[];
}

export interface ReadOptions {
  signal?: AbortSignal;
  /** Requests in flight (default 8). */
  concurrency?: number;
  onPiece?: (piece: ChunkPiece) => void;
  /**
   * Settles when a chunk's bytes have arrived, if they are being fetched
   * ahead (undefined otherwise). Chunks whose bytes are here are then decoded
   * and handed to `onPiece` one at a time, in order of arrival.
   */
  ready?: (chunk: PlannedChunk) => Promise<unknown> | undefined;
  /**
   * Fill this array (of the type `valuesType` gives and the selection's
   * length) instead of a new one. The caller vouches that nothing else reads
   * or writes it until the read settles; it is then the result's `values` (or
   * free again if the read failed: no chunk writes to it once it settled).
   */
  into?: Values;
}

/** Float32 output where it holds every value exactly enough, as xarray decodes packed 8/16-bit data. */
export function valuesType(dtype: string, packing: CfPacking): typeof Float32Array | typeof Float64Array {
  const wide = /64|int32|uint32/.test(dtype) || ((packing.scale !== 1 || packing.offset !== 0) && /32/.test(dtype));
  return wide ? Float64Array : Float32Array;
}

/** The cancellation of `signal` as a ZarrError of kind 'aborted'. */
function cancelled(signal: AbortSignal): ZarrError {
  const e = toZarrError(signal.reason);
  return e.kind === 'aborted' ? e : new ZarrError('aborted', 'Cancelled.', { cause: signal.reason });
}

function asNumeric(data: unknown, dtype: string): NumericArray {
  // float16 read as raw bits when the engine lacks Float16Array (see float16.ts).
  if (dtype === 'float16' && data instanceof Uint16Array) return halvesToFloats(data);
  if (data instanceof zarr.BoolArray) return new Uint8Array(data.buffer, data.byteOffset, data.length);
  return data as NumericArray;
}

type AnyArray = zarr.Array<zarr.DataType, zarr.Readable>;

/** Where a chunk's part lands in the output. */
function pieceAt(out: Values, outShape: number[], chunk: PlannedChunk): ChunkPiece {
  const rect = chunk.out;
  if (rect.length <= 1) return { chunk, out, offset: rect[0]?.[0] ?? 0, rowStride: rect[0]?.[1] ?? 1, rows: 1, cols: rect[0]?.[1] ?? 1 };
  const [[y0, h], [x0, w]] = rect as [[number, number], [number, number]];
  const W = outShape[1]!;
  return { chunk, out, offset: y0 * W + x0, rowStride: W, rows: h, cols: w };
}

/**
 * Decode one chunk and unpack its part of the selection into `out`. Nothing
 * is written once `signal` is aborted: the read may have settled, and its
 * output gone back to the caller.
 */
async function readPiece(arr: AnyArray, meta: ArrayMeta, packing: CfPacking, sel: Selection, piece: ChunkPiece, signal?: AbortSignal): Promise<void> {
  const { chunk } = piece;
  const { data, stride } = await arr.getChunk(chunk.coords, { signal });
  signal?.throwIfAborted();
  mark(`decoded ${chunk.objectKey}`);
  const expected = meta.chunkShape.reduce((a, b) => a * b, 1);
  if ((data as { length: number }).length < expected) {
    throw new ZarrError('truncated-chunk', `Chunk ${chunk.objectKey} decoded to ${(data as { length: number }).length} values instead of ${expected}: the object is truncated.`, { path: chunk.objectKey });
  }
  const raw = asNumeric(data, meta.dtype);
  let base = 0;
  for (let d = 0; d < meta.shape.length; d++) {
    if (!sel.free.includes(d)) base += (sel.index[d]! - chunk.coords[d]! * meta.chunkShape[d]!) * stride[d]!;
  }
  const { out, offset, rowStride, rows, cols } = piece;
  if (sel.free.length === 0) unpackInto(raw, base, 1, 1, packing, out, offset);
  else if (sel.free.length === 1) unpackInto(raw, base, stride[sel.free[0]!]!, cols, packing, out, offset);
  else {
    const [fy, fx] = sel.free as [number, number];
    for (let r = 0; r < rows; r++) unpackInto(raw, base + r * stride[fy]!, stride[fx]!, cols, packing, out, offset + r * rowStride);
  }
  // The decoded chunk is in the output now and referenced nowhere else: its
  // buffer may be lent again (if it was lent by chunkBuffers at all).
  chunkBuffers.give((data as { buffer: ArrayBufferLike }).buffer);
  mark(`unpacked ${chunk.objectKey}`);
}

/** Set a piece of the output to NaN ("no data"). */
function blank(piece: ChunkPiece): void {
  for (let r = 0; r < piece.rows; r++) piece.out.fill(NaN, piece.offset + r * piece.rowStride, piece.offset + r * piece.rowStride + piece.cols);
}

/** Read all chunks of `plan` into one output array. */
export async function readSelection(arr: AnyArray, meta: ArrayMeta, packing: CfPacking, sel: Selection, plan: ChunkPlan, options: ReadOptions = {}): Promise<ReadResult> {
  const n = plan.outShape.reduce((a, b) => a * b, 1);
  // Every output value belongs to exactly one planned chunk, so the array (new,
  // or `into` with an earlier slice's values) is not cleared: each chunk writes
  // its part, or NaN when it fails. Filling 4 Mi values up front held the worker
  // (which also reads the chunks' bodies) for ~15 ms before any decode.
  const type = valuesType(meta.dtype, packing);
  const values = options.into instanceof type && options.into.length === n ? options.into : new type(n);
  const failures: ChunkFailure[] = [];
  let next = 0;
  // Decoding runs on one thread: when several chunks' bytes land together,
  // taking them one at a time to the end (decode, unpack, onPiece) puts the
  // first on screen after one chunk's work instead of after all of theirs
  // (their awaits interleaved: the first of six took ~40 ms instead of ~8).
  let turn: Promise<void> = Promise.resolve();
  // The first cancellation, rethrown once every lane has stopped: the read
  // settles only when no chunk can still write into `values`.
  let aborted: ZarrError | null = null;
  const worker = async () => {
    while (next < plan.chunks.length && !aborted) {
      if (options.signal?.aborted) {
        aborted = cancelled(options.signal);
        break;
      }
      const chunk = plan.chunks[next++]!;
      const piece = pieceAt(values, plan.outShape, chunk);
      const ready = options.ready?.(chunk);
      let release = () => {};
      if (ready) {
        await ready;
        const previous = turn;
        turn = new Promise<void>((r) => (release = r));
        await previous;
      }
      try {
        options.signal?.throwIfAborted();
        await readPiece(arr, meta, packing, sel, piece, options.signal);
        options.onPiece?.(piece);
      } catch (e) {
        const err = toZarrError(e, chunk.objectKey);
        if (err.kind === 'aborted' || options.signal?.aborted) {
          aborted ??= err;
          break;
        }
        failures.push({ objectKey: chunk.objectKey, coords: chunk.coords, kind: err.kind, message: err.message });
        blank(piece);
      } finally {
        release();
      }
    }
  };
  const lanes = Math.max(1, Math.min(options.concurrency ?? READ_LANES, plan.chunks.length));
  await Promise.all(Array.from({ length: lanes }, worker));
  if (aborted) throw aborted;
  return { values, shape: plan.outShape, failures };
}
