/**
 * Progress callbacks cross a worker boundary on every call: walks, copies,
 * downloads and deletes report through this so the page gets a few updates a
 * second, not one per object.
 */

/** Calls `fn` at most once per `ms`, with a final call forced by `flush`. */
export function throttle<T>(fn: ((v: T) => void) | undefined, ms: number): { push: (v: T) => void; flush: (v: T) => void } {
  let last = 0;
  return {
    push(v) {
      const now = Date.now();
      if (fn && now - last >= ms) {
        last = now;
        fn(v);
      }
    },
    flush(v) {
      fn?.(v);
    },
  };
}
