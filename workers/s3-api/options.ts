/**
 * What every call of the S3 worker's API may carry besides its own fields.
 * Callbacks inside an options object cross the worker boundary as proxies
 * (see src/rpc/callbacks.ts), so they are plain functions on both sides.
 */
export interface OpOptions {
  /** Names the operation so `connection.cancel({ opId })` can stop it (an AbortSignal cannot be posted). */
  opId?: string;
}

export interface ProgressOptions<P> extends OpOptions {
  /** Throttled in the worker: a few calls a second, and always the last state. */
  onProgress?: (p: P) => void;
}
