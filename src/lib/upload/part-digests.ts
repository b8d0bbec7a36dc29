/**
 * Digests of parts (Content-MD5, `x-amz-checksum-*`) computed ahead of each
 * part's turn on the wire. A part's request needs its digests before its first
 * byte goes, so a part hashed only once its slot in the scheduler opens keeps
 * that slot idle for the hash's time (a 64 MiB part: 0.1-0.3 s of a core),
 * and the first parts wait for theirs after Create's round trips. Only the
 * digests are held (the File slice is the body, see multipart.ts `sendPart`),
 * so hashing ahead costs no memory, only CPU a little earlier. The store
 * still checks each part against the MD5 sent with it, so a file changed
 * between its hash and its send fails as before (BadDigest).
 */
import type { HashResult } from './part-hasher';

export class PartDigests {
  #jobs = new Map<number, Promise<HashResult>>();
  #hash: (n: number) => Promise<HashResult>;

  /** `hash`: reads and hashes part `n` (through the engine's hash slots). */
  constructor(hash: (n: number) => Promise<HashResult>) {
    this.#hash = hash;
  }

  /** Part `n`'s digests: the job started ahead, or a new one. Taken once: a later send of the part hashes again. */
  take(n: number): Promise<HashResult> {
    const job = this.#jobs.get(n);
    this.#jobs.delete(n);
    return job ?? this.#hash(n);
  }

  /** Start hashing these parts, where not started yet. */
  ahead(parts: Iterable<number>): void {
    for (const n of parts) {
      if (this.#jobs.has(n)) continue;
      const job = this.#hash(n);
      // A part whose run stops before it is sent must not leave an unhandled
      // rejection; whoever takes the job still gets its failure.
      job.catch(() => undefined);
      this.#jobs.set(n, job);
    }
  }

  /** Parts hashed or being hashed ahead and not taken yet (for tests). */
  get pending(): number[] {
    return [...this.#jobs.keys()];
  }
}
