/**
 * Runs tasks one at a time, in call order. Part reads go through one of
 * these: measured in Chromium (bench/upload-probe.ts), reading a File in a
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
