/**
 * Upload records in IndexedDB (works in a window and in a worker). Records
 * hold no credential and no file bytes; handles are FileSystemFileHandles
 * (kept by Chromium across reloads, re-permitted on use), never File copies,
 * since storing a File would copy the whole file into the browser profile.
 */
import type { UploadRecord } from './record';
import type { UploadStatus } from './status';
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

/** Opened by the upload engine's store only (in the S3 worker): the page gets snapshots and handles from there. */
function openUploadDb(name = DB): Promise<IDBDatabase> {
  const open = indexedDB.open(name, 1);
  open.onupgradeneeded = () => {
    const db = open.result;
    if (!db.objectStoreNames.contains(RECORDS)) db.createObjectStore(RECORDS, { keyPath: 'id' });
    if (!db.objectStoreNames.contains(HANDLES)) db.createObjectStore(HANDLES);
  };
  return req(open);
}

/** Records of one batch of small files, kept as one IndexedDB value. */
interface BatchValue {
  id: string;
  batch: true;
  records: UploadRecord[];
}

const BATCH_PREFIX = 'batch:';
/** Statuses in which a file waits for nothing but the user. */
const AT_REST: ReadonlySet<UploadStatus> = new Set(['done', 'cancelled', 'failed', 'paused', 'needs-file', 'needs-credentials']);

function isBatch(v: unknown): v is BatchValue {
  return typeof v === 'object' && v !== null && (v as BatchValue).batch === true;
}

/**
 * Writes are gathered for a few milliseconds and committed in one
 * transaction: a folder of thousands of small files would otherwise cost a
 * transaction per status change. A record lost in that window is harmless:
 * ListParts reconciliation adopts parts the store has.
 *
 * Records of files sent in one PUT that were added together (`batch`) are
 * kept as ONE value: measured in Chromium, every IndexedDB put costs the
 * browser process about a millisecond of CPU whatever the batching, which
 * for a 398-file Zarr folder was a fifth of the upload's CPU. Such a value
 * is written at most every `batchDelayMs`; a single PUT lost in that window
 * is cheap to redo.
 */
export class IdbUploadStore implements UploadStore {
  #db: Promise<IDBDatabase>;
  #pending = new Map<string, UploadRecord | BatchValue | null>();
  #flush: Promise<void> | undefined;
  #delayMs: number;
  #batchDelayMs: number;
  /** Batches as last read or written, by batch id; and which batch holds a record. */
  #batches = new Map<string, Map<string, UploadRecord>>();
  #batchOf = new Map<string, string>();
  #dirtyBatches = new Set<string>();
  /** Per batch, the records not yet at rest. */
  #moving = new Map<string, Set<string>>();
  #batchFlush: Promise<void> | undefined;
  /** Batches written at least once (later writes wait longer, see `#batchDelay`). */
  #written = new Set<string>();

  constructor(name = DB, delayMs = 20, batchDelayMs = 500) {
    this.#db = openUploadDb(name);
    this.#delayMs = delayMs;
    this.#batchDelayMs = batchDelayMs;
  }

  #write(id: string, value: UploadRecord | BatchValue | null): Promise<void> {
    this.#pending.set(id, value);
    this.#flush ??= new Promise<void>((resolve) => setTimeout(resolve, this.#delayMs)).then(async () => {
      const batch = [...this.#pending];
      this.#pending.clear();
      this.#flush = undefined;
      const tx = (await this.#db).transaction([RECORDS, HANDLES], 'readwrite');
      for (const [key, r] of batch) {
        if (r) tx.objectStore(RECORDS).put(r);
        else {
          tx.objectStore(RECORDS).delete(key);
          if (!key.startsWith(BATCH_PREFIX)) tx.objectStore(HANDLES).delete(key);
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

  /**
   * Write the batches that changed (one value each): after `batchDelayMs`
   * while files are moving, at once when every file of the batch has come to
   * rest (so closing the tab just after a folder finished loses nothing).
   */
  #touchBatch(batchId: string): Promise<void> {
    this.#dirtyBatches.add(batchId);
    if (!this.#moving.get(batchId)?.size) return this.#writeBatches();
    this.#batchFlush ??= new Promise<void>((resolve) => setTimeout(resolve, this.#batchDelay(batchId))).then(() => {
      this.#batchFlush = undefined;
      return this.#writeBatches();
    });
    return this.#batchFlush;
  }

  /**
   * How long a moving batch's changes wait: `batchDelayMs` for its first
   * write (a reload just after queueing a folder keeps the list), then
   * longer as the batch grows (`batchDelayMs` per 100 records), so that
   * rewriting the one value costs about as much per second for a folder of
   * thousands as for one of a hundred, up to ten times `batchDelayMs` (5 s).
   * A file whose end is lost in that window is sent again after a reload;
   * the batch's last file coming to rest writes it at once.
   */
  #batchDelay(batchId: string): number {
    if (!this.#written.has(batchId)) return this.#batchDelayMs;
    const grown = ((this.#batches.get(batchId)?.size ?? 0) * this.#batchDelayMs) / 100;
    return Math.min(10 * this.#batchDelayMs, Math.max(this.#batchDelayMs, grown));
  }

  #writeBatches(): Promise<void> {
    const writes: Promise<void>[] = [];
    for (const b of this.#dirtyBatches) {
      this.#written.add(b);
      const records = [...(this.#batches.get(b)?.values() ?? [])];
      const key = BATCH_PREFIX + b;
      writes.push(this.#write(key, records.length ? { id: key, batch: true, records } : null));
      if (!records.length) {
        this.#batches.delete(b);
        this.#moving.delete(b);
        this.#written.delete(b);
      }
    }
    this.#dirtyBatches.clear();
    return Promise.all(writes).then(() => undefined);
  }

  async list(): Promise<UploadRecord[]> {
    await this.#batchFlush?.catch(() => undefined);
    await this.#flush?.catch(() => undefined);
    const values = await req((await this.#store(RECORDS, 'readonly')).getAll() as IDBRequest<Array<UploadRecord | BatchValue>>);
    const out: UploadRecord[] = [];
    for (const v of values) {
      if (!isBatch(v)) {
        out.push(v);
        continue;
      }
      const b = v.id.slice(BATCH_PREFIX.length);
      const map = new Map(v.records.map((r) => [r.id, r]));
      this.#batches.set(b, map);
      const moving = new Set<string>();
      for (const r of v.records) {
        this.#batchOf.set(r.id, b);
        if (!AT_REST.has(r.status)) moving.add(r.id);
        out.push(r);
      }
      this.#moving.set(b, moving);
    }
    return out;
  }
  async get(id: string): Promise<UploadRecord | undefined> {
    const b = this.#batchOf.get(id);
    if (b) return this.#batches.get(b)?.get(id);
    const pending = this.#pending.get(id);
    if (pending !== undefined) return pending && !isBatch(pending) ? pending : undefined;
    return req((await this.#store(RECORDS, 'readonly')).get(id) as IDBRequest<UploadRecord | undefined>);
  }
  put(record: UploadRecord): Promise<void> {
    if (record.batch) {
      let map = this.#batches.get(record.batch);
      if (!map) this.#batches.set(record.batch, (map = new Map()));
      map.set(record.id, record);
      this.#batchOf.set(record.id, record.batch);
      let moving = this.#moving.get(record.batch);
      if (!moving) this.#moving.set(record.batch, (moving = new Set()));
      if (AT_REST.has(record.status)) moving.delete(record.id);
      else moving.add(record.id);
      // Not awaited: nobody should wait half a second to start a small file (`list()` waits for it).
      this.#touchBatch(record.batch).catch(() => undefined);
      return Promise.resolve();
    }
    return this.#write(record.id, record);
  }
  delete(id: string): Promise<void> {
    const b = this.#batchOf.get(id);
    if (b) {
      this.#batchOf.delete(id);
      this.#batches.get(b)?.delete(id);
      this.#moving.get(b)?.delete(id);
      // Its handle, if any, is stored under its own id.
      void this.#store(HANDLES, 'readwrite').then((s) => s.delete(id)).catch(() => undefined);
      this.#touchBatch(b).catch(() => undefined);
      return Promise.resolve();
    }
    return this.#write(id, null);
  }
  async putHandle(id: string, handle: unknown): Promise<void> {
    await req((await this.#store(HANDLES, 'readwrite')).put(handle, id));
  }
  async getHandle(id: string): Promise<unknown> {
    return req((await this.#store(HANDLES, 'readonly')).get(id));
  }
}
