/**
 * Benchmark page: starts the real S3 worker (credentials, signing and the
 * upload engine all live there, as in the app) and lets bench/upload.ts queue
 * the files set on `#files` and time them until every upload is verified.
 * The page only hands File handles over, as the app's upload panel does.
 */
import { Comlink, startS3Worker } from '../../src/rpc/s3';
import type { ConnectionSettings } from '../../src/lib/s3/service';
import type { IntegrityOptions } from '../../src/lib/upload/record';
import type { UploadUpdate } from '../../src/lib/upload/service';

const { remote } = startS3Worker();
let hashProbeWorker: Worker | undefined;

interface RunResult {
  ms: number;
  done: number;
  failed: string[];
}

const api = {
  /** MB/s of PUT bodies sent from a worker to presigned URLs (tuning probe). */
  async sendSpeed(bucket: string, part: number, concurrency: number): Promise<Record<string, number>> {
    const file = (document.getElementById('files') as HTMLInputElement).files![0]!;
    const count = Math.floor(file.size / part);
    const urls = await Promise.all(Array.from({ length: count }, (_, i) => remote.objects.presign({ method: 'PUT', bucket, key: `probe/${i}`, expiresInSeconds: 600 })));
    const w = new Worker(new URL('./send-probe.worker.ts', import.meta.url), { type: 'module' });
    return new Promise((resolve) => {
      w.onmessage = (e) => {
        w.terminate();
        resolve(e.data as Record<string, number>);
      };
      w.postMessage({ file, urls, part, concurrency });
    });
  },
  /** MB/s of ways to read the `#files` file in a worker (tuning probe). */
  readSpeed(part: number, concurrency: number): Promise<Record<string, number>> {
    const file = (document.getElementById('files') as HTMLInputElement).files![0]!;
    const w = new Worker(new URL('./read-probe.worker.ts', import.meta.url), { type: 'module' });
    return new Promise((resolve) => {
      w.onmessage = (e) => {
        w.terminate();
        resolve(e.data as Record<string, number>);
      };
      w.postMessage({ file, part, concurrency });
    });
  },
  /** Time of one way of reading and hashing the `#files` file part by part in a worker (bench/upload-harness/hash-probe.ts). */
  hashProbe(variant: string, algo: string, part: number, chunk: number): Promise<{ ms?: number; error?: string }> {
    const file = (document.getElementById('files') as HTMLInputElement).files![0]!;
    hashProbeWorker ??= new Worker(new URL('./hash-probe.worker.ts', import.meta.url), { type: 'module' });
    const w = hashProbeWorker;
    return new Promise((resolve) => {
      w.onmessage = (e) => resolve(e.data as { ms?: number; error?: string });
      w.postMessage({ file, part, variant, algo, chunk });
    });
  },
  /** hash-wasm MD5 and SHA-256 speed on this page's thread, MB/s (to tell engine costs from hashing costs). */
  async hashSpeed(mb = 64): Promise<{ md5: number; sha256: number }> {
    const { createMD5, createSHA256 } = await import('hash-wasm');
    const buf = new Uint8Array(mb * 1024 * 1024).fill(7);
    const rate = async (make: typeof createMD5) => {
      const h = await make();
      const t0 = performance.now();
      h.init();
      h.update(buf);
      h.digest();
      return (buf.length / 1e6 / (performance.now() - t0)) * 1000;
    };
    return { md5: await rate(createMD5), sha256: await rate(createSHA256) };
  },
  async connect(settings: ConnectionSettings): Promise<void> {
    await remote.connection.connect({ settings });
  },
  /** Upload the files of `#files` to `keys[i]`; resolves when all are done (or failed). */
  async upload(bucket: string, keys: string[], integrity: IntegrityOptions, formUploads = true): Promise<RunResult> {
    await remote.upload.configure({ formUploads });
    const input = document.getElementById('files') as HTMLInputElement;
    const files = [...(input.files ?? [])];
    if (files.length !== keys.length) throw new Error(`${files.length} files for ${keys.length} keys`);
    await remote.upload.clear();
    const settled = new Map<string, string>();
    let ids = new Set<string>();
    let finish!: () => void;
    const allDone = new Promise<void>((r) => (finish = r));
    const check = () => {
      if (ids.size && [...ids].every((id) => settled.has(id))) finish();
    };
    await remote.upload.watch(
      Comlink.proxy((u: UploadUpdate) => {
        for (const s of u.changed) if (s.status === 'done' || s.status === 'failed' || s.status === 'cancelled') settled.set(s.id, s.status === 'done' ? 'done' : `${s.key}: ${s.error?.message ?? s.status}`);
        check();
      }),
    );
    const t0 = performance.now();
    ids = new Set(await remote.upload.add(files.map((file, i) => ({ bucket, key: keys[i]!, file, integrity }))));
    check();
    await allDone;
    const ms = performance.now() - t0;
    const failed = [...settled.values()].filter((v) => v !== 'done');
    await remote.upload.clear();
    return { ms, done: ids.size - failed.length, failed };
  },
  /**
   * Start `upload` and return at once; the result is POSTed to `result` on
   * this origin, so the benchmark can disconnect DevTools while it runs.
   */
  start(bucket: string, keys: string[], integrity: IntegrityOptions, formUploads = true): void {
    const post = (r: RunResult) => fetch(new URL('result', location.href), { method: 'POST', body: JSON.stringify(r) });
    void api.upload(bucket, keys, integrity, formUploads).then(post, (e: unknown) => post({ ms: 0, done: 0, failed: [String(e)] }));
  },
};

(window as unknown as { bench: typeof api }).bench = api;
document.title = 'ready';
