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

export function createUploadApi(s3: S3Service): UploadService {
  const store = typeof indexedDB !== 'undefined' ? new IdbUploadStore() : new MemoryUploadStore();
  const service = new UploadService(() => s3[CLIENT](), store);
  if (typeof self !== 'undefined' && 'addEventListener' in self) {
    self.addEventListener('online', () => service.setOnline(true));
    self.addEventListener('offline', () => service.setOnline(false));
  }
  return service;
}
