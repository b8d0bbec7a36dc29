/**
 * One listing of a bucket prefix, filled page by page from the S3 worker.
 * Rows arrive in batches; the count and total size grow as they come.
 */
import { Comlink, newOpId } from '../rpc/s3';
import type { S3WorkerRemote } from '../rpc/s3';
import type { ListObjectsPage, ObjectSummary } from '../lib/s3/ops/list-objects';
import { S3Error } from '../lib/s3/errors';

export interface FolderRow {
  kind: 'folder';
  prefix: string;
  name: string;
}

export interface ObjectRow extends ObjectSummary {
  kind: 'object';
  name: string;
}

export type Row = FolderRow | ObjectRow;

export class Listing {
  readonly bucket: string;
  readonly prefix: string;
  #rows = $state.raw<Row[]>([]);
  #loading = $state(false);
  #done = $state(false);
  #error = $state<S3Error | Error | null>(null);
  #bytes = $state(0);
  #objects = $state(0);
  #opId = newOpId('list');
  #worker: S3WorkerRemote;

  constructor(worker: S3WorkerRemote, bucket: string, prefix: string) {
    this.#worker = worker;
    this.bucket = bucket;
    this.prefix = prefix;
  }

  get rows(): Row[] {
    return this.#rows;
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
  get objectCount(): number {
    return this.#objects;
  }
  get totalBytes(): number {
    return this.#bytes;
  }

  #add(page: ListObjectsPage): void {
    const cut = this.prefix.length;
    const batch: Row[] = [];
    for (const p of page.prefixes) batch.push({ kind: 'folder', prefix: p, name: p.slice(cut) });
    let bytes = 0;
    for (const o of page.objects) {
      if (o.key === this.prefix) continue; // the folder marker of this prefix itself
      batch.push({ kind: 'object', ...o, name: o.key.slice(cut) });
      bytes += o.size;
    }
    this.#rows = this.#rows.concat(batch);
    this.#objects += batch.length - page.prefixes.length;
    this.#bytes += bytes;
  }

  async load(): Promise<void> {
    this.#loading = true;
    this.#error = null;
    try {
      await this.#worker.s3.list(
        { bucket: this.bucket, prefix: this.prefix || undefined, delimiter: '/' },
        Comlink.proxy((page: ListObjectsPage) => this.#add(page)),
        this.#opId,
      );
      this.#done = true;
    } catch (e) {
      if (!(e instanceof S3Error && e.code === 'Aborted')) this.#error = e as Error;
    } finally {
      this.#loading = false;
    }
  }

  cancel(): void {
    void this.#worker.s3.cancel(this.#opId);
  }
}
