/**
 * Upload records in IndexedDB (works in a window and in a worker). Records
 * hold no credential and no file bytes; handles are FileSystemFileHandles
 * (kept by Chromium across reloads, re-permitted on use), never File copies,
 * since storing a File would copy the whole file into the browser profile.
 */
import type { UploadRecord } from './record';
import type { UploadStore } from './store';

const DB = 'tessera-uploads';
const RECORDS = 'records';
const HANDLES = 'handles';

function req<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

export function openUploadDb(name = DB): Promise<IDBDatabase> {
  const open = indexedDB.open(name, 1);
  open.onupgradeneeded = () => {
    const db = open.result;
    if (!db.objectStoreNames.contains(RECORDS)) db.createObjectStore(RECORDS, { keyPath: 'id' });
    if (!db.objectStoreNames.contains(HANDLES)) db.createObjectStore(HANDLES);
  };
  return req(open);
}

/**
 * Writes are gathered for a few milliseconds and committed in one
 * transaction: a folder of thousands of small files would otherwise cost a
 * transaction per status change. A record lost in that window is harmless:
 * ListParts reconciliation adopts parts the store has.
 */
export class IdbUploadStore implements UploadStore {
  #db: Promise<IDBDatabase>;
  #pending = new Map<string, UploadRecord | null>();
  #flush: Promise<void> | undefined;
  #delayMs: number;

  constructor(name = DB, delayMs = 20) {
    this.#db = openUploadDb(name);
    this.#delayMs = delayMs;
  }

  #write(id: string, record: UploadRecord | null): Promise<void> {
    this.#pending.set(id, record);
    this.#flush ??= new Promise<void>((resolve) => setTimeout(resolve, this.#delayMs)).then(async () => {
      const batch = [...this.#pending];
      this.#pending.clear();
      this.#flush = undefined;
      const tx = (await this.#db).transaction([RECORDS, HANDLES], 'readwrite');
      for (const [key, r] of batch) {
        if (r) tx.objectStore(RECORDS).put(r);
        else {
          tx.objectStore(RECORDS).delete(key);
          tx.objectStore(HANDLES).delete(key);
        }
      }
      await new Promise<void>((resolve, reject) => {
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error);
      });
    });
    return this.#flush;
  }

  async #store(name: string, mode: IDBTransactionMode): Promise<IDBObjectStore> {
    return (await this.#db).transaction(name, mode).objectStore(name);
  }

  async list(): Promise<UploadRecord[]> {
    return req((await this.#store(RECORDS, 'readonly')).getAll() as IDBRequest<UploadRecord[]>);
  }
  async get(id: string): Promise<UploadRecord | undefined> {
    if (this.#pending.has(id)) return this.#pending.get(id) ?? undefined;
    return req((await this.#store(RECORDS, 'readonly')).get(id) as IDBRequest<UploadRecord | undefined>);
  }
  put(record: UploadRecord): Promise<void> {
    return this.#write(record.id, record);
  }
  delete(id: string): Promise<void> {
    return this.#write(id, null);
  }
  async putHandle(id: string, handle: unknown): Promise<void> {
    await req((await this.#store(HANDLES, 'readwrite')).put(handle, id));
  }
  async getHandle(id: string): Promise<unknown> {
    return req((await this.#store(HANDLES, 'readonly')).get(id));
  }
}
