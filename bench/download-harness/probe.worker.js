/** Blob streams being read (see the blobsync mode). */
const held = new Set();
// Download tuning probe (Chromium): ways of fetching one object in ranges and writing it to OPFS.
let writer = null;
const BATCH = 4 << 20;
self.onmessage = async (e) => {
  const { url, size, range, parallel, etag } = e.data;
  // `<mode>+headers`: the same with the headers a signed request carries (they make each range preflight).
  const withHeaders = e.data.mode.endsWith('+headers');
  const noStore = e.data.mode.endsWith('+nostore');
  const mode = e.data.mode.replace('+nostore', '').replace('+headers', '').replace('fresh-', '').replace('-notrunc', '');
  const root = await navigator.storage.getDirectory();
  let sync = null;
  // `fresh-` modes start from a new file each run (as the app does: a new file per download);
  // `-notrunc` modes do not set the file's size before writing.
  const fresh = e.data.mode.startsWith('fresh-');
  const noTrunc = e.data.mode.includes('-notrunc');
  if (fresh) await root.removeEntry('probe.bin').catch(() => undefined);
  if (['sync', 'batched', 'byob', 'blobsync', 'blobab'].includes(mode)) {
    const fh = e.data.handle ?? (await root.getFileHandle('probe.bin', { create: true }));
    sync = await fh.createSyncAccessHandle();
    if (!noTrunc) sync.truncate(size);
  }
  let writable = null;
  if (mode === 'blobwrite') {
    const fh = e.data.handle ?? (await root.getFileHandle('probe.bin', { create: true }));
    writable = await fh.createWritable({ keepExistingData: false });
    await writable.truncate(size);
  }
  if (mode === 'writer') {
    writer = new Worker(new URL('./writer.worker.js', import.meta.url), { type: 'module' });
    await new Promise((r) => { writer.onmessage = r; writer.postMessage({ open: size }); });
  }
  const t0 = performance.now();
  const count = Math.ceil(size / range);
  let next = 0;
  let total = 0;
  let writeMs = 0;
  let reads = 0;
  await Promise.all(Array.from({ length: parallel }, async () => {
    while (next < count) {
      const i = next++;
      const start = i * range;
      const end = Math.min(size, start + range) - 1;
      const headers = { Range: `bytes=${start}-${end}` };
      if (withHeaders) Object.assign(headers, { 'If-Match': etag, 'X-Amz-Date': '20261129T000000Z', 'X-Amz-Content-Sha256': 'UNSIGNED-PAYLOAD' });
      const res = await fetch(url, noStore ? { headers, cache: 'no-store' } : { headers });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      let pos = start;
      if (mode === 'blobsync') {
        // The body gathered as a blob by the browser, then read back here in 4 MiB BYOB reads
        // into a reused buffer and written with the synchronous handle.
        const blob = await res.blob();
        // Held while read: Chromium's collector takes a blob stream waiting on a BYOB read and the
        // read never settles (src/lib/held-streams.ts).
        const stream = blob.stream();
        held.add(stream);
        let byob = null;
        try { byob = stream.getReader({ mode: 'byob' }); } catch { /* not a byte stream */ }
        const reader = byob ?? stream.getReader();
        let buf = new ArrayBuffer(BATCH);
        for (;;) {
          const r = byob ? await reader.read(new Uint8Array(buf, 0, BATCH)) : await reader.read();
          if (byob && r.value) buf = r.value.buffer;
          if (r.done) break;
          const w0 = performance.now(); sync.write(r.value, { at: pos }); writeMs += performance.now() - w0;
          pos += r.value.byteLength; total += r.value.byteLength; reads++;
        }
        held.delete(stream);
        continue;
      }
      if (mode === 'blobab') {
        // The body gathered as a blob by the browser, then copied here whole and written.
        const bytes = new Uint8Array(await (await res.blob()).arrayBuffer());
        const w0 = performance.now(); sync.write(bytes, { at: pos }); writeMs += performance.now() - w0;
        total += bytes.byteLength;
        continue;
      }
      if (mode === 'blob' || mode === 'blobwrite') {
        // The body gathered by the browser (network service -> browser process blob), never read in
        // this thread; `blobwrite` hands the blob to a writable file stream at its position.
        const blob = await res.blob();
        if (mode === 'blobwrite') { const w0 = performance.now(); await writable.write({ type: 'write', position: start, data: blob }); writeMs += performance.now() - w0; }
        total += blob.size;
        continue;
      }
      if (mode === 'byobpace' || mode === 'byobmin') {
        // BYOB reads into a reused 4 MiB buffer, bytes dropped, asking for more bytes per read:
        // `byobpace` waits `pace` ms after a read that brought less than `enough` bytes (the
        // body's pipe fills meanwhile); `byobmin` asks the stream for at least `enough` bytes.
        const reader = res.body.getReader({ mode: 'byob' });
        let buf = new ArrayBuffer(BATCH);
        const pace = e.data.pace ?? 4;
        const enough = e.data.enough ?? (1 << 20);
        for (;;) {
          const left = Math.min(BATCH, end + 1 - pos);
          const r = mode === 'byobmin' ? await reader.read(new Uint8Array(buf, 0, Math.max(1, left)), { min: Math.max(1, Math.min(enough, left)) }) : await reader.read(new Uint8Array(buf, 0, BATCH));
          if (r.value) buf = r.value.buffer;
          if (r.done) break;
          pos += r.value.byteLength;
          total += r.value.byteLength;
          reads++;
          if (mode === 'byobpace' && r.value.byteLength < enough) await new Promise((ok) => setTimeout(ok, pace));
        }
        continue;
      }
      if (mode === 'byobdiscard' || mode === 'landing') {
        // BYOB reads, bytes dropped: straight into a reused 4 MiB buffer, or (`landing`, as the
        // app's batches()) into a 256 KiB landing buffer copied into the batch.
        const reader = res.body.getReader({ mode: 'byob' });
        let buf = new ArrayBuffer(mode === 'landing' ? 256 << 10 : BATCH);
        const batch = mode === 'landing' ? new Uint8Array(BATCH) : null;
        let fill = 0;
        for (;;) {
          const r = await reader.read(new Uint8Array(buf, batch ? 0 : fill, batch ? buf.byteLength : BATCH - fill));
          if (r.value) buf = r.value.buffer;
          if (r.done) break;
          if (batch) { const n = Math.min(r.value.byteLength, BATCH - fill); batch.set(r.value.subarray(0, n), fill); }
          fill += r.value.byteLength;
          total += r.value.byteLength;
          reads++;
          if (fill >= BATCH) fill = 0;
        }
        continue;
      }
      if (mode === 'byob') {
        const reader = res.body.getReader({ mode: 'byob' });
        let buf = new ArrayBuffer(BATCH);
        for (;;) {
          let fill = 0;
          let done = false;
          while (fill < BATCH) {
            const r = await reader.read(new Uint8Array(buf, fill, BATCH - fill));
            if (r.done) { done = true; if (r.value) buf = r.value.buffer; break; }
            buf = r.value.buffer;
            fill += r.value.byteLength;
          }
          if (fill) { const w0 = performance.now(); sync.write(new Uint8Array(buf, 0, fill), { at: pos }); writeMs += performance.now() - w0; }
          pos += fill; total += fill;
          if (done) break;
        }
        continue;
      }
      if (mode === 'batched') {
        const reader = res.body.getReader();
        const buf = new Uint8Array(BATCH);
        let fill = 0;
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          let off = 0;
          while (off < value.byteLength) {
            const n = Math.min(BATCH - fill, value.byteLength - off);
            buf.set(value.subarray(off, off + n), fill);
            fill += n; off += n;
            if (fill === BATCH) { const w0 = performance.now(); sync.write(buf, { at: pos }); writeMs += performance.now() - w0; pos += fill; total += fill; fill = 0; }
          }
        }
        if (fill) { sync.write(buf.subarray(0, fill), { at: pos }); total += fill; }
        continue;
      }
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (sync) { const w0 = performance.now(); sync.write(value, { at: pos }); writeMs += performance.now() - w0; }
        const len = value.byteLength;
        if (writer) writer.postMessage({ at: pos, buf: value.buffer, off: value.byteOffset, len }, [value.buffer]);
        pos += len;
        total += len;
      }
    }
  }));
  if (writer) await new Promise((r) => { writer.onmessage = r; writer.postMessage({ close: true }); });
  if (sync) { sync.close(); }
  if (writable) await writable.close();
  const ms = performance.now() - t0;
  if (writer) writer.terminate();
  self.postMessage({ ms, total, writeMs, reads });
};
