/**
 * The upload engine as the page sees it through comlink: plain-data calls,
 * and one subscriber that receives changed snapshots at most ten times a
 * second (so thousands of small files never flood the page).
 */
import type { S3Client } from '../s3/client';
import { UploadEngine, type AddFile, type EngineOptions, type UploadSnapshot } from './engine';
import type { IncompleteUpload } from './incomplete';
import type { UploadStore } from './store';
import { longTransfers, observedProtocol, parallelism, type WireProtocol } from '../s3/protocol';

export interface UploadUpdate {
  changed: UploadSnapshot[];
  /** Ids no longer known (cleared). */
  removed: string[];
}

export type UploadSettings = Pick<EngineOptions, 'integrity' | 'maxConcurrent' | 'maxBytes' | 'maxActiveFiles' | 'plan' | 'formUploads'>;

export class UploadService {
  #engine: UploadEngine;
  #client: () => S3Client;
  #dirty = new Set<string>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #listener: ((u: UploadUpdate) => void) | undefined;
  #restored: Promise<UploadSnapshot[]>;
  #intervalMs: number;
  #lastClient: S3Client | undefined;
  #keysTimer: ReturnType<typeof setInterval> | undefined;
  /** The connection code calls `connectionChanged()`: no need to watch for new clients. */
  #told = false;
  /** Requests in flight follow the protocol seen (HTTP/2: more) until a setting names a number. */
  #autoConcurrency = true;
  #protocol: WireProtocol = 'unknown';
  #protocolUrl: string | undefined;

  constructor(client: () => S3Client, store: UploadStore, options: Partial<EngineOptions> & { intervalMs?: number } = {}) {
    this.#client = client;
    this.#intervalMs = options.intervalMs ?? 100;
    this.#engine = new UploadEngine({ client, store, ...options });
    this.#engine.subscribe((ids) => {
      for (const id of ids) this.#dirty.add(id);
      this.#schedule();
    });
    // Without IndexedDB (private windows) uploads still work; they just do not survive a reload.
    this.#restored = this.#engine.restore().catch(() => []);
  }

  /** For code in the same worker (benchmarks, tests). */
  get engine(): UploadEngine {
    return this.#engine;
  }

  #schedule(): void {
    if (this.#timer || !this.#listener) return;
    this.#timer = setTimeout(() => this.#flush(), this.#intervalMs);
  }

  #flush(): void {
    this.#timer = undefined;
    const changed: UploadSnapshot[] = [];
    const removed: string[] = [];
    for (const id of this.#dirty) {
      const s = this.#engine.snapshot(id);
      if (s) changed.push(s);
      else removed.push(id);
    }
    this.#dirty.clear();
    this.#watchKeys();
    this.#fitProtocol();
    if (changed.length || removed.length) this.#listener?.({ changed, removed });
    // Keep ticking while bytes are moving, so rates stay fresh between parts.
    if (changed.some((s) => s.bytesInFlight > 0)) {
      for (const s of changed) if (s.bytesInFlight > 0) this.#dirty.add(s.id);
      this.#schedule();
    }
  }

  /**
   * While an upload waits for new keys, notice a new connection (a new client
   * object from `S3Service.connect`) and continue by itself. Only until the
   * connection code tells us (`connectionChanged()`): from then on it always
   * does, and nothing needs to be asked every second.
   */
  #watchKeys(): void {
    // Asked on every flush: a status check, not a snapshot of every upload (thousands in a folder).
    const waiting = !this.#told && this.#engine.has('needs-credentials');
    if (!waiting) {
      clearInterval(this.#keysTimer);
      this.#keysTimer = undefined;
      return;
    }
    this.#keysTimer ??= setInterval(() => {
      let client: S3Client | undefined;
      try {
        client = this.#client();
      } catch {
        return;
      }
      if (this.#lastClient && client !== this.#lastClient) {
        this.#lastClient = client;
        this.#engine.credentialsChanged();
      }
      this.#lastClient = client;
    }, 1000);
  }

  /** Every known upload (restored ones included), and from now on every change. */
  async watch(listener: (u: UploadUpdate) => void): Promise<UploadSnapshot[]> {
    await this.#restored;
    this.#listener = listener;
    return this.#engine.snapshots();
  }

  async list(): Promise<UploadSnapshot[]> {
    await this.#restored;
    return this.#engine.snapshots();
  }

  async add(files: AddFile[]): Promise<string[]> {
    await this.#restored;
    try {
      this.#lastClient ??= this.#client();
    } catch {
      /* not connected: the engine says so per upload */
    }
    this.#fitProtocol();
    return this.#engine.add(files);
  }

  configure(settings: UploadSettings): void {
    if (settings.maxConcurrent) this.#autoConcurrency = false;
    this.#engine.configure(settings);
  }

  /**
   * HTTP/2 multiplexes: more small files and parts in flight (the bytes in
   * flight stay bounded by `maxBytes`). Over HTTP/1.1 Chromium opens 6
   * connections per host: as many requests, at most 4 of them long (see
   * `parallelism` and `longTransfers`).
   */
  #fitProtocol(): void {
    if (!this.#autoConcurrency) return;
    let url: string;
    try {
      url = this.#client().endpoint.url;
    } catch {
      return;
    }
    // Once seen, an endpoint's protocol stays: the timing entries are not read again on every flush.
    if (url === this.#protocolUrl && this.#protocol !== 'unknown') return;
    const p = observedProtocol(url);
    if (p === 'unknown') return;
    this.#protocolUrl = url;
    if (p === this.#protocol) return;
    this.#protocol = p;
    const n = parallelism(p, 'transfer');
    this.#engine.configure({ maxConcurrent: n, long: longTransfers(p), maxActiveFiles: Math.max(32, 2 * n) });
  }

  pause(id?: string): void {
    this.#engine.pause(id);
  }

  resume(id?: string): void {
    this.#engine.resume(id);
  }

  cancel(id?: string): Promise<void> {
    return this.#engine.cancel(id);
  }

  attach(id: string, file: Blob): Promise<void> {
    return this.#engine.attach(id, file);
  }

  clear(id?: string): Promise<void> {
    return this.#engine.clear(id);
  }

  credentialsChanged(): void {
    this.#lastClient = undefined;
    this.#engine.credentialsChanged();
  }

  /**
   * The S3 worker's connection changed (connected, new keys, disconnected):
   * uploads that stopped on refused keys try again with the new client. The
   * connection code calls this on every change, so waiting uploads need no
   * polling for it.
   */
  connectionChanged(): void {
    this.#told = true;
    clearInterval(this.#keysTimer);
    this.#keysTimer = undefined;
    try {
      this.#lastClient = this.#client();
    } catch {
      // Disconnected: nothing can continue until the next connection.
      this.#lastClient = undefined;
      return;
    }
    this.#engine.credentialsChanged();
  }

  /**
   * The file handle kept for an upload (a FileSystemFileHandle where the
   * browser gave one), so the page can ask for permission and re-attach the
   * file without opening the uploads' database itself.
   */
  async handle(id: string): Promise<unknown> {
    return this.#engine.handle(id);
  }

  setOnline(online: boolean): void {
    this.#engine.setOnline(online);
  }

  incomplete(bucket: string, prefix?: string): Promise<IncompleteUpload[]> {
    return this.#engine.incomplete(bucket, prefix);
  }

  abortIncomplete(bucket: string, key: string, uploadId: string): Promise<void> {
    return this.#engine.abortIncomplete(bucket, key, uploadId);
  }

  /** Resolves when no upload is running or queued. */
  idle(): Promise<void> {
    return this.#engine.idle();
  }
}
