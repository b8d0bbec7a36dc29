/**
 * A store in a bucket reached through the S3 worker's read-only façade. Chunk
 * reads use presigned GET URLs fetched here (a presigned GET with at most a
 * `Range` header needs no CORS preflight); the credentials never leave the S3
 * worker. Presign requests made in the same tick are batched into one call.
 */
import { ZarrError } from './errors';
import { mark } from './trace';
import { fetchKey, type ByteRange, type KeySource, type ListLevel } from './source';
import { listLevel, type ListPageFn } from './url-source';

/** What this source needs from the S3 worker (a subset of `S3ReaderApi`). */
export interface S3Access {
  presignMany(bucket: string, keys: string[], expiresInSeconds: number): Promise<string[]>;
  listPage: ListPageFn;
  anonymous(): Promise<boolean> | boolean;
}

const EXPIRES_S = 3600;
/** Re-presign well before expiry (clock skew, long sessions). */
const REUSE_MS = 40 * 60 * 1000;

export class S3Source implements KeySource {
  readonly label: string;
  readonly anonymous: boolean;
  readonly #access: S3Access;
  readonly #bucket: string;
  readonly #prefix: string;
  readonly #fetch: typeof fetch;
  readonly #urls = new Map<string, { url: Promise<string>; at: number }>();
  #pending: { key: string; resolve: (u: string) => void; reject: (e: unknown) => void }[] = [];

  private constructor(access: S3Access, bucket: string, path: string, anonymous: boolean, fetchFn?: typeof fetch) {
    this.#access = access;
    this.#bucket = bucket;
    const clean = path.replace(/^\/+|\/+$/g, '');
    this.#prefix = clean ? `${clean}/` : '';
    this.label = `s3://${bucket}/${clean}`;
    this.anonymous = anonymous;
    this.#fetch = fetchFn ?? ((...a) => fetch(...a));
  }

  static async create(access: S3Access, bucket: string, path: string, options: { fetch?: typeof fetch } = {}): Promise<S3Source> {
    if (!bucket) throw new ZarrError('not-found', 'No bucket given.');
    return new S3Source(access, bucket, path, await access.anonymous(), options.fetch);
  }

  get bucket(): string {
    return this.#bucket;
  }

  /** Key prefix of the store root inside the bucket ("" or ending with "/"). */
  get prefix(): string {
    return this.#prefix;
  }

  #presign(key: string): Promise<string> {
    const hit = this.#urls.get(key);
    if (hit && Date.now() - hit.at < REUSE_MS) return hit.url;
    const url = new Promise<string>((resolve, reject) => {
      if (this.#pending.length === 0) queueMicrotask(() => this.#flush());
      this.#pending.push({ key, resolve, reject });
    });
    this.#urls.set(key, { url, at: Date.now() });
    url.catch(() => this.#urls.delete(key));
    return url;
  }

  #flush(): void {
    const batch = this.#pending;
    this.#pending = [];
    if (!batch.length) return;
    mark(`presign:request ${batch.length}`);
    this.#access.presignMany(this.#bucket, batch.map((b) => this.#prefix + b.key), EXPIRES_S).then(
      (urls) => {
        mark(`presign:done ${batch.length}`);
        batch.forEach((b, i) => b.resolve(urls[i]!));
      },
      (e) => batch.forEach((b) => b.reject(e)),
    );
  }

  /** Presign `keys` now, as one batch of their own (callers pass the first chunks apart from the rest). */
  prepare(keys: string[]): void {
    for (const k of keys) void this.#presign(k).catch(() => undefined);
    this.#flush();
  }

  async get(key: string, range?: ByteRange, signal?: AbortSignal): Promise<Uint8Array | undefined> {
    const url = await this.#presign(key);
    mark(`fetch:start ${key}`);
    const bytes = await fetchKey(url, key, range, signal, this.#fetch);
    mark(`fetch:end ${key}`);
    return bytes;
  }

  list(prefix: string, maxPages = 1): Promise<ListLevel> {
    return listLevel(this.#access.listPage, this.#bucket, this.#prefix, prefix, maxPages);
  }
}
