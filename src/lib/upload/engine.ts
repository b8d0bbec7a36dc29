/**
 * The upload engine: one per connection, living where the signing client is
 * (the S3 worker). It owns every upload's state machine, one scheduler for
 * all their requests, persistence after every part, and recovery: network
 * loss waits and continues, refused keys wait for new ones, a reload leaves
 * records that resume after the file is re-attached (ListParts reconciles).
 * DOM-free: runs in a worker and in Node.
 */
import type { S3Client } from '../s3/client';
import { S3Error, abortedError } from '../s3/errors';
import { classify, errorInfo, FileChangedError } from './classify';
import { fingerprint } from './fingerprint';
import { RunningSha256 } from './hashing';
import { complete, createUpload, fillEtags, isUploadGone, putSingle, reconcile, sendMissingParts, shaCatchUp, type UploadContext } from './multipart';
import { planParts, type PlanOptions } from './part-plan';
import { bytesDone, type IntegrityOptions, type UploadRecord } from './record';
import { Scheduler } from './scheduler';
import { Serial, Slots } from './serial';
import { InlineHasher, type PartHasher } from './part-hasher';
import { apply, FINAL, type UploadEvent, type UploadStatus } from './status';
import type { UploadStore } from './store';
import { expectedEtag, singlePutReport, storeSha256, verifyFailed, verifyObject } from './verify';
import { abortIncomplete, listIncomplete, type IncompleteUpload } from './incomplete';
import { diagnoseBucket } from '../s3/diagnose';
import { ChecksumProbes, describeChecksum, type ChecksumSupport } from './checksum-probe';
import { bytesSent, SentBytes } from './progress';

export interface EngineOptions {
  /** The signing client (re-read on every request, so new keys apply at once). */
  client: () => S3Client;
  store: UploadStore;
  integrity?: Partial<IntegrityOptions>;
  /** Requests in flight (small files go this wide). */
  maxConcurrent?: number;
  /** Bytes in flight (big parts are limited by this). */
  maxBytes?: number;
  /** Files worked on at once. */
  maxActiveFiles?: number;
  plan?: PlanOptions;
  /** Engine-level retries of a failing step (the client already retries each request). */
  maxRetries?: number;
  /** Longest wait between attempts while the network is down, ms. */
  maxNetworkWaitMs?: number;
  /** Reads and hashes parts (default: in this thread). */
  hasher?: PartHasher;
  /** Which buckets check `x-amz-checksum-crc32c` (probed once per endpoint and bucket; a seam for tests). */
  checksumProbes?: ChecksumProbes;
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

/** What the page sees of an upload: the record's own fields, plus progress. */
export interface UploadSnapshot extends Pick<UploadRecord, 'id' | 'endpoint' | 'bucket' | 'key' | 'name' | 'size' | 'status' | 'uploadId' | 'etag' | 'verify' | 'error' | 'createdAt' | 'finishedAt'> {
  /** Bytes the store holds. */
  bytesDone: number;
  /**
   * Bytes sent: those the store holds plus how far the requests on the wire
   * have gone (a retried part counted once, so this never goes back while
   * the upload goes on). What progress, speed and time left are shown from.
   */
  bytesSent: number;
  /** Bytes of the parts on the wire now. */
  bytesInFlight: number;
  partsDone: number;
  partCount: number;
  multipart: boolean;
  attached: boolean;
  /** The whole file's SHA-256 (hex), once known. */
  sha256?: string;
  /** Whether `x-amz-checksum-*` headers go with this upload, and why (the store's probe). */
  checksum?: ChecksumSupport;
}

interface Live {
  record: UploadRecord;
  file?: Blob;
  sha?: RunningSha256;
  inFlight: Map<number, number>;
  sent: SentBytes;
  controller?: AbortController;
  running?: Promise<void>;
  /** Reconciled with the store since the file was attached. */
  reconciled: boolean;
  failures: number;
  timer?: ReturnType<typeof setTimeout>;
  saving: Promise<void>;
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

  constructor(options: EngineOptions) {
    this.#o = {
      maxConcurrent: DEFAULT_MAX_CONCURRENT,
      maxBytes: DEFAULT_MAX_BYTES,
      maxActiveFiles: 32,
      maxRetries: 5,
      maxNetworkWaitMs: 15_000,
      newId: () => crypto.randomUUID(),
      hasher: new InlineHasher(),
      checksumProbes: new ChecksumProbes(),
      now: Date.now,
      ...options,
      integrity: { ...DEFAULT_INTEGRITY, ...options.integrity },
      plan: options.plan ?? {},
    };
    this.#scheduler = new Scheduler({ maxConcurrent: this.#o.maxConcurrent, maxBytes: this.#o.maxBytes });
    this.#md5Slots = new Slots(this.#o.hasher.parallel ?? 1);
  }

  get scheduler(): Scheduler {
    return this.#scheduler;
  }

  /** Change defaults for new uploads and the scheduler's limits. */
  configure(options: Pick<EngineOptions, 'integrity' | 'maxConcurrent' | 'maxBytes' | 'maxActiveFiles' | 'plan'>): void {
    if (options.integrity) this.#o.integrity = { ...this.#o.integrity, ...options.integrity };
    if (options.plan) this.#o.plan = { ...this.#o.plan, ...options.plan };
    if (options.maxActiveFiles) this.#o.maxActiveFiles = options.maxActiveFiles;
    this.#scheduler.configure({ maxConcurrent: options.maxConcurrent, maxBytes: options.maxBytes });
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
      this.#lives.set(record.id, this.#newLive(record));
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

  #newLive(record: UploadRecord, file?: Blob): Live {
    return { record, file, inFlight: new Map(), sent: new SentBytes(), reconciled: false, failures: 0, saving: Promise.resolve() };
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
      const live = this.#newLive(record, file);
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
    return live && this.#snap(live);
  }

  snapshots(): UploadSnapshot[] {
    return this.#order.map((id) => this.#snap(this.#lives.get(id)!));
  }

  #snap(live: Live): UploadSnapshot {
    const r = live.record;
    let inFlight = 0;
    for (const b of live.inFlight.values()) inFlight += b;
    const done = r.status === 'done' ? r.size : r.plan.multipart ? bytesDone(r) : r.status === 'verifying' ? r.size : 0;
    return {
      id: r.id,
      endpoint: r.endpoint,
      bucket: r.bucket,
      key: r.key,
      name: r.name,
      size: r.size,
      status: r.status,
      bytesDone: done,
      bytesSent: bytesSent(r.size, done, live.sent.pending(r.parts)),
      bytesInFlight: inFlight,
      partsDone: r.plan.multipart ? r.parts.length : r.status === 'done' || r.status === 'verifying' ? 1 : 0,
      partCount: r.plan.partCount,
      multipart: r.plan.multipart,
      attached: live.file !== undefined,
      uploadId: r.uploadId,
      etag: r.etag,
      sha256: r.sha256?.hex,
      verify: r.verify,
      checksum: r.checksum,
      error: r.error,
      createdAt: r.createdAt,
      finishedAt: r.finishedAt,
    };
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
    live.running = this.#drive(live, controller.signal).finally(() => {
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
      onSlowDown: () => this.#scheduler.backOff(1000),
      changed: () => this.#changed(live.record.id),
      signal,
    };
  }

  async #drive(live: Live, signal: AbortSignal): Promise<void> {
    const r = live.record;
    if (r.status === 'queued') this.#fire(live, 'start');
    else if (r.status === 'waiting-network') this.#fire(live, 'network-back');
    try {
      const here = this.#o.client().endpoint.url;
      if (r.endpoint && r.endpoint !== here) {
        throw new S3Error({ operation: 'Upload', status: 0, code: 'OtherEndpoint', retryable: false, message: `This upload goes to ${r.endpoint}: connect to that store to continue it.` });
      }
      if (r.integrity.sha256 && !live.sha) live.sha = await RunningSha256.create(r.sha256);
      // Decided before anything is sent and then fixed: a multipart upload
      // created with a checksum algorithm must send it with every part.
      if (r.integrity.checksum && !r.checksum && !r.uploadId && !r.completedAt) {
        r.checksum = await this.#o.checksumProbes.get(this.#o.client(), r.bucket);
        if (signal.aborted) throw signal.reason;
      }
      const ctx = this.#ctx(live, signal);
      let singleMd5: string | undefined = r.plan.multipart ? undefined : r.parts[0]?.md5;
      if (!r.completedAt && !r.plan.multipart) {
        singleMd5 = await putSingle(ctx);
        r.parts = [{ n: 1, size: r.size, etag: r.etag, md5: singleMd5 }];
        r.completedAt = this.#o.now();
        this.#fire(live, 'completed');
      } else if (!r.completedAt) {
        if (!r.uploadId) {
          await createUpload(ctx);
          live.reconciled = true;
        } else if (!live.reconciled) {
          try {
            await reconcile(ctx);
          } catch (e) {
            // The upload is gone: maybe because our Complete went through and its answer was lost.
            if (!isUploadGone(e) || !(await this.#alreadyComplete(live, ctx))) throw e;
          }
          live.reconciled = true;
        }
        if (!r.completedAt) {
          await sendMissingParts(ctx);
          await shaCatchUp(ctx, r.plan.partCount);
          await fillEtags(ctx);
          if (r.parts.length !== r.plan.partCount || r.parts.some((p) => !p.etag)) {
            // ListParts showed a part the store does not hold as we sent it: send again.
            await sendMissingParts(ctx);
            await fillEtags(ctx);
          }
          this.#fire(live, 'parts-sent');
          await this.#complete(live, ctx);
          r.completedAt = this.#o.now();
          this.#fire(live, 'completed');
        }
      }
      if (r.status !== 'verifying') this.#fire(live, 'completed');
      await this.#verify(live, ctx, singleMd5);
      live.failures = 0;
    } catch (e) {
      await this.#failed(live, e, signal);
    }
  }

  async #complete(live: Live, ctx: UploadContext): Promise<void> {
    try {
      await complete(ctx);
    } catch (e) {
      // A Complete whose answer was lost is retried by the client and then
      // finds no upload: the object may well be there already. Check it.
      if (!isUploadGone(e) || !(await this.#alreadyComplete(live, ctx))) throw e;
    }
  }

  /** Is the object on the store already, made from exactly our parts (ETag = MD5 of our part MD5s)? */
  async #alreadyComplete(live: Live, ctx: UploadContext): Promise<boolean> {
    const r = live.record;
    const expected = await expectedEtag(r);
    if (!expected) return false;
    try {
      const { report, head } = await verifyObject(ctx.client(), r, { etag: expected }, { signal: ctx.signal });
      if (report.size !== 'ok' || report.etag !== 'ok') return false;
      r.etag = head.etag;
      r.completedAt = this.#o.now();
      if (r.status === 'uploading') this.#fire(live, 'parts-sent');
      await shaCatchUp(ctx, r.plan.partCount);
      return true;
    } catch {
      return false;
    }
  }

  async #verify(live: Live, ctx: UploadContext, singleMd5?: string): Promise<void> {
    const r = live.record;
    const sha256 = live.sha ? (r.sha256?.hex ?? (await live.sha.digestHex())) : undefined;
    if (sha256) r.sha256 = { through: r.plan.partCount, hex: sha256 };
    if (!r.plan.multipart) {
      r.verify = singlePutReport(r, singleMd5, sha256);
      if (r.checksum) r.verify.notes.push(describeChecksum(r.checksum));
      const bad = verifyFailed(r.verify);
      if (bad) {
        // Sent again from the start.
        r.completedAt = undefined;
        r.parts = [];
        live.sent.clear();
        this.#fire(live, 'fail', Object.assign(new Error(bad), { name: 'VerificationFailed' }));
      } else this.#fire(live, 'verified');
      return;
    }
    const client = ctx.client();
    const options = { signal: ctx.signal };
    const etag = await expectedEtag(r, singleMd5);
    // Check the multipart ETag before the metadata copy replaces it with the
    // copy's own; kept, so a verification resumed after the copy does not
    // mistake the copy's ETag for a corrupt object.
    let report = r.verify ?? (await verifyObject(client, r, { etag }, options)).report;
    if (!r.verify && report.size === 'ok' && report.etag !== 'mismatch') {
      r.verify = report;
      await this.#save(live);
    }
    if (sha256 && r.plan.multipart && report.size === 'ok' && report.etag !== 'mismatch') {
      const stored = await storeSha256(client, r, sha256, options);
      const after = await verifyObject(client, r, { sha256 }, options);
      report = { ...report, size: after.report.size, sha256: stored ? after.report.sha256 : 'not-stored', notes: [...report.notes, ...after.report.notes] };
    }
    if (r.checksum && !report.notes.includes(describeChecksum(r.checksum))) report = { ...report, notes: [...report.notes, describeChecksum(r.checksum)] };
    r.verify = report;
    const bad = verifyFailed(report);
    if (bad) {
      // The upload on the server is complete: a retry starts from scratch.
      r.completedAt = undefined;
      r.verify = undefined;
      r.uploadId = undefined;
      r.parts = [];
      r.sha256 = undefined;
      live.sha = undefined;
      live.sent.clear();
      this.#fire(live, 'fail', Object.assign(new Error(bad), { name: 'VerificationFailed' }));
      return;
    }
    this.#fire(live, 'verified');
  }

  async #failed(live: Live, e: unknown, signal: AbortSignal): Promise<void> {
    const r = live.record;
    const kind = classify(e);
    // Parts cut off on the wire may still have been stored: ask the store
    // (ListParts) before sending anything again, so no part is sent twice.
    live.reconciled = false;
    if (signal.aborted && (kind === 'aborted' || r.status === 'paused' || r.status === 'cancelling')) {
      // Paused or cancelled by the user: the status is already set.
      live.sha = undefined;
      await this.#save(live);
      return;
    }
    live.sha = undefined; // rebuilt from the saved state on the next run
    switch (kind) {
      case 'upload-gone':
        // Someone aborted it (or it expired): start a new server upload; the file is still here.
        r.uploadId = undefined;
        r.parts = [];
        r.completedAt = undefined;
        r.verify = undefined;
        live.sent.clear();
        if (++live.failures > this.#o.maxRetries) this.#fire(live, 'fail', e);
        else this.#retryLater(live, 0, 'fail', e);
        return;
      case 'credentials':
        this.#fire(live, 'credentials-refused', e);
        return;
      case 'file':
        live.file = undefined;
        this.#fire(live, 'fail', e instanceof FileChangedError ? e : new FileChangedError(r.name, { cause: e }));
        return;
      case 'network': {
        live.failures++;
        // In a browser, refused keys can look like a network failure (Ceph RGW
        // sends no CORS headers with 403 SignatureDoesNotMatch). Ask the store
        // in ways that need no preflight before waiting any longer.
        if (live.failures === 3) {
          const d = await diagnoseBucket(this.#o.client(), r.bucket).catch(() => undefined);
          if (d?.kind === 'bad-credentials') {
            this.#fire(live, 'credentials-refused', new S3Error({ operation: 'Upload', status: 403, code: 'InvalidCredentials', message: d.detail, bucket: r.bucket, key: r.key }));
            return;
          }
        }
        if (r.status !== 'waiting-network') this.#fire(live, 'network-lost', e);
        else {
          r.error = errorInfo(e);
          await this.#save(live);
        }
        const wait = Math.min(this.#o.maxNetworkWaitMs, 500 * 2 ** Math.min(live.failures, 10));
        this.#retryLater(live, wait);
        return;
      }
      case 'retry':
        if (++live.failures > this.#o.maxRetries) this.#fire(live, 'fail', e);
        else this.#retryLater(live, Math.min(30_000, 1000 * 2 ** live.failures), 'fail', e);
        return;
      default:
        this.#fire(live, 'fail', e);
    }
  }

  /** Run the upload again after `ms` (from waiting-network, or re-queued after a transient error). */
  #retryLater(live: Live, ms: number, via?: UploadEvent, e?: unknown): void {
    if (via) {
      // Transient: record why, stay resumable, come back by itself.
      this.#fire(live, 'backoff', e);
    }
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
      r.uploadId = undefined;
      r.parts = [];
      r.sha256 = undefined;
      r.completedAt = undefined;
      r.verify = undefined;
      live.sent.clear();
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
