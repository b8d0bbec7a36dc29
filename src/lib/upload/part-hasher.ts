/**
 * Reading and hashing a byte range of a file, behind an interface so it can
 * run in the engine's own thread (Node, tests) or in a hash worker (the
 * browser: the S3 worker thread then only signs and sends while the next
 * part is being hashed). The running SHA-256 travels as hash-wasm's saved
 * state, so the hasher keeps nothing between calls.
 */
import type { IHasher } from 'hash-wasm';
import { createChecksumHasher, toBase64, type ChecksumAlgorithm } from '../s3/checksum';
import { HasherPool, hexToBase64, md5Pool, sha256Pool } from './hashing';
import { readChunks, type ReadBuffers } from './read-chunks';

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
  /** The range's bytes, already read: hashed as they are, not read again (InlineHasher only). */
  bytes?: Uint8Array;
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

const checksumPools = new Map<ChecksumAlgorithm, HasherPool>();
function checksumPool(a: ChecksumAlgorithm): HasherPool {
  let p = checksumPools.get(a);
  if (!p) checksumPools.set(a, (p = new HasherPool(() => createChecksumHasher(a))));
  return p;
}

/** Run `fn` with the hashers asked for, each lent from its pool for the whole call. */
async function withHashers<T>(md5: boolean, sha: boolean, checksum: ChecksumAlgorithm | undefined, fn: (h: { md5?: IHasher; sha?: IHasher; crc?: IHasher }) => Promise<T>): Promise<T> {
  const lend = <R>(on: boolean, pool: HasherPool, next: (h?: IHasher) => Promise<R>) => (on ? pool.use((h) => next(h)) : next(undefined));
  return lend(md5, md5Pool, (m) => lend(sha, sha256Pool, (s) => lend(!!checksum, checksum ? checksumPool(checksum) : md5Pool, (c) => fn({ md5: m, sha: s, crc: c }))));
}

/** Hashes in the calling thread. */
export class InlineHasher implements PartHasher {
  #buffers?: ReadBuffers;

  /** `buffers`: where read buffers are lent from (default: one pool for the thread). */
  constructor(buffers?: ReadBuffers) {
    this.#buffers = buffers;
  }

  async hash(req: HashRequest): Promise<HashResult> {
    if (!req.md5 && !req.sha && !req.checksum && !req.shaWhole) return {};
    return withHashers(req.md5, !!req.sha || !!req.shaWhole, req.checksum, async (h) => {
      h.md5?.init();
      h.crc?.init();
      if (req.sha) h.sha?.load(req.sha);
      else h.sha?.init();
      const each = (bytes: Uint8Array) => {
        h.md5?.update(bytes);
        h.sha?.update(bytes);
        h.crc?.update(bytes);
      };
      if (req.bytes) each(req.bytes);
      else await readChunks(req.blob, req.start, req.end, req.name, each, this.#buffers);
      const out: HashResult = {};
      if (h.md5) out.md5 = hexToBase64(h.md5.digest('hex'));
      if (h.crc) out.checksum = toBase64(h.crc.digest('binary'));
      if (h.sha && req.sha) out.sha = h.sha.save();
      else if (h.sha) out.shaHex = h.sha.digest('hex');
      return out;
    });
  }
}
