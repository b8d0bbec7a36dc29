/**
 * Bounded, jittered retries. Which failures are retryable is decided by
 * `S3Error.retryable` (network errors, 500/502/503/504, 429/SlowDown,
 * RequestTimeout); this file only decides how long to wait.
 */

export interface RetryPolicy {
  /** Attempts in all, including the first. */
  maxAttempts: number;
  /** First back-off in ms; doubles each attempt. */
  baseDelayMs: number;
  /** Longest single back-off in ms. */
  maxDelayMs: number;
  /**
   * Attempts when no answer arrives at all. In a browser that is usually a
   * CORS refusal or wrong keys (stores send no CORS headers with auth errors),
   * which waiting will not fix, so the user hears about it quickly. Long
   * transfers add their own patience (the upload scheduler waits for the network).
   */
  maxNetworkAttempts?: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 5000, maxNetworkAttempts: 3 };

/**
 * "Full jitter" back-off (AWS Architecture Blog, "Exponential Backoff And
 * Jitter"): uniform in [0, min(cap, base * 2^attempt)]. A server's
 * `Retry-After` (seconds) is a floor.
 */
export function backoffDelay(policy: RetryPolicy, attempt: number, retryAfterSeconds?: number, random = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  const jittered = random() * ceiling;
  const floor = retryAfterSeconds && retryAfterSeconds > 0 ? Math.min(retryAfterSeconds * 1000, 60_000) : 0;
  return Math.max(floor, jittered);
}

/** Sleep that ends early (rejecting) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
