/**
 * The `upload` namespace of the S3 worker: the upload engine lives next to
 * the signing client (it gets it through `S3Service[CLIENT]`, which the page
 * cannot reach), persists its records in IndexedDB (never a credential; the
 * page never opens that database: it gets snapshots and file handles from
 * here), and follows the browser's online/offline events.
 *
 * The connection code of the S3 worker calls `connectionChanged()` (below)
 * after every change of connection (connect, new keys, disconnect), so
 * uploads waiting for valid keys continue at once; until it does, the
 * service watches for a new client by itself.
 */
import { CLIENT, type S3Service } from '../src/lib/s3/service';
import { IdbUploadStore } from '../src/lib/upload/idb-store';
import { MemoryUploadStore } from '../src/lib/upload/store';
import { SwitchableUploadStore } from '../src/lib/upload/switchable-store';
import { UploadService } from '../src/lib/upload/service';
import type { PartHasher } from '../src/lib/upload/part-hasher';
import * as Comlink from 'comlink';

/**
 * Hashing in two workers (see upload-hash.worker.ts), where nested workers
 * exist: MD5s of two parts, or an MD5 beside the running SHA-256, at once,
 * while this thread signs and sends. Each call goes to the least busy one.
 */
function hashWorkers(count = 2): PartHasher | undefined {
  if (typeof Worker === 'undefined') return undefined;
  // Started on the first hash, not with the S3 worker: most sessions never upload, and two
  // isolates starting up took CPU from whatever the user opened first (seen in a Zarr open's trace).
  let pool: { remote: Comlink.Remote<PartHasher>; busy: number }[] | undefined;
  const start = () =>
    (pool ??= Array.from({ length: count }, (_, i) => ({
      remote: Comlink.wrap<PartHasher>(new Worker(new URL('./upload-hash.worker.ts', import.meta.url), { type: 'module', name: `tessera-upload-hash-${i}` })),
      busy: 0,
    })));
  return {
    parallel: count,
    async hash(req) {
      const w = start().reduce((a, b) => (b.busy < a.busy ? b : a));
      w.busy++;
      try {
        return await w.remote.hash(req);
      } finally {
        w.busy--;
      }
    },
  };
}

/** The upload services of this worker (one per `createUploadApi`, so one in practice). */
const services = new Set<UploadService>();

/**
 * Tell this worker's uploads that the connection changed (connected, new
 * keys, disconnected): for the S3 worker's connection code, so uploads
 * stopped on refused keys continue without anything polling for it.
 */
export function connectionChanged(): void {
  for (const service of services) service.connectionChanged();
}

/** The stores of this worker's uploads, switched to memory only on an origin shared with the store. */
const stores = new Set<SwitchableUploadStore>();

/** Keep upload state in IndexedDB (true) or only in memory (false: an origin shared with the store's objects). */
export async function keepUploadState(persist: boolean): Promise<void> {
  for (const store of stores) await store.setPersistent(persist);
}

export function createUploadApi(s3: S3Service): UploadService {
  const store = new SwitchableUploadStore(typeof indexedDB !== 'undefined' ? new IdbUploadStore() : new MemoryUploadStore());
  stores.add(store);
  // Small files as form uploads: no CORS preflight each (src/lib/upload/form-uploads.ts).
  const service = new UploadService(() => s3[CLIENT](), store, { hasher: hashWorkers(), formUploads: true });
  services.add(service);
  if (typeof self !== 'undefined' && 'addEventListener' in self) {
    self.addEventListener('online', () => service.setOnline(true));
    self.addEventListener('offline', () => service.setOnline(false));
  }
  return service;
}
