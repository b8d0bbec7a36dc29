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
  #anonymous = false;
  /** Settles once the S3 worker said whether the connection is anonymous (see `create`). */
  readonly #known: Promise<void>;
  readonly #access: S3Access;
  readonly #bucket: string;
  readonly #prefix: string;
  readonly #fetch: typeof fetch;
  readonly #urls = new Map<string, { url: Promise<string>; at: number }>();
  #pending: { key: string; resolve: (u: string) => void; reject: (e: unknown) => void }[] = [];

  private constructor(access: S3Access, bucket: string, path: string, fetchFn?: typeof fetch) {
    this.#access = access;
    this.#known = Promise.resolve(access.anonymous()).then((a) => void (this.#anonymous = a));
    this.#known.catch(() => undefined);
    this.#bucket = bucket;
    const clean = path.replace(/^\/+|\/+$/g, '');
    this.#prefix = clean ? `${clean}/` : '';
    this.label = `s3://${bucket}/${clean}`;
    this.#fetch = fetchFn ?? ((...a) => fetch(...a));
  }

  /**
   * A source once the S3 worker said whether the connection is anonymous.
   * `early`: at once, the question riding along with the first read's
   * presigning instead of going before it (one round trip to the S3 worker
   * instead of two in a row before a dataset's metadata request leaves); no
   * read answers before it is known, so `anonymous` is right for anything
   * read after a read (zarrita-store.ts reads it once the metadata is in).
   */
  static async create(access: S3Access, bucket: string, path: string, options: { fetch?: typeof fetch; early?: boolean } = {}): Promise<S3Source> {
    if (!bucket) throw new ZarrError('not-found', 'No bucket given.');
    const source = new S3Source(access, bucket, path, options.fetch);
    if (!options.early) await source.#known;
    return source;
  }

  /** Whether reads are unsigned (public data): known once `create` returned, or (`early`) once a read has answered. */
  get anonymous(): boolean {
    return this.#anonymous;
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
    await this.#known;
    return bytes;
  }

  list(prefix: string, maxPages = 1): Promise<ListLevel> {
    return listLevel(this.#access.listPage, this.#bucket, this.#prefix, prefix, maxPages);
  }
}
