/**
 * The connection the page works with. Credentials go straight to the S3
 * worker and are dropped here: this class only keeps what is safe to show
 * (endpoint, anonymous or not, an access key hint) and what the check made
 * at Connect found.
 */
import { startS3Worker, type CheckedConnection, type ConnectionInfo, type ConnectionSettings, type S3WorkerRemote, type SealedSettings } from '../rpc/s3';
import { blocksConnect, type ConnectionCheck } from '../lib/s3/diagnose';
import { forgetBucket, rememberBucket, rememberedBuckets } from '../lib/remembered';
import type { SealedSecret } from '../lib/creds/vault';

class Session {
  #worker: S3WorkerRemote | null = null;
  #info = $state<ConnectionInfo | null>(null);
  #check = $state<ConnectionCheck | null>(null);
  #buckets = $state<string[]>([]);

  /** The S3 worker (started on first use). */
  get worker(): S3WorkerRemote {
    if (!this.#worker) this.#worker = startS3Worker().remote;
    return this.#worker;
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

  /** Buckets remembered for this endpoint (bucket names only). */
  get rememberedBuckets(): string[] {
    return this.#buckets;
  }

  /**
   * Connect, checked at once with one cheap request. Refused (the error says
   * why, the current connection stays) when nothing answers at the endpoint
   * or the store refuses the keys; otherwise connected, with `check` saying
   * whether the keys could be checked from this page.
   */
  async connect(settings: ConnectionSettings): Promise<ConnectionInfo> {
    return this.#accept(await this.worker.connection.connectChecked({ settings }));
  }

  /** Connect with keys saved sealed in a profile: the worker decrypts them, the page never sees them. */
  async connectSealed(settings: SealedSettings, sealed: SealedSecret, passphrase: string): Promise<ConnectionInfo> {
    return this.#accept(await this.worker.connection.connectSealedChecked({ settings, sealed, passphrase }));
  }

  #accept({ info, check }: CheckedConnection): ConnectionInfo {
    if (blocksConnect(check)) throw new Error(check.detail);
    this.#info = info;
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

export const session = new Session();
