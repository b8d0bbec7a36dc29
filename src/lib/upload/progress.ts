/**
 * Upload progress as the user sees it: bytes sent (what the store holds plus
 * how far each part on the wire has gone), and a speed and time left worked
 * out from how that number grows. Counting only stored parts showed
 * "0 B of 30.0 MiB" for the whole of a slow upload's first part. Pure: the
 * engine records, the page reads.
 */

/**
 * Bytes of each part (or of the one PUT, as part 1) handed to the network,
 * the most seen per part. A retried part starts its count from 0 again; its
 * bytes are counted once, so what the user sees never goes back while the
 * retry catches up with the attempt before it.
 *
 * @example
 * const sent = new SentBytes();
 * sent.record(1, 4_000_000);
 * sent.record(1, 1_000_000); // a retry, behind the first attempt: still 4,000,000
 * sent.pending([]); // 4_000_000
 */
export class SentBytes {
  #parts = new Map<number, number>();

  /** Part `n` has sent `bytes` in its current attempt. True when that moves its count on. */
  record(n: number, bytes: number): boolean {
    if (!(bytes > (this.#parts.get(n) ?? 0))) return false;
    this.#parts.set(n, bytes);
    return true;
  }

  /** Part `n` is stored (its bytes now count as done), or will be sent afresh. */
  forget(n: number): void {
    this.#parts.delete(n);
  }

  /** Nothing sent counts any more (the upload starts over on the store). */
  clear(): void {
    this.#parts.clear();
  }

  /** Bytes sent of the parts not among `stored` (part numbers the store holds). */
  pending(stored: Iterable<{ n: number }>): number {
    const done = new Set<number>();
    for (const p of stored) done.add(p.n);
    let n = 0;
    for (const [part, bytes] of this.#parts) if (!done.has(part)) n += bytes;
    return n;
  }
}

/** Bytes sent of a file: stored bytes plus those on their way, never more than the file. */
export function bytesSent(size: number, stored: number, pending: number): number {
  return Math.min(size, stored + pending);
}

export interface RateOptions {
  /** The speed is the average over about this long (ms). */
  windowMs?: number;
  /** No speed until samples span this long (ms): the first burst fills socket buffers, not the link. */
  minSpanMs?: number;
}

/**
 * Speed as a moving average: bytes gained over the last few seconds of
 * samples (a window, so one burst or one stall moves it only so far).
 * A count that goes down (the upload started over) starts a new window.
 *
 * @example
 * const meter = new RateMeter();
 * meter.add(0, 0);
 * meter.add(1000, 3_000_000); // 3,000,000 bytes per second
 */
export class RateMeter {
  #samples: { t: number; bytes: number }[] = [];
  #rate = 0;
  #windowMs: number;
  #minSpanMs: number;

  constructor(options: RateOptions = {}) {
    this.#windowMs = options.windowMs ?? 5000;
    this.#minSpanMs = options.minSpanMs ?? 500;
  }

  /** Bytes per second as of the last sample (0 until samples span `minSpanMs`). */
  get rate(): number {
    return this.#rate;
  }

  /** Add a sample (`t` in ms, `bytes` so far) and return the speed in bytes per second. */
  add(t: number, bytes: number): number {
    const last = this.#samples.at(-1);
    if (last && (bytes < last.bytes || t < last.t)) this.#samples = [];
    this.#samples.push({ t, bytes });
    // Keep the newest sample that is at least a window old as the start, so the average spans a whole window.
    while (this.#samples.length > 2 && t - this.#samples[1]!.t >= this.#windowMs) this.#samples.shift();
    const first = this.#samples[0]!;
    const span = t - first.t;
    this.#rate = span >= this.#minSpanMs ? ((bytes - first.bytes) * 1000) / span : 0;
    return this.#rate;
  }

  /** Forget the samples (the upload stopped moving: paused, failed, done). */
  reset(): void {
    this.#samples = [];
    this.#rate = 0;
  }
}

/** Seconds left for `remaining` bytes at `rate` bytes per second; undefined while there is no speed to go by. */
export function timeLeft(remaining: number, rate: number): number | undefined {
  return rate > 0 ? Math.max(0, remaining) / rate : undefined;
}
