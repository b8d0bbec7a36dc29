/**
 * Runs tasks one at a time, in call order. Part reads go through one of
 * these: measured in Chromium (bench/upload-harness/probe.ts), reading a File in a
 * worker gives ~800 MB/s one slice at a time but ~60 MB/s with 16 slices read
 * at once, so parts are read in turn and hashed while earlier ones are on the wire.
 */
export class Serial {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(fn, fn);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}

/** At most `n` tasks at once (hashing reads: one per hash worker). */
export class Slots {
  #free: number;
  #waiting: Array<() => void> = [];

  constructor(n: number) {
    this.#free = Math.max(1, n);
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((r) => this.#waiting.push(r));
    try {
      return await fn();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free++;
    }
  }
}
