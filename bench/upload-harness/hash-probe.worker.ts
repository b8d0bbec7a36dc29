/**
 * Ways of reading a File's parts and hashing them in a worker (Chromium
 * tuning probe for src/lib/upload/part-hasher.ts): each variant reads the
 * whole file part by part and feeds one hasher, and reports its time in this
 * thread; the driver (bench/upload-harness/hash-probe.ts) reads the
 * renderer's CPU around it.
 */
import { createCRC32, createMD5, createSHA256, type IHasher } from 'hash-wasm';

type Algo = 'md5' | 'sha256' | 'crc32c';
interface Req {
  file: File;
  part: number;
  variant: string;
  algo: Algo;
  /** Bytes per read (slice or BYOB buffer). */
  chunk: number;
}

const hashers = new Map<Algo, Promise<IHasher>>();
function hasher(a: Algo): Promise<IHasher> {
  let h = hashers.get(a);
  if (!h) hashers.set(a, (h = a === 'md5' ? createMD5() : a === 'sha256' ? createSHA256() : createCRC32(0x82f63b78)));
  return h;
}

let reused: Uint8Array<ArrayBuffer> | undefined;
function buffer(n: number): Uint8Array<ArrayBuffer> {
  if (!reused || reused.byteLength < n) reused = new Uint8Array(n);
  return reused;
}

async function readPart(blob: Blob, h: IHasher, variant: string, chunk: number): Promise<void> {
  switch (variant) {
    case 'arrayBuffer': {
      // What part-hasher.ts does today: a fresh ArrayBuffer per chunk of a part.
      for (let pos = 0; pos < blob.size; pos += chunk) h.update(new Uint8Array(await blob.slice(pos, Math.min(blob.size, pos + chunk)).arrayBuffer()));
      return;
    }
    case 'stream': {
      const r = blob.stream().getReader();
      for (;;) {
        const { done, value } = await r.read();
        if (done) return;
        h.update(value);
      }
    }
    case 'byob': {
      const r = blob.stream().getReader({ mode: 'byob' });
      let buf = buffer(chunk);
      for (;;) {
        const { done, value } = await r.read(buf);
        if (done || !value) return;
        h.update(value);
        buf = new Uint8Array(value.buffer);
        reused = buf;
      }
    }
    case 'byob-fill': {
      // BYOB, filling the whole buffer before one update.
      const r = blob.stream().getReader({ mode: 'byob' });
      let buf = buffer(chunk);
      let off = 0;
      for (;;) {
        const { done, value } = await r.read(buf.subarray(off));
        if (value) {
          buf = new Uint8Array(value.buffer);
          off += value.byteLength;
        }
        if (done || off === buf.byteLength) {
          h.update(buf.subarray(0, off));
          off = 0;
        }
        if (done) {
          reused = buf;
          return;
        }
      }
    }
    case 'readerSync': {
      const Sync = (self as unknown as { FileReaderSync: new () => { readAsArrayBuffer(b: Blob): ArrayBuffer } }).FileReaderSync;
      for (let pos = 0; pos < blob.size; pos += chunk) h.update(new Uint8Array(new Sync().readAsArrayBuffer(blob.slice(pos, Math.min(blob.size, pos + chunk)))));
      return;
    }
    case 'hashOnly': {
      // The hash alone over memory already in use: the floor.
      const buf = buffer(chunk);
      for (let pos = 0; pos < blob.size; pos += chunk) h.update(buf.subarray(0, Math.min(chunk, blob.size - pos)));
      return;
    }
    default:
      throw new Error(`unknown variant ${variant}`);
  }
}

self.onmessage = async (e: MessageEvent<Req>) => {
  const { file, part, variant, algo, chunk } = e.data;
  try {
    const h = await hasher(algo);
    const t0 = performance.now();
    for (let start = 0; start < file.size; start += part) {
      h.init();
      await readPart(file.slice(start, Math.min(file.size, start + part)), h, variant, chunk);
      h.digest('hex');
    }
    (self as unknown as Worker).postMessage({ ms: performance.now() - t0 });
  } catch (err) {
    (self as unknown as Worker).postMessage({ error: String(err) });
  }
};
