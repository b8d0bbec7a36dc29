/**
 * An upload store that keeps records durably (IndexedDB) or, when the app
 * shares its origin with the store's objects, only in memory: there any HTML
 * object could read or edit what is kept in the origin's storage. Switching
 * moves the records (and file handles) across, so nothing in flight is lost
 * and nothing is left behind on disk.
 */
import { MemoryUploadStore, type UploadStore } from './store';
import type { UploadRecord } from './record';

export class SwitchableUploadStore implements UploadStore {
  #durable: UploadStore;
  #memory = new MemoryUploadStore();
  #persist = true;

  constructor(durable: UploadStore) {
    this.#durable = durable;
  }

  get persistent(): boolean {
    return this.#persist;
  }

  get #s(): UploadStore {
    return this.#persist ? this.#durable : this.#memory;
  }

  /** Keep records durably or in memory only, moving what is there now. */
  async setPersistent(persist: boolean): Promise<void> {
    if (persist === this.#persist) return;
    const from = this.#s;
    const to = persist ? this.#durable : this.#memory;
    for (const r of await from.list()) {
      await to.put(r);
      const handle = await from.getHandle?.(r.id);
      if (handle !== undefined) await to.putHandle?.(r.id, handle);
      await from.delete(r.id);
    }
    this.#persist = persist;
  }

  list(): Promise<UploadRecord[]> {
    return this.#s.list();
  }
  get(id: string): Promise<UploadRecord | undefined> {
    return this.#s.get(id);
  }
  put(record: UploadRecord): Promise<void> {
    return this.#s.put(record);
  }
  delete(id: string): Promise<void> {
    return this.#s.delete(id);
  }
  async putHandle(id: string, handle: unknown): Promise<void> {
    await this.#s.putHandle?.(id, handle);
  }
  async getHandle(id: string): Promise<unknown> {
    return this.#s.getHandle?.(id);
  }
}
