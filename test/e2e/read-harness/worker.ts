/**
 * Reads every file given as the app does, many at once, while garbage
 * collection runs as often as it can: a read whose stream the collector takes
 * never settles. `upload`: through `readChunks`, as the upload's hashing does
 * (into reused buffers). `download`: as a range gathered by the browser is
 * read back (`gatheredBody`, then `batches`). Answers with each file's MD5,
 * the files whose reads did not end in time, and the streams still held.
 */
import { createMD5 } from 'hash-wasm';
import { ReadBuffers, readChunks } from '../../../src/lib/upload/read-chunks';
import { batches, gatheredBody } from '../../../src/lib/explorer/download';
import { heldCount } from '../../../src/lib/held-streams';

export interface ReadRequest {
  files: File[];
  via: 'upload' | 'download';
  /** Reads at once. */
  concurrency: number;
  /** Bytes per read buffer (smaller than the files: several reads per file). */
  buffer: number;
  /** Give up on the reads still waiting after this many ms. */
  patience: number;
}

export interface ReadReport {
  md5: Record<string, string>;
  /** Files whose read had not ended when patience ran out. */
  waiting: string[];
  errors: string[];
  /** Whether `gc()` was there to call (Chromium's --js-flags=--expose-gc). */
  collected: boolean;
  /** Streams still held once the reads have ended. */
  held: number;
}

const collect = (globalThis as { gc?: () => void }).gc;

self.onmessage = async (e: MessageEvent<ReadRequest>) => {
  const { files, via, concurrency, buffer, patience } = e.data;
  const buffers = new ReadBuffers(buffer, concurrency);
  const md5: Record<string, string> = {};
  const errors: string[] = [];
  const waiting = new Set<string>();
  // Collections between reads: while the others wait on their streams.
  const timer = setInterval(() => collect?.(), 1);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < files.length) {
      const file = files[next++]!;
      waiting.add(file.name);
      const hasher = await createMD5();
      hasher.init();
      try {
        if (via === 'upload') await readChunks(file, 0, file.size, file.name, (bytes) => hasher.update(bytes), buffers);
        else for await (const piece of batches(await gatheredBody(new Response(file)), buffer)) hasher.update(piece);
        md5[file.name] = hasher.digest('hex');
      } catch (err) {
        errors.push(`${file.name}: ${String(err)}`);
      }
      waiting.delete(file.name);
    }
  };
  const all = Promise.all(Array.from({ length: concurrency }, lane));
  await Promise.race([all, new Promise((r) => setTimeout(r, patience))]);
  clearInterval(timer);
  postMessage({ md5, waiting: [...waiting], errors, collected: !!collect, held: heldCount() } satisfies ReadReport);
};
