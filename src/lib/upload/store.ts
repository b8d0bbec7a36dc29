/**
 * Where upload records live between page loads. The engine writes after every
 * part; the IndexedDB implementation is in `idb-store.ts`, this in-memory one
 * serves tests and environments without IndexedDB.
 */
import type { UploadRecord } from './record';

export interface UploadStore {
  list(): Promise<UploadRecord[]>;
  get(id: string): Promise<UploadRecord | undefined>;
  put(record: UploadRecord): Promise<void>;
  delete(id: string): Promise<void>;
  /** Keep a file handle (FileSystemFileHandle or File) for re-attaching after reload, where the browser allows it. */
  putHandle?(id: string, handle: unknown): Promise<void>;
  getHandle?(id: string): Promise<unknown>;
}

export class MemoryUploadStore implements UploadStore {
  #records = new Map<string, UploadRecord>();
  #handles = new Map<string, unknown>();
  /** Number of writes, so tests can see that state is saved after every part. */
  writes = 0;

  async list(): Promise<UploadRecord[]> {
    return [...this.#records.values()].map((r) => structuredClone(r));
  }
  async get(id: string): Promise<UploadRecord | undefined> {
    const r = this.#records.get(id);
    return r && structuredClone(r);
  }
  async put(record: UploadRecord): Promise<void> {
    this.writes++;
    this.#records.set(record.id, structuredClone(record));
  }
  async delete(id: string): Promise<void> {
    this.#records.delete(id);
    this.#handles.delete(id);
  }
  async putHandle(id: string, handle: unknown): Promise<void> {
    this.#handles.set(id, handle);
  }
  async getHandle(id: string): Promise<unknown> {
    return this.#handles.get(id);
  }
}
