/**
 * The connection the page works with. Credentials go straight to the S3
 * worker and are dropped here: this class only keeps what is safe to show
 * (endpoint, anonymous or not, an access key hint).
 */
import { startS3Worker, type S3WorkerRemote } from '../rpc/s3';
import type { ConnectionInfo, ConnectionSettings } from '../lib/s3/service';
import { forgetBucket, rememberBucket, rememberedBuckets } from '../lib/remembered';
import type { SealedSecret } from '../lib/creds/vault';

class Session {
  #worker: S3WorkerRemote | null = null;
  #info = $state<ConnectionInfo | null>(null);
  #buckets = $state<string[]>([]);

  /** The S3 worker (started on first use). */
  get worker(): S3WorkerRemote {
    if (!this.#worker) this.#worker = startS3Worker().remote;
    return this.#worker;
  }

  get info(): ConnectionInfo | null {
    return this.#info;
  }

  get connected(): boolean {
    return this.#info !== null;
  }

  /** Buckets remembered for this endpoint (bucket names only). */
  get rememberedBuckets(): string[] {
    return this.#buckets;
  }

  async connect(settings: ConnectionSettings): Promise<ConnectionInfo> {
    const info = await this.worker.s3.connect(settings);
    this.#info = info;
    this.#buckets = rememberedBuckets(localStorage, info.endpoint.url);
    return info;
  }

  /** Connect with keys saved sealed in a profile: the worker decrypts them, the page never sees them. */
  async connectSealed(settings: Omit<ConnectionSettings, 'accessKeyId' | 'secretAccessKey' | 'sessionToken'>, sealed: SealedSecret, passphrase: string): Promise<ConnectionInfo> {
    const info = await this.worker.s3.connectSealed(settings, sealed, passphrase);
    this.#info = info;
    this.#buckets = rememberedBuckets(localStorage, info.endpoint.url);
    return info;
  }

  async disconnect(): Promise<void> {
    await this.#worker?.s3.disconnect();
    this.#info = null;
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
