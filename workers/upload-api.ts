/**
 * The `upload` namespace of the S3 worker: the upload engine lives next to
 * the signing client (it gets it through `S3Service[CLIENT]`, which the page
 * cannot reach), persists its records in IndexedDB (never a credential), and
 * follows the browser's online/offline events.
 */
import { CLIENT, type S3Service } from '../src/lib/s3/service';
import { IdbUploadStore } from '../src/lib/upload/idb-store';
import { MemoryUploadStore } from '../src/lib/upload/store';
import { UploadService } from '../src/lib/upload/service';
import type { PartHasher } from '../src/lib/upload/part-hasher';
import * as Comlink from 'comlink';

/** Hashing in its own worker (see upload-hash.worker.ts), where nested workers exist. */
function hashWorker(): PartHasher | undefined {
  if (typeof Worker === 'undefined') return undefined;
  const worker = new Worker(new URL('./upload-hash.worker.ts', import.meta.url), { type: 'module', name: 'tessera-upload-hash' });
  const remote = Comlink.wrap<PartHasher>(worker);
  return { hash: (req) => remote.hash(req) };
}

export function createUploadApi(s3: S3Service): UploadService {
  const store = typeof indexedDB !== 'undefined' ? new IdbUploadStore() : new MemoryUploadStore();
  const service = new UploadService(() => s3[CLIENT](), store, { hasher: hashWorker() });
  if (typeof self !== 'undefined' && 'addEventListener' in self) {
    self.addEventListener('online', () => service.setOnline(true));
    self.addEventListener('offline', () => service.setOnline(false));
  }
  return service;
}
