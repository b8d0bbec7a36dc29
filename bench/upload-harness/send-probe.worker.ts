/** Measures PUT bodies from a worker: Blob slice vs bytes read first (Chromium tuning probe). */
self.onmessage = async (e: MessageEvent<{ file: File; urls: string[]; part: number; concurrency: number }>) => {
  const { file, urls, part, concurrency } = e.data;
  const out: Record<string, number> = {};
  const n = urls.length;
  const run = async (name: string, body: (b: Blob) => Promise<BodyInit> | BodyInit) => {
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < n) {
          const i = next++;
          const res = await fetch(urls[i]!, { method: 'PUT', body: await body(file.slice(i * part, (i + 1) * part)) });
          await res.arrayBuffer();
        }
      }),
    );
    out[name] = Math.round(((n * part) / 1e6 / (performance.now() - t0)) * 1000);
  };
  await run('blob', (b) => b);
  await run('uint8array', async (b) => new Uint8Array(await b.arrayBuffer()));
  await run('arraybuffer', async (b) => await b.arrayBuffer());
  await run('blob of bytes', async (b) => new Blob([await b.arrayBuffer()]));
  await run('blob again', (b) => b);
  (self as unknown as Worker).postMessage(out);
};
