/** Measures ways of reading a File in a worker (Chromium tuning probe). */
self.onmessage = async (e: MessageEvent<{ file: File; part: number; concurrency: number }>) => {
  const { file, part, concurrency } = e.data;
  const out: Record<string, number> = {};
  const parts = Math.ceil(file.size / part);
  const run = async (name: string, read: (b: Blob) => Promise<number> | number) => {
    const t0 = performance.now();
    let next = 0;
    let total = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < parts) {
          const i = next++;
          total += await read(file.slice(i * part, Math.min(file.size, (i + 1) * part)));
        }
      }),
    );
    out[name] = Math.round((total / 1e6 / (performance.now() - t0)) * 1000);
  };
  await run('arrayBuffer', async (b) => (await b.arrayBuffer()).byteLength);
  // FileReaderSync exists only in workers (this file is also type-checked with the DOM lib).
  const Sync = (self as unknown as { FileReaderSync: new () => { readAsArrayBuffer(b: Blob): ArrayBuffer } }).FileReaderSync;
  await run('FileReaderSync', (b) => new Sync().readAsArrayBuffer(b).byteLength);
  await run('stream', async (b) => {
    const buf = new Uint8Array(b.size);
    let off = 0;
    const r = b.stream().getReader();
    for (;;) {
      const { done, value } = await r.read();
      if (done) break;
      buf.set(value, off);
      off += value.length;
    }
    return off;
  });
  await run('arrayBuffer again', async (b) => (await b.arrayBuffer()).byteLength);
  (self as unknown as Worker).postMessage(out);
};
