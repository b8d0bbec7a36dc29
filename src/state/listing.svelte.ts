/**
 * One listing of a bucket prefix, filled page by page from the S3 worker.
 * Rows live in a `TableModel` (plain data, not deeply reactive: 100,000 rows
 * must not become 100,000 proxies); `version` ticks when it changes so views
 * re-read only the rows on screen. The count and total size grow as pages come.
 */
import { newOpId, type S3WorkerRemote } from '../rpc/s3';
import { session } from './session.svelte';
import type { ListObjectsPage, ObjectSummary } from '../lib/s3/ops/list-objects';
import { S3Error } from '../lib/s3/errors';
import type { WireProtocol } from '../lib/s3/protocol';
import { TableModel, type FolderRow, type ObjectRow, type SortSpec } from '../lib/explorer/table-model';

export type { FolderRow, ObjectRow, Row, SortKey, SortSpec } from '../lib/explorer/table-model';

/** The first page is small so rows are on screen at once; the rest come 1,000 at a time. */
const FIRST_PAGE_KEYS = 200;

/**
 * What the page itself changed on the store, as soon as it is done: objects
 * written (uploaded, copied, moved, created, edited) and keys or prefixes
 * gone (deleted, moved away). Every action that writes or deletes says so
 * here, and every open listing shows it at once, without listing again.
 */
export interface StoreChange {
  bucket: string;
  /** Objects as they now are on the store (a listing shows them, or the folder they are in). */
  written?: ObjectSummary[];
  /** Keys and prefixes (ending in `/`) that are gone. */
  removed?: string[];
}

const watchers = new Set<(change: StoreChange) => void>();

/** An object as a listing shows it, from what a write or a HEAD said of it (an HTTP date or none: now). */
export function writtenObject(key: string, o: { size: number; etag?: string; lastModified?: string }): ObjectSummary {
  const t = o.lastModified ? Date.parse(o.lastModified) : NaN;
  return { key, size: o.size, etag: o.etag ?? '', lastModified: new Date(Number.isFinite(t) ? t : Date.now()).toISOString() };
}

/** Tell every open listing what changed on the store. */
export function announceChange(change: StoreChange): void {
  if (!change.written?.length && !change.removed?.length) return;
  for (const fn of watchers) fn(change);
}

/** The rows written objects make in a listing of `prefix` (delimiter `/`): its own objects, and the folders deeper keys sit in. */
export function rowsFor(prefix: string, written: readonly ObjectSummary[]): { folders: FolderRow[]; objects: ObjectRow[] } {
  const folders = new Map<string, FolderRow>();
  const objects = new Map<string, ObjectRow>();
  for (const o of written) {
    // The folder marker of this prefix itself is not a row of its listing.
    if (!o.key.startsWith(prefix) || o.key === prefix) continue;
    const rest = o.key.slice(prefix.length);
    const slash = rest.indexOf('/');
    if (slash < 0) objects.set(o.key, { kind: 'object', ...o, name: rest });
    else {
      const name = rest.slice(0, slash + 1);
      folders.set(prefix + name, { kind: 'folder', prefix: prefix + name, name });
    }
  }
  return { folders: [...folders.values()], objects: [...objects.values()] };
}

export class Listing {
  readonly bucket: string;
  readonly prefix: string;
  readonly model = new TableModel();
  #version = $state(0);
  #loading = $state(false);
  #done = $state(false);
  #error = $state<S3Error | Error | null>(null);
  #pages = $state(0);
  #firstRowsAt = $state<number | null>(null);
  #startedAt = 0;
  #finishedAt = $state<number | null>(null);
  #protocol = $state<WireProtocol>('unknown');
  #opId = newOpId('list');
  #worker: S3WorkerRemote;
  /** Changes that came while pages were still arriving (a later page may hold the same keys). */
  #pending: StoreChange[] = [];
  #watch = (change: StoreChange) => this.#change(change);

  constructor(bucket: string, prefix: string, worker: S3WorkerRemote = session.worker) {
    this.#worker = worker;
    this.bucket = bucket;
    this.prefix = prefix;
    watchers.add(this.#watch);
  }

  /** Stop following changes (the view let go of this listing). */
  dispose(): void {
    watchers.delete(this.#watch);
    this.cancel();
  }

  /** Read this in a `$derived` to re-run when rows, sort or filter change. */
  get version(): number {
    return this.#version;
  }
  get loading(): boolean {
    return this.#loading;
  }
  get done(): boolean {
    return this.#done;
  }
  get error(): S3Error | Error | null {
    return this.#error;
  }
  get pages(): number {
    return this.#pages;
  }
  get objectCount(): number {
    void this.#version;
    return this.model.objectCount;
  }
  /** Rows shown after the filter. */
  get shownCount(): number {
    void this.#version;
    return this.model.length;
  }
  get folderCount(): number {
    void this.#version;
    return this.model.folderCount;
  }
  get totalBytes(): number {
    void this.#version;
    return this.model.objectBytes;
  }
  /** Milliseconds from `load()` to the first rows, and to the end (for the status line and the bench). */
  get firstRowsMs(): number | null {
    return this.#firstRowsAt;
  }
  get elapsedMs(): number | null {
    return this.#finishedAt;
  }
  /** The HTTP the store answered the listing over ('unknown' where the browser did not tell). */
  get protocol(): WireProtocol {
    return this.#protocol;
  }
  get sort(): SortSpec {
    void this.#version;
    return this.model.sort;
  }
  get filterText(): string {
    void this.#version;
    return this.model.filterText;
  }

  setSort(sort: SortSpec): void {
    this.model.setSort(sort);
    this.#version++;
  }

  setFilter(text: string): void {
    this.model.setFilter(text);
    this.#version++;
  }

  /** Show a change made from this page: rows written replace or join the listing's, removed ones go. */
  #change(change: StoreChange): void {
    if (change.bucket !== this.bucket) return;
    if (this.#loading) {
      this.#pending.push(change);
      return;
    }
    const { folders, objects } = rowsFor(this.prefix, change.written ?? []);
    const gone = new Set(change.removed ?? []);
    // Written rows replace any they had (an object written again, a folder that was there).
    for (const f of folders) gone.add(f.prefix);
    for (const o of objects) gone.add(o.key);
    if (!gone.size) return;
    this.model.remove(gone);
    this.model.add(folders, objects);
    this.#version++;
  }

  #add(page: ListObjectsPage): void {
    const cut = this.prefix.length;
    const folders: FolderRow[] = page.prefixes.map((p) => ({ kind: 'folder', prefix: p, name: p.slice(cut) }));
    const objects: ObjectRow[] = [];
    for (const o of page.objects) {
      if (o.key === this.prefix) continue; // the folder marker of this prefix itself
      objects.push({ kind: 'object', ...o, name: o.key.slice(cut) });
    }
    this.model.add(folders, objects);
    this.#pages++;
    if (this.#firstRowsAt === null) this.#firstRowsAt = performance.now() - this.#startedAt;
    this.#version++;
  }

  async load(): Promise<void> {
    this.#loading = true;
    this.#done = false;
    this.#error = null;
    this.#pages = 0;
    this.#firstRowsAt = null;
    this.#finishedAt = null;
    this.model.clear();
    this.#version++;
    this.#startedAt = performance.now();
    const input = { bucket: this.bucket, prefix: this.prefix || undefined, delimiter: '/' };
    try {
      const first = await this.#worker.walk.listAhead({ input: { ...input, maxKeys: FIRST_PAGE_KEYS }, onPage: (page: ListObjectsPage) => this.#add(page), opId: this.#opId, maxPages: 1 });
      this.#protocol = first.protocol ?? 'unknown';
      if (first.nextToken) {
        const rest = await this.#worker.walk.listAhead({ input: { ...input, continuationToken: first.nextToken }, onPage: (page: ListObjectsPage) => this.#add(page), opId: this.#opId });
        this.#protocol = rest.protocol ?? this.#protocol;
      }
      this.#done = true;
      this.#finishedAt = performance.now() - this.#startedAt;
    } catch (e) {
      if (!(e instanceof S3Error && e.code === 'Aborted')) this.#error = e as Error;
    } finally {
      this.#loading = false;
      const pending = this.#pending;
      this.#pending = [];
      for (const c of pending) this.#change(c);
    }
  }

  cancel(): void {
    void this.#worker.connection.cancel({ opId: this.#opId });
  }
}
