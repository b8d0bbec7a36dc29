/**
 * Waiting for a condition rather than for a guessed time: a fixed sleep is
 * either too short on a loaded machine (a flaky test) or longer than needed
 * (a slow one).
 */

export interface UntilOptions {
  /** Give up after this long (default 30 s). */
  timeout?: number;
  /** Between two checks (default 100 ms). */
  interval?: number;
  /** What is awaited, for the error when it never comes. */
  what?: string;
}

/**
 * Checks `ready` until it returns a value other than `undefined`/`false` and
 * returns that value; throws when `timeout` passes first, with the last error
 * `ready` threw, if any.
 *
 * @example
 * const parts = await until(async () => ((await list()).length >= 3 ? list : undefined), { what: 'three parts' });
 */
export async function until<T>(ready: () => Promise<T | undefined | false> | T | undefined | false, options: UntilOptions = {}): Promise<T> {
  const { timeout = 30_000, interval = 100, what = 'the condition' } = options;
  const deadline = Date.now() + timeout;
  let last: unknown;
  for (;;) {
    try {
      const value = await ready();
      if (value !== undefined && value !== false) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() >= deadline) throw new Error(`Waited ${timeout} ms for ${what} in vain${last ? `: ${(last as Error).message}` : ''}.`, { cause: last });
    await new Promise((r) => setTimeout(r, interval));
  }
}
