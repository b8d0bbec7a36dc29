/**
 * What is persisted about one upload after every part: enough to resume after
 * a reload or crash (upload id, key, plan, parts with ETags and MD5s, running
 * SHA-256 state, file fingerprint). Never a credential, never file bytes.
 */
import type { ChecksumSupport } from './checksum-probe';
import type { PartPlan } from './part-plan';
import type { UploadStatus } from './status';

export interface PartRecord {
  n: number;
  size: number;
  /** Unquoted ETag; missing when CORS hid the header (filled from ListParts). */
  etag?: string;
  /** Base64 MD5 we sent as Content-MD5. */
  md5?: string;
  /** Base64 `x-amz-checksum-*` sent with the part (when the upload uses one). */
  checksum?: string;
}

export interface UploadErrorInfo {
  code: string;
  message: string;
  operation?: string;
  requestId?: string;
}

export type CheckResult = 'ok' | 'mismatch' | 'unchecked';

export interface VerifyReport {
  size: CheckResult;
  etag: CheckResult;
  sha256: CheckResult | 'not-stored';
  /** Plain-words notes (why something was not checked). */
  notes: string[];
}

export interface IntegrityOptions {
  /** Content-MD5 on every part / PUT. */
  md5: boolean;
  /** Whole-file SHA-256 stored as `x-amz-meta-sha256`. */
  sha256: boolean;
  /** CRC32C in `x-amz-checksum-crc32c` too, where a probe showed the store checks it (records from before: off). */
  checksum?: boolean;
}

export interface UploadRecord {
  id: string;
  /** Endpoint URL of the store the upload belongs to (records of other connections wait). */
  endpoint?: string;
  bucket: string;
  key: string;
  /** File name as the user knows it (relative path for folder uploads). */
  name: string;
  size: number;
  lastModified: number;
  contentType: string;
  fingerprint: string;
  plan: PartPlan;
  integrity: IntegrityOptions;
  status: UploadStatus;
  /** Files sent in one PUT that were added together share a batch: the store may keep them as one value. */
  batch?: string;
  /** Whether this upload sends an `x-amz-checksum-*` header, from the store's probe (fixed once the upload starts). */
  checksum?: ChecksumSupport;
  uploadId?: string;
  /** Parts the store has, by number (multipart only). */
  parts: PartRecord[];
  /** Running whole-file SHA-256: parts 1..through hashed; `state` is hash-wasm's saved state. */
  sha256?: { through: number; state?: Uint8Array; hex?: string };
  /** Set once the object exists on the store (Complete or the PUT answered); only verification remains. */
  completedAt?: number;
  /** ETag returned by Complete (or the single PUT). */
  etag?: string;
  verify?: VerifyReport;
  error?: UploadErrorInfo;
  createdAt: number;
  updatedAt: number;
  finishedAt?: number;
}

/** Bytes the store already holds for this upload. */
export function bytesDone(r: Pick<UploadRecord, 'parts' | 'status' | 'size' | 'completedAt'>): number {
  if (r.status === 'done' || r.status === 'verifying' || r.completedAt) return r.size;
  let n = 0;
  for (const p of r.parts) n += p.size;
  return n;
}

/** Sorted copy of the parts with `p` inserted or replaced. */
export function withPart(parts: PartRecord[], p: PartRecord): PartRecord[] {
  const out = parts.filter((q) => q.n !== p.n);
  out.push(p);
  out.sort((a, b) => a.n - b.n);
  return out;
}
