/**
 * Read a planned selection chunk by chunk: several requests in flight, each
 * chunk decoded (zarrita), cut to the selection, CF-unpacked to floats (NaN
 * for "no data"), and reported as soon as it is ready so a picture can be
 * drawn progressively. One failing chunk never fails the whole read: it is
 * recorded and left as NaN.
 */
import * as zarr from 'zarrita';
import { unpackInto, type CfPacking, type NumericArray } from '../cf/packing';
import { toZarrError, ZarrError, type ZarrErrorKind } from './errors';
import { halvesToFloats } from './float16';
import type { ArrayMeta } from './metadata';
import { mark } from './trace';
import type { ChunkPlan, PlannedChunk, Selection } from './plan';
import { chunkLanes } from '../s3/protocol';

export type Values = Float32Array | Float64Array;

export interface ChunkPiece {
  chunk: PlannedChunk;
  /** Values of this chunk's part of the output, row-major over the free dimensions. */
  values: Values;
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
}

/** Float32 output where it holds every value exactly enough, as xarray decodes packed 8/16-bit data. */
export function valuesFor(dtype: string, packing: CfPacking, n: number): Values {
  const wide = /64|int32|uint32/.test(dtype) || ((packing.scale !== 1 || packing.offset !== 0) && /32/.test(dtype));
  return wide ? new Float64Array(n) : new Float32Array(n);
}

function asNumeric(data: unknown, dtype: string): NumericArray {
  // float16 read as raw bits when the engine lacks Float16Array (see float16.ts).
  if (dtype === 'float16' && data instanceof Uint16Array) return halvesToFloats(data);
  if (data instanceof zarr.BoolArray) return new Uint8Array(data.buffer, data.byteOffset, data.length);
  return data as NumericArray;
}

type AnyArray = zarr.Array<zarr.DataType, zarr.Readable>;

/** Decode one chunk and cut it to the selection. */
async function readPiece(arr: AnyArray, meta: ArrayMeta, packing: CfPacking, sel: Selection, chunk: PlannedChunk, signal?: AbortSignal): Promise<ChunkPiece> {
  const { data, stride } = await arr.getChunk(chunk.coords, { signal });
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
  const lens = chunk.out.map(([, n]) => n);
  const values = valuesFor(meta.dtype, packing, lens.reduce((a, b) => a * b, 1));
  if (sel.free.length === 0) unpackInto(raw, base, 1, 1, packing, values, 0);
  else if (sel.free.length === 1) unpackInto(raw, base, stride[sel.free[0]!]!, lens[0]!, packing, values, 0);
  else {
    const [fy, fx] = sel.free as [number, number];
    const [h, w] = lens as [number, number];
    for (let r = 0; r < h; r++) unpackInto(raw, base + r * stride[fy]!, stride[fx]!, w, packing, values, r * w);
  }
  mark(`unpacked ${chunk.objectKey}`);
  return { chunk, values };
}

/** Copy a piece into the full output (row-major over the free dimensions). */
function place(out: Values, outShape: number[], piece: ChunkPiece): void {
  const { out: rect } = piece.chunk;
  if (rect.length <= 1) {
    out.set(piece.values, rect[0]?.[0] ?? 0);
    return;
  }
  const [[y0, h], [x0, w]] = rect as [[number, number], [number, number]];
  const W = outShape[1]!;
  for (let r = 0; r < h; r++) out.set(piece.values.subarray(r * w, r * w + w), (y0 + r) * W + x0);
}

/** Set a chunk's part of the output to NaN ("no data"). */
function blank(out: Values, outShape: number[], chunk: PlannedChunk): void {
  const count = chunk.out.reduce((a, [, len]) => a * len, 1);
  place(out, outShape, { chunk, values: new Float64Array(count).fill(NaN) });
}

/** Read all chunks of `plan` into one output array. */
export async function readSelection(arr: AnyArray, meta: ArrayMeta, packing: CfPacking, sel: Selection, plan: ChunkPlan, options: ReadOptions = {}): Promise<ReadResult> {
  const n = plan.outShape.reduce((a, b) => a * b, 1);
  // Every output value belongs to exactly one planned chunk, so the array is left as
  // allocated and only a failed chunk's part is set to NaN: filling 4 Mi values up
  // front held the worker (which also reads the chunks' bodies) for ~15 ms before any decode.
  const values = valuesFor(meta.dtype, packing, n);
  const failures: ChunkFailure[] = [];
  let next = 0;
  // Decoding runs on one thread: when several chunks' bytes land together,
  // taking them one at a time to the end (decode, unpack, onPiece) puts the
  // first on screen after one chunk's work instead of after all of theirs
  // (their awaits interleaved: the first of six took ~40 ms instead of ~8).
  let turn: Promise<void> = Promise.resolve();
  const worker = async () => {
    while (next < plan.chunks.length) {
      options.signal?.throwIfAborted();
      const chunk = plan.chunks[next++]!;
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
        const piece = await readPiece(arr, meta, packing, sel, chunk, options.signal);
        place(values, plan.outShape, piece);
        options.onPiece?.(piece);
      } catch (e) {
        const err = toZarrError(e, chunk.objectKey);
        if (err.kind === 'aborted' || options.signal?.aborted) throw err;
        failures.push({ objectKey: chunk.objectKey, coords: chunk.coords, kind: err.kind, message: err.message });
        blank(values, plan.outShape, chunk);
      } finally {
        release();
      }
    }
  };
  const lanes = Math.max(1, Math.min(options.concurrency ?? chunkLanes(8), plan.chunks.length));
  await Promise.all(Array.from({ length: lanes }, worker));
  return { values, shape: plan.outShape, failures };
}
