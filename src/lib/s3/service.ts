/**
 * One connection to a store: it holds the signing client (and so the
 * credentials, never returning them) and the operations running on it, each
 * cancellable by an op id since an AbortSignal cannot cross a worker
 * boundary. It knows the S3 core only; the S3 worker's API
 * (`workers/s3-api/`) builds the explorer, policy and vault calls on top of
 * it, and the upload engine reaches the client through `CLIENT`.
 *
 * DOM-free: it runs in the S3 worker and in Node for tests.
 */
import { S3Client } from './client';
import { resolveEndpoint, type AddressingStyle, type Endpoint } from './endpoint';
import { S3Error, abortedError } from './errors';
import { blocksConnect, checkService, diagnoseBucket, type ConnectionCheck, type Diagnosis } from './diagnose';
import type { Credentials } from './signer';
import type { Operation, RequestBody } from './request';
import * as ops from './ops/index';
import { listPages, type ListObjectsInput, type ListObjectsPage } from './ops/list-objects';
import { deleteMany, type DeleteObjectsOutput } from './ops/delete-objects';
import { buildCorsXml, type CorsRule } from './ops/cors-rules';
import { contentMd5 } from './checksum';
import { keyHint } from './key-hint';
import type { ObjectHead } from './ops/head-object';

export interface ConnectionSettings {
  /** Endpoint URL or JASMIN tenancy name. */
  endpoint: string;
  region?: string;
  style?: AddressingStyle;
  /** Omit both for anonymous access to public buckets. */
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
}

export interface ConnectionInfo {
  endpoint: Endpoint;
  anonymous: boolean;
  /** Access key id with its middle hidden, for display. */
  accessKeyHint?: string;
  notes: string[];
}

/** A connection and what one cheap request to the store said about it. */
export interface CheckedConnection {
  info: ConnectionInfo;
  check: ConnectionCheck;
}

/** The operations callable by name through `send`. Each input/output is plain data. */
export const SENDABLE = {
  ListBuckets: ops.ListBuckets,
  HeadBucket: ops.HeadBucket,
  CreateBucket: ops.CreateBucket,
  DeleteBucket: ops.DeleteBucket,
  ListObjectsV2: ops.ListObjectsV2,
  ListObjects: ops.ListObjectsV1,
  HeadObject: ops.HeadObject,
  CopyObject: ops.CopyObject,
  DeleteObject: ops.DeleteObject,
  CreateMultipartUpload: ops.CreateMultipartUpload,
  UploadPartCopy: ops.UploadPartCopy,
  CompleteMultipartUpload: ops.CompleteMultipartUpload,
  AbortMultipartUpload: ops.AbortMultipartUpload,
  ListParts: ops.ListParts,
  ListMultipartUploads: ops.ListMultipartUploads,
  GetBucketPolicy: ops.GetBucketPolicy,
  PutBucketPolicy: ops.PutBucketPolicy,
  DeleteBucketPolicy: ops.DeleteBucketPolicy,
  GetBucketCors: ops.GetBucketCors,
  DeleteBucketCors: ops.DeleteBucketCors,
  GetObjectAcl: ops.GetObjectAcl,
  PutObjectAcl: ops.PutObjectAcl,
} as const;

export type SendableName = keyof typeof SENDABLE;
export type InputOf<N extends SendableName> = (typeof SENDABLE)[N] extends Operation<infer I, unknown> ? I : never;
export type OutputOf<N extends SendableName> = (typeof SENDABLE)[N] extends Operation<unknown, infer O> ? O : never;

export interface ListSummary {
  pages: number;
  objects: number;
  prefixes: number;
  bytes: number;
}

export interface GetBytesResult {
  head: ObjectHead;
  bytes: Uint8Array;
  status: number;
  contentRange?: string;
}

export interface PutInput {
  bucket: string;
  key: string;
  body: RequestBody;
  contentType?: string;
  metadata?: Record<string, string>;
  /** Compute and send Content-MD5 (default true for bodies held in memory or a Blob up to 64 MiB). */
  md5?: boolean;
}

/**
 * In-worker access to the signing client, for collaborators living in the
 * same worker (upload engine, chunk readers). A symbol key cannot be named by
 * a comlink path, so the page can never reach it.
 */
export const CLIENT = Symbol('tessera.s3.client');

function makeClient(settings: ConnectionSettings): { client: S3Client; info: ConnectionInfo } {
  const { endpoint, notes } = resolveEndpoint(settings.endpoint, { region: settings.region, style: settings.style });
  const anonymous = !settings.accessKeyId && !settings.secretAccessKey;
  if (!anonymous && (!settings.accessKeyId || !settings.secretAccessKey)) {
    throw new TypeError('Give both the access key and the secret key, or neither for anonymous access.');
  }
  const credentials: Credentials | null = anonymous
    ? null
    : { accessKeyId: settings.accessKeyId!.trim(), secretAccessKey: settings.secretAccessKey!.trim(), sessionToken: settings.sessionToken?.trim() || undefined };
  const info: ConnectionInfo = { endpoint, anonymous, notes };
  if (credentials) info.accessKeyHint = keyHint(credentials.accessKeyId);
  return { client: new S3Client({ endpoint, credentials }), info };
}

export class S3Service {
  #client: S3Client | null = null;
  #ops = new Map<string, AbortController>();

  /** Set (or replace) the connection without checking it. Credentials stay here. */
  connect(settings: ConnectionSettings): ConnectionInfo {
    const { client, info } = makeClient(settings);
    this.#client = client;
    return info;
  }

  /**
   * Check a connection with one cheap request (see `checkService`) and set it
   * unless the check proves it cannot work (nothing answers, keys refused):
   * then the current connection, if any, is kept.
   *
   * `early`: when there is no connection to keep, the new one is set at once,
   * so reads asked while the check runs (the dataset a page was opened at) are
   * signed without waiting for it; if the check then refuses it, it is dropped
   * again and those reads fail (the page cancels them and shows the check's
   * answer). A connection in use is never replaced before its successor is checked.
   */
  async connectChecked(settings: ConnectionSettings, opId?: string, { early = false }: { early?: boolean } = {}): Promise<CheckedConnection> {
    const { client, info } = makeClient(settings);
    const provisional = early && this.#client === null;
    if (provisional) this.#client = client;
    let check: ConnectionCheck;
    try {
      check = await this.run(opId, (signal) => checkService(client, { signal }));
    } catch (e) {
      if (provisional) this.#drop(client);
      throw e;
    }
    if (!blocksConnect(check)) this.#client = client;
    else if (provisional) this.#drop(client);
    return { info, check };
  }

  /** Unset a provisional client the check refused, unless something replaced it meanwhile. */
  #drop(client: S3Client): void {
    if (this.#client === client) this.#client = null;
  }

  disconnect(): void {
    for (const c of this.#ops.values()) c.abort();
    this.#ops.clear();
    this.#client = null;
  }

  /** The connected client, for code in the same worker only (see CLIENT). */
  [CLIENT](): S3Client {
    return this.#c;
  }

  get #c(): S3Client {
    if (!this.#client) throw new S3Error({ operation: 'Connect', status: 0, code: 'NotConnected', message: 'Not connected: enter an endpoint first.', retryable: false });
    return this.#client;
  }

  #begin(opId?: string): AbortSignal | undefined {
    if (!opId) return undefined;
    const controller = new AbortController();
    this.#ops.get(opId)?.abort();
    this.#ops.set(opId, controller);
    return controller.signal;
  }

  #end(opId?: string): void {
    if (opId) this.#ops.delete(opId);
  }

  /** Run `fn` with a signal that `cancel(opId)` (or a new operation with the same id) aborts. */
  async run<T>(opId: string | undefined, fn: (signal?: AbortSignal) => Promise<T>): Promise<T> {
    const signal = this.#begin(opId);
    try {
      return await fn(signal);
    } finally {
      this.#end(opId);
    }
  }

  /** Cancel a running operation started with this `opId`. */
  cancel(opId: string): void {
    this.#ops.get(opId)?.abort(abortedError('Cancel'));
  }

  /** Run any plain-data operation by name. */
  send<N extends SendableName>(name: N, input: InputOf<N>, opId?: string): Promise<OutputOf<N>> {
    const op = SENDABLE[name] as unknown as Operation<InputOf<N>, OutputOf<N>>;
    if (!op) throw new TypeError(`Unknown operation ${String(name)}`);
    return this.run(opId, (signal) => this.#c.send(op, input, { signal }));
  }

  /** Page through a listing, posting each page as it arrives. */
  list(input: ListObjectsInput, onPage: (page: ListObjectsPage) => void | Promise<void>, opId?: string, maxPages = Infinity): Promise<ListSummary> {
    return this.run(opId, async (signal) => {
      const summary: ListSummary = { pages: 0, objects: 0, prefixes: 0, bytes: 0 };
      for await (const page of listPages(this.#c, input, { signal })) {
        summary.pages++;
        summary.objects += page.objects.length;
        summary.prefixes += page.prefixes.length;
        for (const o of page.objects) summary.bytes += o.size;
        await onPage(page);
        if (summary.pages >= maxPages) break;
      }
      return summary;
    });
  }

  /** Read an object (or a byte range of it) into memory. */
  getBytes(input: ops.GetObjectInput, opId?: string): Promise<GetBytesResult> {
    return this.run(opId, async (signal) => {
      const out = await this.#c.send(ops.GetObject, input, { signal });
      const bytes = new Uint8Array(await out.body.arrayBuffer());
      const { body: _body, status, contentRange, ...head } = out;
      return { head, bytes, status, contentRange };
    });
  }

  /** Upload a small object with one PUT, with Content-MD5 unless told otherwise. */
  putObject(input: PutInput, opId?: string): Promise<ops.PutObjectOutput> {
    return this.run(opId, async (signal) => {
      let md5: string | undefined;
      const wantMd5 = input.md5 ?? true;
      if (wantMd5) {
        const b = input.body;
        if (typeof b === 'string') md5 = await contentMd5(b);
        else if (b instanceof Uint8Array) md5 = await contentMd5(b);
        else if (b instanceof ArrayBuffer) md5 = await contentMd5(new Uint8Array(b));
        else if (typeof Blob !== 'undefined' && b instanceof Blob && b.size <= 64 * 1024 * 1024) md5 = await contentMd5(new Uint8Array(await b.arrayBuffer()));
      }
      return this.#c.send(
        ops.PutObject,
        { bucket: input.bucket, key: input.key, body: input.body, contentType: input.contentType, metadata: input.metadata, contentMd5: md5 },
        { signal },
      );
    });
  }

  /** Delete many keys (batches, falling back to single DELETEs), reporting progress. */
  deleteKeys(bucket: string, keys: string[], onProgress?: (done: number, total: number) => void, opId?: string): Promise<DeleteObjectsOutput & { usedFallback: boolean }> {
    return this.run(opId, (signal) => deleteMany(this.#c, bucket, keys, { signal, onProgress }));
  }

  /** Replace a bucket's CORS rules (the XML and its MD5 are made here). */
  putBucketCors(bucket: string, rules: CorsRule[], opId?: string): Promise<void> {
    return this.run(opId, async (signal) => {
      const body = buildCorsXml(rules);
      await this.#c.send(ops.PutBucketCors, { bucket, rules, body, contentMd5: await contentMd5(body) }, { signal });
    });
  }

  /** A presigned URL the user asked for (share link) or a worker needs (chunk reads). */
  presign(method: 'GET' | 'PUT' | 'HEAD', bucket: string, key: string, expiresInSeconds: number, query?: Record<string, string>): Promise<string> {
    return this.#c.presign({ method, bucket, key, query }, expiresInSeconds);
  }

  /** Many presigned GETs at once (chunk readers ask for a batch per selection). */
  async presignMany(bucket: string, keys: string[], expiresInSeconds: number): Promise<string[]> {
    const c = this.#c;
    return Promise.all(keys.map((key) => c.presign({ method: 'GET', bucket, key }, expiresInSeconds)));
  }

  /** Why a bucket gives this page no readable answer: nothing answers, no such bucket, wrong keys or CORS (see diagnose.ts). */
  diagnose(bucket: string, opId?: string): Promise<Diagnosis> {
    return this.run(opId, (signal) => diagnoseBucket(this.#c, bucket, { signal }));
  }

  isAnonymous(): boolean {
    return this.#c.anonymous;
  }

  endpointUrl(): string {
    return this.#c.endpoint.url;
  }

  /** Milliseconds the store's clock is ahead of ours (learned from a skew error). */
  clockOffset(): number {
    return this.#client?.clockOffsetMs ?? 0;
  }
}
