/**
 * How a file is cut into parts. S3's limits: parts of 5 MiB to 5 GiB (the
 * last may be smaller), at most 10,000 parts, objects up to 5 TiB, single PUT
 * up to 5 GiB. JASMIN advises parts of at least ~200 MB for objects of tens
 * of GB (FIELD-NOTES §3).
 */

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;
export const MIN_PART_SIZE = 5 * MiB;
export const MAX_PART_SIZE = 5 * GiB;
export const MAX_PARTS = 10_000;
export const MAX_OBJECT_SIZE = 5 * 1024 * GiB;
/** Files up to this size go in one PUT: one request instead of three, nothing worth resuming. */
export const DEFAULT_MULTIPART_THRESHOLD = 32 * MiB;

export interface PlanOptions {
  /** User override of the part size, in bytes. */
  partSize?: number;
  /** Files strictly larger than this use multipart (at most 5 GiB). */
  multipartThreshold?: number;
}

export interface PartPlan {
  size: number;
  multipart: boolean;
  partSize: number;
  partCount: number;
}

export class PlanError extends RangeError {
  override readonly name = 'PlanError';
}

function roundUpMiB(n: number): number {
  return Math.ceil(n / MiB) * MiB;
}

/**
 * Part size chosen from the file size. Below 10 GiB: about 16 parts, between
 * 8 and 64 MiB (64 MiB x 4 in flight was the best bare client measured here);
 * from 10 GiB: 256 MiB (JASMIN's advice); always enough to stay under 10,000 parts.
 */
export function autoPartSize(size: number): number {
  const base = size >= 10 * GiB ? 256 * MiB : Math.min(64 * MiB, Math.max(8 * MiB, roundUpMiB(size / 16)));
  return Math.min(MAX_PART_SIZE, Math.max(base, roundUpMiB(size / MAX_PARTS)));
}

const fmt = (n: number) => (n >= GiB ? `${(n / GiB).toFixed(2)} GiB` : `${(n / MiB).toFixed(1)} MiB`);

/** Plan the upload of `size` bytes; throws `PlanError` (plain words) for what S3 cannot take. */
export function planParts(size: number, options: PlanOptions = {}): PartPlan {
  if (!Number.isSafeInteger(size) || size < 0) throw new PlanError(`Invalid file size: ${size}.`);
  if (size > MAX_OBJECT_SIZE) throw new PlanError(`This file is ${fmt(size)}: S3 objects can be at most 5 TiB.`);
  const threshold = Math.min(options.multipartThreshold ?? DEFAULT_MULTIPART_THRESHOLD, MAX_PART_SIZE);
  if (options.partSize === undefined && size <= threshold) return { size, multipart: false, partSize: size, partCount: 1 };
  let partSize: number;
  if (options.partSize !== undefined) {
    partSize = options.partSize;
    if (!Number.isSafeInteger(partSize) || partSize < MIN_PART_SIZE) throw new PlanError(`A part size of ${fmt(partSize)} is too small: S3 needs at least 5 MiB.`);
    if (partSize > MAX_PART_SIZE) throw new PlanError(`A part size of ${fmt(partSize)} is too large: S3 takes at most 5 GiB.`);
    if (Math.ceil(size / partSize) > MAX_PARTS) {
      throw new PlanError(`Parts of ${fmt(partSize)} would cut this ${fmt(size)} file into more than 10,000 parts: use at least ${fmt(roundUpMiB(size / MAX_PARTS))}.`);
    }
  } else {
    partSize = autoPartSize(size);
  }
  // A zero-byte file still needs one (empty) part if multipart was forced.
  return { size, multipart: true, partSize, partCount: Math.max(1, Math.ceil(size / partSize)) };
}

/** Byte range [start, end) of part `n` (1-based). */
export function partRange(plan: PartPlan, n: number): { start: number; end: number } {
  if (!Number.isInteger(n) || n < 1 || n > plan.partCount) throw new RangeError(`Part ${n} is outside 1..${plan.partCount}.`);
  const start = (n - 1) * plan.partSize;
  return { start, end: Math.min(plan.size, start + plan.partSize) };
}
