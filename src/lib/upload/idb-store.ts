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

export class IdbUploadStore implements UploadStore {
  #db: Promise<IDBDatabase>;

  constructor(name = DB) {
    this.#db = openUploadDb(name);
  }

  async #store(name: string, mode: IDBTransactionMode): Promise<IDBObjectStore> {
    return (await this.#db).transaction(name, mode).objectStore(name);
  }

  async list(): Promise<UploadRecord[]> {
    return req((await this.#store(RECORDS, 'readonly')).getAll() as IDBRequest<UploadRecord[]>);
  }
  async get(id: string): Promise<UploadRecord | undefined> {
    return req((await this.#store(RECORDS, 'readonly')).get(id) as IDBRequest<UploadRecord | undefined>);
  }
  async put(record: UploadRecord): Promise<void> {
    await req((await this.#store(RECORDS, 'readwrite')).put(record));
  }
  async delete(id: string): Promise<void> {
    const tx = (await this.#db).transaction([RECORDS, HANDLES], 'readwrite');
    tx.objectStore(RECORDS).delete(id);
    tx.objectStore(HANDLES).delete(id);
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
  }
  async putHandle(id: string, handle: unknown): Promise<void> {
    await req((await this.#store(HANDLES, 'readwrite')).put(handle, id));
  }
  async getHandle(id: string): Promise<unknown> {
    return req((await this.#store(HANDLES, 'readonly')).get(id));
  }
}
