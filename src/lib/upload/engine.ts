/**
 * The upload engine: one per connection, living where the signing client is
 * (the S3 worker). This file is its registry and API: which uploads exist,
 * in what order, and what the page may do with them (add, pause, resume,
 * cancel, attach, list, snapshot). One scheduler serves all their requests;
 * a record is persisted after every part. A run of one upload is in
 * drive.ts, what follows a failure in recovery.ts (pure) and drive.ts,
 * Complete and the check of the stored object in completion.ts.
 * DOM-free: runs in a worker and in Node.
 */
import type { S3Client } from '../s3/client';
import { abortedError } from '../s3/errors';
import { classify, errorInfo } from './classify';
import { fingerprint } from './fingerprint';
import type { UploadContext } from './multipart';
import { planParts, type PlanOptions } from './part-plan';
import type { IntegrityOptions, UploadRecord } from './record';
import { Scheduler, type LongLimit } from './scheduler';
import { Serial, Slots } from './serial';
import { InlineHasher, type PartHasher } from './part-hasher';
import { apply, FINAL, type UploadEvent, type UploadStatus } from './status';
import type { UploadStore } from './store';
import { abortIncomplete, listIncomplete, type IncompleteUpload } from './incomplete';
import { ChecksumProbes } from './checksum-probe';
import { FormUploads } from './form-uploads';
import { drive, type DriveHost } from './drive';
import { forgetServerUpload, newLive, snapshotOf, type Live, type UploadSnapshot } from './live';

export type { UploadSnapshot } from './live';

export interface EngineOptions {
  /** The signing client (re-read on every request, so new keys apply at once). */
  client: () => S3Client;
  store: UploadStore;
  integrity?: Partial<IntegrityOptions>;
  /** Requests in flight (small files go this wide). */
  maxConcurrent?: number;
  /** Bytes in flight (big parts are limited by this). */
  maxBytes?: number;
  /** Big files and parts in flight at most, beside small files (see `LongLimit`); null: no such limit. */
  long?: LongLimit | null;
  /** Files worked on at once. */
  maxActiveFiles?: number;
  plan?: PlanOptions;
  /**
   * New server uploads started, at most, when ours keeps disappearing
   * (NoSuchUpload). A failing request is not sent again by the engine: the
   * client's retry policy is its one budget (see recovery.ts).
   */
  maxRetries?: number;
  /** Longest wait between attempts while the network is down, ms. */
  maxNetworkWaitMs?: number;
  /** Reads and hashes parts (default: in this thread). */
  hasher?: PartHasher;
  /** Which buckets check `x-amz-checksum-crc32c` (probed once per endpoint and bucket; a seam for tests). */
  checksumProbes?: ChecksumProbes;
  /**
   * Send small files as form uploads (PostObject: no CORS preflight in a
   * browser), falling back to PUT where a bucket refuses them; see
   * form-uploads.ts. Off by default; the app's S3 worker turns it on.
   */
  formUploads?: boolean;
  newId?: () => string;
  now?: () => number;
}

export interface AddFile {
  bucket: string;
  key: string;
  file: Blob;
  /** Name shown to the user (relative path for folders); defaults to the File's name or the key. */
  name?: string;
  contentType?: string;
  lastModified?: number;
  /** A FileSystemFileHandle, kept so the file can be re-attached after a reload. */
  handle?: unknown;
  partSize?: number;
  integrity?: Partial<IntegrityOptions>;
}

/** Statuses a single PUT passes through without being saved (see `#save`). */
const PASSING: ReadonlySet<UploadStatus> = new Set(['uploading', 'completing', 'verifying', 'waiting-network']);
const DEFAULT_INTEGRITY: IntegrityOptions = { md5: true, sha256: true, checksum: true };
const MiB = 1024 * 1024;
/** Requests in flight by default (small files go this wide). */
export const DEFAULT_MAX_CONCURRENT = 16;
/** Bytes of parts in flight by default (big parts are limited by this). */
export const DEFAULT_MAX_BYTES = 256 * MiB;

export class UploadEngine {
  #o: Required<Omit<EngineOptions, 'integrity' | 'plan'>> & { integrity: IntegrityOptions; plan: PlanOptions };
  #lives = new Map<string, Live>();
  #order: string[] = [];
  #scheduler: Scheduler;
  #listeners = new Set<(ids: string[]) => void>();
  #online = true;
  #reads = new Serial();
  #md5Slots: Slots;
  #host: DriveHost;
  /** What each bucket said to form uploads, for this session. */
  readonly formUploads = new FormUploads();

  constructor(options: EngineOptions) {
    this.#o = {
      maxConcurrent: DEFAULT_MAX_CONCURRENT,
      maxBytes: DEFAULT_MAX_BYTES,
      long: null,
      maxActiveFiles: 32,
      maxRetries: 5,
      maxNetworkWaitMs: 15_000,
      newId: () => crypto.randomUUID(),
      hasher: new InlineHasher(),
      checksumProbes: new ChecksumProbes(),
      formUploads: false,
      now: Date.now,
      ...options,
      integrity: { ...DEFAULT_INTEGRITY, ...options.integrity },
      plan: options.plan ?? {},
    };
    this.#scheduler = new Scheduler({ maxConcurrent: this.#o.maxConcurrent, maxBytes: this.#o.maxBytes, long: this.#o.long, onChange: (id) => this.#changed(id) });
    this.#md5Slots = new Slots(this.#o.hasher.parallel ?? 1);
    this.#host = {
      client: () => this.#o.client(),
      checksumProbes: () => this.#o.checksumProbes,
      recovery: () => ({ maxRetries: this.#o.maxRetries, maxNetworkWaitMs: this.#o.maxNetworkWaitMs }),
      now: () => this.#o.now(),
      fire: (live, event, error) => this.#fire(live, event, error),
      save: (live) => this.#save(live),
      context: (live, signal) => this.#ctx(live, signal),
      retryLater: (live, ms, via, e) => this.#retryLater(live, ms, via, e),
    };
  }

  get scheduler(): Scheduler {
    return this.#scheduler;
  }

  /** Change defaults for new uploads and the scheduler's limits. */
  configure(options: Pick<EngineOptions, 'integrity' | 'maxConcurrent' | 'maxBytes' | 'long' | 'maxActiveFiles' | 'plan' | 'formUploads'>): void {
    if (options.formUploads !== undefined) this.#o.formUploads = options.formUploads;
    if (options.integrity) this.#o.integrity = { ...this.#o.integrity, ...options.integrity };
    if (options.plan) this.#o.plan = { ...this.#o.plan, ...options.plan };
    if (options.maxActiveFiles) this.#o.maxActiveFiles = options.maxActiveFiles;
    this.#scheduler.configure({ maxConcurrent: options.maxConcurrent, maxBytes: options.maxBytes, long: options.long });
    this.#pump();
  }

  /** Be told which uploads changed (ids); read them with `snapshot()`. Returns an unsubscribe. */
  subscribe(fn: (ids: string[]) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  #changed(id: string): void {
    for (const fn of this.#listeners) fn([id]);
  }

  /**
   * Load records left by an earlier page: nothing is attached yet, so every
   * unfinished upload waits for its file (or stays paused/failed as it was).
   */
  async restore(): Promise<UploadSnapshot[]> {
    for (const record of await this.#o.store.list()) {
      if (this.#lives.has(record.id)) continue;
      apply(record, 'reloaded');
      this.#lives.set(record.id, newLive(record));
      this.#order.push(record.id);
    }
    this.#order.sort((a, b) => this.#lives.get(a)!.record.createdAt - this.#lives.get(b)!.record.createdAt);
    return this.snapshots();
  }

  #endpoint(): string | undefined {
    try {
      return this.#o.client().endpoint.url;
    } catch {
      return undefined;
    }
  }

  /** Queue files. Throws (before queueing anything) when a file cannot be uploaded to S3, in plain words. */
  async add(files: AddFile[]): Promise<string[]> {
    const now = this.#o.now();
    const batch = this.#o.newId();
    const records: Array<{ record: UploadRecord; file: Blob; handle?: unknown }> = [];
    for (const f of files) {
      const plan = planParts(f.file.size, { ...this.#o.plan, partSize: f.partSize ?? this.#o.plan.partSize });
      const fileName = (f.file as { name?: string }).name;
      const name = f.name ?? fileName ?? f.key;
      records.push({
        file: f.file,
        handle: f.handle,
        record: {
          id: this.#o.newId(),
          endpoint: this.#endpoint(),
          bucket: f.bucket,
          key: f.key,
          name,
          size: f.file.size,
          lastModified: f.lastModified ?? (f.file as { lastModified?: number }).lastModified ?? now,
          contentType: f.contentType || f.file.type || 'application/octet-stream',
          fingerprint: plan.multipart ? await fingerprint(f.file, name) : String(f.file.size),
          plan,
          integrity: { ...this.#o.integrity, ...f.integrity },
          status: 'queued',
          batch: plan.multipart ? undefined : batch,
          parts: [],
          createdAt: now,
          updatedAt: now,
        },
      });
    }
    const writes: Promise<unknown>[] = [];
    for (const { record, file, handle } of records) {
      const live = newLive(record, file);
      this.#lives.set(record.id, live);
      this.#order.push(record.id);
      writes.push(this.#o.store.put(structuredClone(record)));
      if (handle !== undefined && this.#o.store.putHandle) writes.push(this.#o.store.putHandle(record.id, handle).catch(() => undefined));
      this.#changed(record.id);
    }
    await Promise.all(writes);
    this.#pump();
    return records.map((r) => r.record.id);
  }

  snapshot(id: string): UploadSnapshot | undefined {
    const live = this.#lives.get(id);
    return live && snapshotOf(live, this.#scheduler.waiting(id));
  }

  snapshots(): UploadSnapshot[] {
    return this.#order.map((id) => snapshotOf(this.#lives.get(id)!, this.#scheduler.waiting(id)));
  }

  /** The file handle kept for an upload (see `AddFile.handle`), if the store keeps handles. */
  async handle(id: string): Promise<unknown> {
    if (!this.#lives.has(id) || !this.#o.store.getHandle) return undefined;
    return this.#o.store.getHandle(id).catch(() => undefined);
  }

  /** Is any upload in this status? */
  has(status: UploadStatus): boolean {
    for (const live of this.#lives.values()) if (live.record.status === status) return true;
    return false;
  }

  /** The record as persisted (for tests and the incomplete-upload manager). */
  record(id: string): UploadRecord | undefined {
    const r = this.#lives.get(id)?.record;
    return r && structuredClone(r);
  }

  #save(live: Live): Promise<void> {
    live.record.updatedAt = this.#o.now();
    if (!live.record.plan.multipart && PASSING.has(live.record.status)) {
      // A single PUT has nothing to resume: after a reload it needs its file
      // again whether it was queued or on the wire, so the record saved when
      // it was queued says enough until it ends. A folder of thousands of
      // small files then costs two writes a file, not five.
      this.#changed(live.record.id);
      return live.saving;
    }
    const copy = structuredClone(live.record);
    // Writes of one record are chained so an older state never lands last.
    live.saving = live.saving.then(() => this.#o.store.put(copy)).catch(() => undefined);
    this.#changed(copy.id);
    return live.saving;
  }

  /** Apply an event; false when it does not apply in the current status. */
  #fire(live: Live, event: UploadEvent, error?: unknown): boolean {
    const to = apply(live.record, event);
    if (!to) return false;
    if (error !== undefined) live.record.error = errorInfo(error);
    else if (to === 'queued' || to === 'uploading') live.record.error = undefined;
    if (to === 'done' || to === 'cancelled') live.record.finishedAt = this.#o.now();
    void this.#save(live);
    return true;
  }

  /** Start queued uploads while there is room. */
  #pump(): void {
    let active = 0;
    for (const live of this.#lives.values()) if (live.running) active++;
    for (const id of this.#order) {
      if (active >= this.#o.maxActiveFiles) return;
      const live = this.#lives.get(id)!;
      if (live.record.status !== 'queued' || live.running || !this.#online) continue;
      if (!live.file) {
        this.#fire(live, 'file-lost');
        continue;
      }
      active++;
      this.#run(live);
    }
  }

  #run(live: Live): void {
    const controller = new AbortController();
    live.controller = controller;
    live.running = drive(this.#host, live, controller.signal).finally(() => {
      live.running = undefined;
      live.controller = undefined;
      this.#pump();
    });
  }

  #ctx(live: Live, signal: AbortSignal): UploadContext {
    return {
      record: live.record,
      file: live.file!,
      client: this.#o.client,
      scheduler: this.#scheduler,
      sha: live.sha,
      save: () => this.#save(live),
      inFlight: live.inFlight,
      sent: live.sent,
      hasher: this.#o.hasher,
      reads: this.#reads,
      md5Slots: this.#md5Slots,
      formUploads: this.#o.formUploads ? this.formUploads : undefined,
      onSlowDown: () => this.#scheduler.backOff(1000),
      changed: () => this.#changed(live.record.id),
      signal,
    };
  }

  /** Run the upload again after `ms` (from waiting-network, or re-queued after a transient error). */
  #retryLater(live: Live, ms: number, via?: UploadEvent, e?: unknown): void {
    if (via) this.#fire(live, via, e);
    clearTimeout(live.timer);
    live.timer = setTimeout(() => {
      live.timer = undefined;
      const s = live.record.status;
      if (live.running) return;
      if (s === 'waiting-network' && this.#online) this.#run(live);
      else if (s === 'queued') this.#pump();
    }, ms);
  }

  /** Pause one upload (or all). In-flight parts are dropped; the server upload is kept. */
  pause(id?: string): void {
    for (const live of this.#select(id)) {
      if (this.#fire(live, 'pause')) this.#stop(live, 'Paused');
    }
  }

  resume(id?: string): void {
    for (const live of this.#select(id)) {
      if (live.running) continue;
      if (!live.file && live.record.status !== 'done') {
        if (live.record.status !== 'needs-file') this.#fire(live, 'file-lost');
        continue;
      }
      if (this.#fire(live, 'resume')) live.failures = 0;
      else if (live.record.status === 'waiting-network') this.#run(live);
    }
    this.#pump();
  }

  /** Cancel: stop sending and abort the multipart upload on the server, leaving nothing behind. */
  async cancel(id?: string): Promise<void> {
    await Promise.all(
      this.#select(id).map(async (live) => {
        if (!this.#fire(live, 'cancel')) return;
        this.#stop(live, 'Cancel');
        await live.running;
        const r = live.record;
        try {
          if (r.uploadId) await abortIncomplete(this.#o.client(), r.bucket, r.key, r.uploadId);
          r.uploadId = undefined;
          r.parts = [];
          this.#fire(live, 'aborted');
        } catch (e) {
          this.#fire(live, classify(e) === 'credentials' ? 'credentials-refused' : 'fail', e);
        }
      }),
    );
  }

  #stop(live: Live, why: string): void {
    clearTimeout(live.timer);
    live.controller?.abort(abortedError(why));
    this.#scheduler.cancelGroup(live.record.id, abortedError(why));
  }

  /**
   * Give the file back to an upload that lost it (reload). It must be the same
   * file: same size and fingerprint. Throws a plain-words error otherwise.
   */
  async attach(id: string, file: Blob): Promise<void> {
    const live = this.#lives.get(id);
    if (!live) throw new Error('This upload is no longer known.');
    const r = live.record;
    if (file.size !== r.size) throw new Error(`This file is ${file.size} bytes; "${r.name}" was ${r.size} bytes. Pick the same file to resume.`);
    if (r.plan.multipart && (await fingerprint(file, r.name)) !== r.fingerprint) {
      throw new Error(`This file's content differs from "${r.name}" as it was when the upload started. Pick the same file, or cancel and upload the new one.`);
    }
    live.file = file;
    live.reconciled = false;
    live.failures = 0;
    if (r.status === 'failed' && r.error?.code === 'FileChanged') {
      // The old parts hold the earlier content: start over on the server.
      if (r.uploadId) await abortIncomplete(this.#o.client(), r.bucket, r.key, r.uploadId).catch(() => undefined);
      forgetServerUpload(live);
      r.sha256 = undefined;
    }
    if (!this.#fire(live, 'file-attached')) this.#fire(live, 'resume');
    this.#pump();
  }

  /** New keys were entered: continue every upload that stopped on refused credentials. */
  credentialsChanged(): void {
    for (const live of this.#lives.values()) {
      if (live.record.status === 'needs-credentials') this.#fire(live, 'credentials-changed');
    }
    this.#pump();
  }

  /** The browser says the network went away or came back. */
  setOnline(online: boolean): void {
    if (this.#online === online) return;
    this.#online = online;
    if (!online) {
      // Nothing new starts; say so on every upload that is moving.
      this.#scheduler.hold();
      for (const live of this.#lives.values()) if (live.running) this.#fire(live, 'network-lost');
      return;
    }
    this.#scheduler.release();
    for (const live of this.#lives.values()) {
      if (live.record.status !== 'waiting-network') continue;
      if (live.running) this.#fire(live, 'network-back');
      else {
        clearTimeout(live.timer);
        this.#run(live);
      }
    }
    this.#pump();
  }

  /**
   * Forget uploads: with no id, every finished one (done/cancelled); with an
   * id, that one if it is finished or holds nothing on the server.
   */
  async clear(id?: string): Promise<void> {
    for (const live of this.#select(id)) {
      const r = live.record;
      const removable = FINAL.has(r.status) || (id !== undefined && !live.running && !r.uploadId && r.status !== 'cancelling');
      if (!removable) continue;
      this.#lives.delete(r.id);
      this.#order = this.#order.filter((x) => x !== r.id);
      await this.#o.store.delete(r.id);
      this.#changed(r.id);
    }
  }

  /** Incomplete uploads of a bucket, with ours marked (they can be resumed). */
  incomplete(bucket: string, prefix?: string): Promise<IncompleteUpload[]> {
    const ours = new Map<string, string>();
    for (const live of this.#lives.values()) if (live.record.bucket === bucket && live.record.uploadId) ours.set(live.record.uploadId, live.record.id);
    return listIncomplete(this.#o.client(), bucket, ours, { prefix });
  }

  /** Abort an incomplete upload; if it is ours, the upload is cancelled too. */
  async abortIncomplete(bucket: string, key: string, uploadId: string): Promise<void> {
    for (const live of this.#lives.values()) {
      if (live.record.uploadId === uploadId) return this.cancel(live.record.id);
    }
    await abortIncomplete(this.#o.client(), bucket, key, uploadId);
  }

  /** Resolves when nothing is running or queued (for tests and benchmarks). */
  async idle(): Promise<void> {
    for (;;) {
      const busy = [...this.#lives.values()].filter((l) => l.running);
      if (!busy.length && ![...this.#lives.values()].some((l) => l.record.status === 'queued' || (l.record.status === 'waiting-network' && l.timer))) return;
      if (busy.length) await Promise.all(busy.map((l) => l.running));
      else await new Promise((r) => setTimeout(r, 50));
    }
  }

  #select(id?: string): Live[] {
    if (id === undefined) return [...this.#lives.values()];
    const live = this.#lives.get(id);
    return live ? [live] : [];
  }
}

export type { UploadStatus };
