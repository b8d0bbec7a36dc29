/**
 * Reading and hashing a byte range of a file, behind an interface so it can
 * run in the engine's own thread (Node, tests) or in a hash worker (the
 * browser: the S3 worker thread then only signs and sends while the next
 * part is being hashed). The running SHA-256 travels as hash-wasm's saved
 * state, so the hasher keeps nothing between calls.
 */
import { checksumBase64, type ChecksumAlgorithm } from '../s3/checksum';
import { readSlice } from './classify';
import { md5Base64, sha256Continue, sha256HexOnce } from './hashing';

export interface HashRequest {
  blob: Blob;
  start: number;
  end: number;
  /** Name for the "file changed" error. */
  name: string;
  md5: boolean;
  /** SHA-256 state to continue with these bytes (omit to skip SHA-256). */
  sha?: Uint8Array;
  /** The SHA-256 of exactly this range, in hex (a whole small file: no state to carry on). */
  shaWhole?: boolean;
  /** Also an `x-amz-checksum-*` digest of the range (where the store checks it). */
  checksum?: ChecksumAlgorithm;
}

export interface HashResult {
  /** Base64 MD5 of the range. */
  md5?: string;
  /** SHA-256 state after these bytes. */
  sha?: Uint8Array;
  /** Hex SHA-256 of the range (with `shaWhole`). */
  shaHex?: string;
  /** Base64 checksum of the range, for the `x-amz-checksum-*` header. */
  checksum?: string;
}

export interface PartHasher {
  hash(req: HashRequest): Promise<HashResult>;
  /** How many hash calls make sense at once (hash workers in a pool). */
  parallel?: number;
}

/** Hashes in the calling thread. */
export class InlineHasher implements PartHasher {
  async hash(req: HashRequest): Promise<HashResult> {
    if (!req.md5 && !req.sha && !req.checksum && !req.shaWhole) return {};
    const bytes = await readSlice(req.blob, req.start, req.end, req.name);
    const out: HashResult = {};
    // Started first: WebCrypto hashes off this thread while MD5 runs in WASM here.
    const whole = req.shaWhole ? sha256HexOnce(bytes) : undefined;
    if (req.md5) out.md5 = await md5Base64(bytes);
    if (req.sha) out.sha = await sha256Continue(req.sha, bytes);
    if (req.checksum) out.checksum = await checksumBase64(req.checksum, bytes);
    if (whole) out.shaHex = await whole;
    return out;
  }
}
