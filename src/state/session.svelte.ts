/**
 * The connection the page works with. Credentials go straight to the S3
 * worker and are dropped here: this class only keeps what is safe to show
 * (endpoint, anonymous or not, an access key hint) and what the check made
 * at Connect found.
 */
import { startS3Worker, type CheckedConnection, type ConnectionInfo, type ConnectionSettings, type S3WorkerRemote, type SealedSettings } from '../rpc/s3';
import { sharedOrigin, type SharedOrigin } from '../lib/creds/same-origin';
import { blocksConnect, type ConnectionCheck } from '../lib/s3/diagnose';
import { forgetBucket, rememberBucket, rememberedBuckets } from '../lib/remembered';
import type { SealedSecret } from '../lib/creds/vault';
import { resolveEndpoint } from '../lib/s3/endpoint';
import { preconnect } from './preconnect';

export type { StagedImport, StagedProfile } from '../rpc/s3';

const IDLE_KEY = 'tessera.idleLockMinutes';
const INSIST_KEY = 'tessera.sharedOrigin.keepState';
/** Forget the keys after this long without a click or key press, unless the user chose otherwise. */
export const DEFAULT_IDLE_MINUTES = 30;
/** User activity restarts the worker's idle clock at most this often. */
const TOUCH_EVERY_MS = 15_000;

/**
 * Started alongside a connection's check (see `Session.connect`) with the S3
 * worker and the settings being checked; returns how to cancel it.
 */
export type Alongside = (s3: S3WorkerRemote, settings: ConnectionSettings) => (() => void) | undefined;

/** Why the keys are gone though the user did not disconnect. */
export interface LockState {
  endpoint: string;
  minutes: number;
}

class Session {
  #worker: S3WorkerRemote | null = null;
  #info = $state<ConnectionInfo | null>(null);
  #check = $state<ConnectionCheck | null>(null);
  #buckets = $state<string[]>([]);
  #locked = $state<LockState | null>(null);
  /** Checks of connections in flight (`connect`). */
  #checking = $state(0);
  #idleMinutes = $state(readIdleMinutes());
  #lastTouch = 0;
  #insist = $state(typeof localStorage !== 'undefined' && typeof location !== 'undefined' && localStorage.getItem(INSIST_KEY) === location.origin);

  /** The S3 worker (started on first use), with the idle lock set and user activity reported. */
  get worker(): S3WorkerRemote {
    if (!this.#worker) {
      this.#worker = startS3Worker().remote;
      void this.#worker.vault.setIdleLock({ minutes: this.#idleMinutes, onLock: () => this.#onLock() });
      if (typeof window !== 'undefined') {
        for (const type of ['pointerdown', 'keydown', 'wheel']) window.addEventListener(type, () => this.#touch(), { passive: true, capture: true });
      }
    }
    return this.#worker;
  }

  #touch(): void {
    const now = Date.now();
    if (!this.#worker || !this.#info || now - this.#lastTouch < TOUCH_EVERY_MS) return;
    this.#lastTouch = now;
    void this.#worker.vault.touch();
  }

  /** The worker forgot the keys after the idle time: the page asks for them again. */
  #onLock(): void {
    if (!this.#info || this.#info.anonymous) return;
    this.#locked = { endpoint: this.#info.endpoint.url, minutes: this.#idleMinutes };
    this.#info = null;
    this.#check = null;
  }

  /** Set when the idle lock forgot the keys (cleared by the next connect). */
  get locked(): LockState | null {
    return this.#locked;
  }

  get idleMinutes(): number {
    return this.#idleMinutes;
  }

  /** Choose the idle lock (0: never); remembered in this browser. */
  async setIdleMinutes(minutes: number): Promise<void> {
    await this.worker.vault.setIdleLock({ minutes });
    this.#idleMinutes = minutes;
    localStorage.setItem(IDLE_KEY, String(minutes));
  }

  /** Forget every key the worker holds and drop the connection (stored records are wiped by `profiles.forgetAllKeys`). */
  async forgetKeys(): Promise<void> {
    await this.#worker?.vault.forgetAll();
    this.#info = null;
    this.#check = null;
    this.#locked = null;
  }

  /**
   * Whether sealed keys and upload state may be kept in this browser: always
   * on an origin of Tessera's own; on one shared with the store's objects only
   * after the user read the warning and insisted.
   */
  get mayKeepState(): boolean {
    return !this.sharedOrigin || this.#insist;
  }

  /** The user read the shared-origin warning and wants keys and upload state kept here anyway. */
  insistOnKeepingState(): void {
    localStorage.setItem(INSIST_KEY, location.origin);
    this.#insist = true;
    void this.#worker?.connection.keepUploadState({ persist: true });
  }

  /** Whether the app's origin is shared with the connected store's objects (see same-origin.ts). */
  get sharedOrigin(): SharedOrigin {
    if (!this.#info || typeof location === 'undefined') return null;
    return sharedOrigin(location.href, this.#info.endpoint.url);
  }

  get info(): ConnectionInfo | null {
    return this.#info;
  }

  /** What the request made at Connect said (keys accepted, or why they could not be checked). */
  get check(): ConnectionCheck | null {
    return this.#check;
  }

  get connected(): boolean {
    return this.#info !== null;
  }

  /**
   * Whether a connection's check is running: what was started alongside it
   * (a dataset view) holds back a failure of its own until the check has said
   * whether the keys are the cause.
   */
  get checking(): boolean {
    return this.#checking > 0;
  }

  /** Buckets remembered for this endpoint (bucket names only). */
  get rememberedBuckets(): string[] {
    return this.#buckets;
  }

  /**
   * Connect, checked at once with one cheap request. Refused (the error says
   * why, the current connection stays) when nothing answers at the endpoint
   * or the store refuses the keys; otherwise connected, with `check` saying
   * whether the keys could be checked from this page.
   *
   * `alongside`: what the page connects for (the dataset at its address),
   * started as soon as the check is sent instead of after it, when there is
   * no connection to keep: the S3 worker signs with these settings meanwhile.
   * It returns how to cancel it, which happens when the check refuses the
   * connection; the error is then the check's, as without it.
   */
  async connect(settings: ConnectionSettings, keyExpiresAt?: string, alongside?: Alongside): Promise<ConnectionInfo> {
    preconnectTo(settings);
    const early = !!alongside && !this.#info;
    const checking = this.worker.connection.connectChecked({ settings, keyExpiresAt, early });
    this.#checking++;
    let cancel: (() => void) | undefined;
    let checked: CheckedConnection;
    try {
      cancel = early ? alongside(this.worker, settings) : undefined;
      checked = await checking;
    } catch (e) {
      cancel?.();
      throw e;
    } finally {
      this.#checking--;
    }
    if (blocksConnect(checked.check)) cancel?.();
    return this.#accept(checked);
  }

  /**
   * Connect with keys saved sealed in a profile: the worker decrypts them, the
   * page never sees them. `resealed` is a new record to store in place of an
   * outdated one.
   */
  async connectSealed(settings: SealedSettings, sealed: SealedSecret, passphrase: string, keyExpiresAt?: string): Promise<{ info: ConnectionInfo; resealed?: SealedSecret }> {
    preconnectTo(settings);
    const r = await this.worker.connection.connectSealed({ settings, sealed, passphrase, keyExpiresAt });
    return { info: this.#accept(r), resealed: r.resealed };
  }

  /** Connect with keys read from a pasted file by the worker (`vault.importText`). */
  async connectStaged(stagedId: string, settings: SealedSettings, keyExpiresAt?: string): Promise<ConnectionInfo> {
    preconnectTo(settings);
    return this.#accept(await this.worker.connection.connectStaged({ stagedId, settings, keyExpiresAt }));
  }

  #accept({ info, check }: CheckedConnection): ConnectionInfo {
    if (blocksConnect(check)) throw new Error(check.detail);
    this.#locked = null;
    this.#info = info;
    // On an origin shared with the store's objects, upload state stays in memory unless the user insisted.
    void this.worker.connection.keepUploadState({ persist: this.mayKeepState });
    this.#check = check;
    this.#buckets = rememberedBuckets(localStorage, info.endpoint.url);
    return info;
  }

  async disconnect(): Promise<void> {
    await this.#worker?.connection.disconnect();
    this.#info = null;
    this.#check = null;
    this.#buckets = [];
  }

  remember(bucket: string): void {
    if (this.#info) this.#buckets = rememberBucket(localStorage, this.#info.endpoint.url, bucket);
  }

  forget(bucket: string): void {
    if (this.#info) this.#buckets = forgetBucket(localStorage, this.#info.endpoint.url, bucket);
  }
}

/**
 * The store's connection opens while the check is signed and sent, and the
 * workers start (see preconnect.ts): the check, and the reads sent alongside
 * it, then find it ready.
 */
function preconnectTo(settings: SealedSettings): void {
  try {
    preconnect(resolveEndpoint(settings.endpoint, { region: settings.region, style: settings.style }).endpoint.url);
  } catch {
    // Not an endpoint: the check says what is wrong with it.
  }
}

function readIdleMinutes(): number {
  if (typeof localStorage === 'undefined') return DEFAULT_IDLE_MINUTES;
  const n = Number(localStorage.getItem(IDLE_KEY));
  return localStorage.getItem(IDLE_KEY) !== null && Number.isFinite(n) && n >= 0 && n <= 1440 ? n : DEFAULT_IDLE_MINUTES;
}

export const session = new Session();
