/**
 * The transfer queue as the UI shows it: snapshots pushed by the upload
 * engine in the S3 worker (at most ten a second), with speeds and times left
 * worked out here from how bytes sent grow. A finished upload is announced
 * to the open listings at once. The page only passes File handles to the
 * worker; it never reads file bytes and never sees a credential.
 */
import { Comlink, type S3WorkerRemote } from '../rpc/s3';
import type { UploadUpdate } from '../lib/upload/service';
import type { UploadSnapshot } from '../lib/upload/engine';
import type { IncompleteUpload } from '../lib/upload/incomplete';
import type { IntegrityOptions } from '../lib/upload/record';
import type { UploadStatus } from '../lib/upload/status';
import { RateMeter, timeLeft } from '../lib/upload/progress';
import type { ObjectSummary } from '../lib/s3/ops/list-objects';
import { announceChange } from './listing.svelte';

/** A file chosen by the user, with where it goes relative to the target prefix. */
export interface PickedFile {
  file: File;
  /** Relative path for folder uploads (`data.zarr/0.0`); the file name otherwise. */
  path: string;
  /** FileSystemFileHandle, where the browser gives one (kept for re-attaching after a reload). */
  handle?: unknown;
}

/** Words for each status, for the queue. */
export const STATUS_LABEL: Record<UploadStatus, string> = {
  queued: 'Queued',
  uploading: 'Uploading',
  completing: 'Completing',
  verifying: 'Verifying',
  done: 'Done',
  paused: 'Paused',
  'waiting-network': 'Waiting for network',
  'needs-file': 'Needs file re-attached',
  'needs-credentials': 'Needs valid keys',
  failed: 'Failed',
  cancelling: 'Cancelling',
  cancelled: 'Cancelled',
};

const RUNNING: ReadonlySet<UploadStatus> = new Set(['queued', 'uploading', 'completing', 'verifying', 'waiting-network']);

/** Join the target prefix and a relative path into a key (slashes normalised, no empty segments). */
export function keyFor(prefix: string, path: string): string {
  const rel = path.replace(/\\/g, '/').split('/').filter((s) => s !== '' && s !== '.').join('/');
  return prefix + rel;
}

export class Uploads {
  #worker: S3WorkerRemote;
  #items = $state.raw<UploadSnapshot[]>([]);
  #rates = $state.raw<Record<string, number>>({});
  #overallRate = $state(0);
  #error = $state<string | null>(null);
  #meters = new Map<string, RateMeter>();
  #overall = new RateMeter();
  /** Uploads known to be done (announced, or done before this page). */
  #finished = new Set<string>();
  #started: Promise<void> | undefined;

  constructor(worker: S3WorkerRemote) {
    this.#worker = worker;
  }

  /** Subscribe to the engine (idempotent); restores uploads left by an earlier page. */
  start(): Promise<void> {
    this.#started ??= this.#worker.upload.watch(Comlink.proxy((u: UploadUpdate) => this.#apply(u))).then((all) => {
      // Uploads finished before this page are in its listings already.
      for (const s of all) if (s.status === 'done') this.#finished.add(s.id);
      this.#items = all;
    });
    return this.#started;
  }

  get items(): UploadSnapshot[] {
    return this.#items;
  }
  /** Last error of an action (add, attach) in plain words. */
  get error(): string | null {
    return this.#error;
  }

  rate(id: string): number {
    return this.#rates[id] ?? 0;
  }

  /** Seconds left for one upload at its speed; undefined while it has none. */
  eta(item: UploadSnapshot): number | undefined {
    return RUNNING.has(item.status) ? timeLeft(item.size - item.bytesSent, this.rate(item.id)) : undefined;
  }

  /** Sum over unfinished uploads (and those finished in this session). */
  get totals(): { files: number; active: number; waiting: number; size: number; done: number; sent: number; inFlight: number; rate: number; eta?: number } {
    let size = 0;
    let done = 0;
    let sent = 0;
    let inFlight = 0;
    let active = 0;
    let waiting = 0;
    for (const s of this.#items) {
      if (s.status === 'cancelled') continue;
      size += s.size;
      done += s.bytesDone;
      sent += s.bytesSent;
      inFlight += s.bytesInFlight;
      if (RUNNING.has(s.status)) active++;
      if (s.waiting) waiting++;
    }
    const rate = this.#overallRate;
    return { files: this.#items.length, active, waiting, size, done, sent, inFlight, rate, eta: active ? timeLeft(size - sent, rate) : undefined };
  }

  #apply(u: UploadUpdate): void {
    const now = performance.now();
    const byId = new Map(this.#items.map((s) => [s.id, s]));
    const rates = { ...this.#rates };
    const finished = new Map<string, ObjectSummary[]>();
    for (const s of u.changed) {
      // Told by id, not by a change of status seen here: a small file can be
      // queued and done between two updates, and the page never sees it run.
      if (s.status === 'done' && !this.#finished.has(s.id)) {
        this.#finished.add(s.id);
        const list = finished.get(s.bucket) ?? [];
        list.push({ key: s.key, size: s.size, etag: s.etag ?? '', lastModified: new Date(s.finishedAt ?? Date.now()).toISOString() });
        finished.set(s.bucket, list);
      }
      byId.set(s.id, s);
      let meter = this.#meters.get(s.id);
      if (!meter) this.#meters.set(s.id, (meter = new RateMeter()));
      if (RUNNING.has(s.status)) rates[s.id] = meter.add(now, s.bytesSent);
      else {
        meter.reset();
        rates[s.id] = 0;
      }
    }
    for (const id of u.removed) {
      byId.delete(id);
      delete rates[id];
      this.#meters.delete(id);
      this.#finished.delete(id);
    }
    const order = this.#items.map((s) => s.id).filter((id) => byId.has(id));
    const known = new Set(order);
    for (const s of u.changed) if (!known.has(s.id)) order.push(s.id);
    this.#items = order.map((id) => byId.get(id)!);
    this.#rates = rates;
    let total = 0;
    let running = false;
    for (const s of this.#items) {
      if (s.status === 'cancelled') continue;
      total += s.bytesSent;
      running ||= RUNNING.has(s.status);
    }
    if (running) this.#overallRate = this.#overall.add(now, total);
    else {
      this.#overall.reset();
      this.#overallRate = 0;
    }
    for (const [bucket, written] of finished) announceChange({ bucket, written });
  }

  async #act(fn: () => Promise<unknown>): Promise<boolean> {
    this.#error = null;
    try {
      await fn();
      return true;
    } catch (e) {
      this.#error = e instanceof Error ? e.message : String(e);
      return false;
    }
  }

  /** Queue files for `bucket` under `prefix`, keeping relative paths as keys. */
  add(bucket: string, prefix: string, files: PickedFile[], integrity?: Partial<IntegrityOptions>): Promise<boolean> {
    if (!files.length) return Promise.resolve(true);
    return this.#act(async () => {
      await this.start();
      await this.#worker.upload.add(files.map((f) => ({ bucket, key: keyFor(prefix, f.path), file: f.file, name: f.path, handle: f.handle, integrity })));
    });
  }

  pause(id?: string): Promise<boolean> {
    return this.#act(() => this.#worker.upload.pause(id));
  }
  resume(id?: string): Promise<boolean> {
    return this.#act(() => this.#worker.upload.resume(id));
  }
  cancel(id?: string): Promise<boolean> {
    return this.#act(() => this.#worker.upload.cancel(id));
  }
  /** Remove finished uploads from the list (or one upload that holds nothing on the store). */
  clear(id?: string): Promise<boolean> {
    return this.#act(() => this.#worker.upload.clear(id));
  }
  attach(id: string, file: File): Promise<boolean> {
    return this.#act(() => this.#worker.upload.attach(id, file));
  }

  /**
   * Re-attach with the handle kept from the drop or picker, when the browser
   * gave one: asks for read permission (needs the user's click) and reads no
   * bytes here. False when there is no usable handle: ask the user to pick.
   */
  async reattachFromHandle(id: string): Promise<boolean> {
    type Handle = { getFile(): Promise<File>; requestPermission?(o: { mode: string }): Promise<string> };
    let handle: Handle | undefined;
    try {
      // Kept by the upload engine in the S3 worker, which alone opens the uploads' database.
      handle = (await this.#worker.upload.handle(id)) as Handle | undefined;
    } catch {
      return false;
    }
    if (!handle || typeof handle.getFile !== 'function') return false;
    try {
      if (handle.requestPermission && (await handle.requestPermission({ mode: 'read' })) !== 'granted') return false;
      return this.attach(id, await handle.getFile());
    } catch {
      return false;
    }
  }

  incomplete(bucket: string): Promise<IncompleteUpload[]> {
    return this.#worker.upload.incomplete(bucket);
  }

  abortIncomplete(bucket: string, key: string, uploadId: string): Promise<void> {
    return this.#worker.upload.abortIncomplete(bucket, key, uploadId);
  }

  setIntegrity(integrity: Partial<IntegrityOptions>): Promise<boolean> {
    return this.#act(() => this.#worker.upload.configure({ integrity }));
  }
}

const instances = new WeakMap<object, Uploads>();

/** The one queue for this S3 worker. */
export function uploadsFor(worker: S3WorkerRemote): Uploads {
  let u = instances.get(worker);
  if (!u) {
    u = new Uploads(worker);
    instances.set(worker, u);
  }
  return u;
}
