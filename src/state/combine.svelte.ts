/**
 * "Open as one dataset": NetCDF/HDF5 objects picked in a listing, scanned a
 * few at once in the Zarr worker (their dimensions read by byte ranges), a
 * dimension to combine them along chosen (by default the time dimension all
 * of them share), and the combined dataset opened by its route
 * (`#/dataset/<bucket>/<folder>?refs=combine&file=…&dim=…`).
 *
 * The worker that scanned is handed on to the dataset view (it remembers the
 * files it scanned), so opening does not read them again.
 */
import { Comlink, takeZarrWorker, type ZarrWorker } from '../rpc/zarr';
import type { S3WorkerRemote } from '../rpc/s3';
import { defaultConcatDim, type FileDimensions } from '../lib/refs/combine';
import { looksLikeNetcdfName } from '../lib/hdf5/sniff';
import { publicStoreUrl, type DatasetSource } from '../lib/zarr/address';
import type { Route } from './router.svelte';

export type CombineStatus = 'scanning' | 'ready' | 'error' | 'cancelled';

/** The names, relative to `prefix`, of the keys that look like NetCDF/HDF5 files directly in it (sorted). */
export function combinableNames(prefix: string, keys: string[]): string[] {
  return keys
    .filter((k) => k.startsWith(prefix) && !k.slice(prefix.length).includes('/') && looksLikeNetcdfName(k))
    .map((k) => k.slice(prefix.length))
    .sort();
}

export class CombineState {
  readonly bucket: string;
  /** The folder the files are in ("" or "a/b/"). */
  readonly prefix: string;
  readonly files: string[];
  #status = $state<CombineStatus>('scanning');
  #done = $state(0);
  #error = $state<string | null>(null);
  #dims = $state.raw<FileDimensions[]>([]);
  /** The dimension to combine along (the default once scanned; the user may change it). */
  dim = $state('');
  #worker: ZarrWorker | null = null;

  constructor(bucket: string, prefix: string, files: string[]) {
    this.bucket = bucket;
    this.prefix = prefix;
    this.files = files;
  }

  get status(): CombineStatus {
    return this.#status;
  }
  /** Files scanned so far. */
  get done(): number {
    return this.#done;
  }
  get error(): string | null {
    return this.#error;
  }
  /** Dimensions every file has, with each file's length ("time": [12, 12, 7]). */
  get common(): { name: string; lengths: number[] }[] {
    const first = this.#dims[0];
    if (!first) return [];
    return first.order.filter((d) => this.#dims.every((f) => d in f.dims)).map((name) => ({ name, lengths: this.#dims.map((f) => f.dims[name]!) }));
  }

  /** Where the files are read from: the S3 worker with keys, or their public URL without. */
  source(anonymousEndpoint: string | null): DatasetSource {
    const folder = this.prefix.replace(/\/+$/, '');
    const combine = { files: this.files, dim: this.dim };
    return anonymousEndpoint ? { kind: 'url', url: publicStoreUrl(anonymousEndpoint, this.bucket, folder), refs: 'combine', combine } : { kind: 's3', bucket: this.bucket, path: folder, refs: 'combine', combine };
  }

  /** The route of the combined dataset. */
  get route(): Route {
    return { name: 'dataset', bucket: this.bucket, path: this.prefix.replace(/\/+$/, ''), refs: 'combine', combine: { files: this.files, dim: this.dim } };
  }

  /**
   * Scan every file in the Zarr worker. `s3` signs the reads of a private
   * bucket; `anonymousEndpoint` is the endpoint of an anonymous connection.
   */
  async scan(s3: S3WorkerRemote | null, anonymousEndpoint: string | null): Promise<void> {
    this.#status = 'scanning';
    this.#error = null;
    this.#done = 0;
    let port: MessagePort | null = null;
    if (!anonymousEndpoint) {
      if (!s3) return this.#fail('Connect to the store first.');
      const channel = new MessageChannel();
      s3.attachReader(Comlink.transfer(channel.port1, [channel.port1])).catch((e: unknown) => this.#fail(`The signing worker could not serve reads: ${(e as Error).message}`));
      port = channel.port2;
    }
    this.#worker ??= takeZarrWorker();
    let r: Awaited<ReturnType<ZarrWorker['remote']['scanFiles']>>;
    try {
      const source = this.source(anonymousEndpoint);
      r = await this.#worker.remote.scanFiles(source, port ? Comlink.transfer(port, [port]) : null, Comlink.proxy((done: number) => void (this.#done = done)));
    } catch (e) {
      return this.#fail(`The Zarr worker failed while reading the files: ${(e as Error).message}`);
    }
    // Cancelled meanwhile (the getter reads the live status, which TypeScript narrowed above).
    if (this.status === 'cancelled') return;
    if ('error' in r) return this.#fail(r.error.message);
    this.#dims = r.files.map((f) => f.dims);
    this.dim = defaultConcatDim(this.#dims) ?? '';
    if (!this.dim) return this.#fail('These files have no dimension in common.');
    this.#status = 'ready';
  }

  cancel(): void {
    if (this.#status !== 'scanning') return;
    this.#status = 'cancelled';
    void this.#worker?.remote.cancelScan();
  }

  /**
   * The panel is done: the worker goes back as the spare, so the dataset view
   * opened next takes it with the files it has scanned.
   */
  release(): void {
    this.#worker?.release(this.#status !== 'scanning');
    this.#worker = null;
  }

  #fail(message: string): void {
    if (this.#status === 'cancelled') return;
    this.#error = message;
    this.#status = 'error';
  }
}
