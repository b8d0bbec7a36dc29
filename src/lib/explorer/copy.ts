/**
 * Server-side copy and move of objects and prefixes, within a bucket or
 * between buckets of one connection (`mc cp`, `s3cmd cp/mv`). The bytes never
 * pass through the browser: CopyObject up to 5 GiB, UploadPartCopy above.
 *
 * A move deletes a source only after its copy was verified (HeadObject of the
 * copy: same size, and the same ETag where the copy kept a single-part ETag),
 * so a failure half-way never loses data.
 */
import type { S3Client } from '../s3/client';
import { S3Error } from '../s3/errors';
import { AbortMultipartUpload, CompleteMultipartUpload, CopyObject, CreateMultipartUpload, HeadObject, UploadPartCopy, type CompletedPart } from '../s3/ops/index';
import type { ObjectHead } from '../s3/ops/head-object';
import type { ObjectSummary } from '../s3/ops/list-objects';
import { deleteMany } from '../s3/ops/delete-objects';
import { expandSelection } from './walk';
import { throttle } from '../throttle';

/** Largest object one CopyObject may copy. */
export const MAX_SINGLE_COPY = 5 * 1024 ** 3;
const MIN_PART = 5 * 1024 ** 2;
const MAX_PARTS = 10_000;

export interface CopyTuning {
  /** Objects above this size are copied in parts (default 5 GiB, the S3 limit). */
  multipartThreshold?: number;
  /** Part size for UploadPartCopy (default 512 MiB, raised to stay within 10,000 parts). */
  partSize?: number;
  /** Parts or objects copied at once. */
  concurrency?: number;
}

export interface CopyTarget {
  bucket: string;
  key: string;
}

export interface MetadataChange {
  contentType?: string;
  metadata: Record<string, string>;
}

export interface CopyOneOptions extends CopyTuning {
  signal?: AbortSignal;
  /** Replace content type and metadata (copy-in-place edits); otherwise they are copied. */
  replace?: MetadataChange;
  /** Source head, when the caller has it (saves a HEAD). */
  sourceHead?: ObjectHead;
}

/** Part size for a multipart copy of `size` bytes. */
export function copyPartSize(size: number, wanted = 512 * 1024 ** 2): number {
  return Math.max(MIN_PART, wanted, Math.ceil(size / MAX_PARTS));
}

/** A single-part ETag is the MD5 of the bytes and survives a copy; a multipart one (`…-N`) does not. */
export function isMultipartEtag(etag: string | undefined): boolean {
  return !!etag && /-\d+$/.test(etag);
}

/** Copy one object server-side; returns the head of the copy, checked against the source. */
export async function copyObject(client: S3Client, source: CopyTarget, target: CopyTarget, options: CopyOneOptions = {}): Promise<ObjectHead> {
  const { signal } = options;
  const head = options.sourceHead ?? (await client.send(HeadObject, source, { signal }));
  const threshold = options.multipartThreshold ?? MAX_SINGLE_COPY;
  let expectEtag: string | undefined;
  if (head.size <= threshold) {
    const r = await client.send(
      CopyObject,
      {
        bucket: target.bucket,
        key: target.key,
        sourceBucket: source.bucket,
        sourceKey: source.key,
        // Copying a key onto itself is only allowed when something changes: REPLACE.
        metadataDirective: options.replace ? 'REPLACE' : 'COPY',
        contentType: options.replace?.contentType,
        metadata: options.replace?.metadata,
        ifMatch: head.etag,
      },
      { signal },
    );
    expectEtag = isMultipartEtag(head.etag) ? undefined : head.etag;
    if (expectEtag && r.etag !== expectEtag) throw verifyError(target, `its ETag ${r.etag} is not the source's ${expectEtag}`);
  } else {
    await multipartCopy(client, source, target, head, options);
  }
  const copied = await client.send(HeadObject, target, { signal });
  if (copied.size !== head.size) throw verifyError(target, `it has ${copied.size} bytes, the source ${head.size}`);
  if (expectEtag && copied.etag && copied.etag !== expectEtag) throw verifyError(target, `its ETag ${copied.etag} is not the source's ${expectEtag}`);
  return copied;
}

function verifyError(target: CopyTarget, why: string): S3Error {
  return new S3Error({ operation: 'VerifyCopy', status: 0, code: 'CopyMismatch', message: `The copy at ${target.key} does not match its source: ${why}.`, bucket: target.bucket, key: target.key, retryable: false });
}

async function multipartCopy(client: S3Client, source: CopyTarget, target: CopyTarget, head: ObjectHead, options: CopyOneOptions): Promise<void> {
  const { signal } = options;
  const meta = options.replace ?? { contentType: head.contentType, metadata: head.metadata };
  const { uploadId } = await client.send(CreateMultipartUpload, { bucket: target.bucket, key: target.key, contentType: meta.contentType, metadata: meta.metadata }, { signal });
  try {
    const partSize = copyPartSize(head.size, options.partSize);
    const count = Math.ceil(head.size / partSize);
    const parts: CompletedPart[] = new Array(count);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < count) {
        const i = next++;
        const start = i * partSize;
        const end = Math.min(head.size, start + partSize) - 1;
        const r = await client.send(
          UploadPartCopy,
          { bucket: target.bucket, key: target.key, uploadId, partNumber: i + 1, sourceBucket: source.bucket, sourceKey: source.key, range: { start, end }, ifMatch: head.etag },
          { signal },
        );
        parts[i] = { partNumber: i + 1, etag: r.etag };
      }
    };
    await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 4, count) }, worker));
    // Parts name the source's ETag, but a store may ignore that condition (Ceph RGW 16 does):
    // a source rewritten while its parts were copied would make a copy of two versions.
    const now = await client.send(HeadObject, source, { signal });
    if (now.etag !== head.etag) {
      throw new S3Error({ operation: 'UploadPartCopy', status: 412, code: 'PreconditionFailed', message: `${source.key} changed while it was being copied; the copy was abandoned. Try again.`, bucket: source.bucket, key: source.key, retryable: false });
    }
    await client.send(CompleteMultipartUpload, { bucket: target.bucket, key: target.key, uploadId, parts }, { signal });
  } catch (e) {
    // Orphaned parts count against quota: abort, whatever the cause.
    await client.send(AbortMultipartUpload, { bucket: target.bucket, key: target.key, uploadId }).catch(() => undefined);
    throw e;
  }
}

export interface TreeCopyInput {
  sourceBucket: string;
  /** Objects selected one by one (their keys keep only the part after `sourceBase`). */
  objects: ObjectSummary[];
  /** Prefixes selected (copied recursively). */
  prefixes: string[];
  /** The folder the selection was made in: the part of each key after it is kept. */
  sourceBase: string;
  targetBucket: string;
  /** Where the kept parts go, e.g. `backup/` (or a full new key when renaming one object). */
  targetBase: string;
  move?: boolean;
}

export interface TreeProgress {
  phase: 'listing' | 'copying' | 'deleting' | 'done';
  objects: number;
  bytes: number;
  copied: number;
  copiedBytes: number;
  deleted: number;
  failed: number;
}

export interface TreeResult extends TreeProgress {
  failures: { key: string; message: string }[];
  /** The copies made (target keys, as a listing of the target bucket shows them). */
  written: ObjectSummary[];
}

/** Where `key` lands: `targetBase` + the part after `sourceBase`. */
export function targetKey(key: string, sourceBase: string, targetBase: string): string {
  if (!key.startsWith(sourceBase)) throw new TypeError(`${key} is not under ${sourceBase}`);
  return targetBase + key.slice(sourceBase.length);
}

/** Copy (or move) a selection of objects and prefixes, with progress. */
export async function copyTree(client: S3Client, input: TreeCopyInput, options: CopyTuning & { signal?: AbortSignal; onProgress?: (p: TreeProgress) => void } = {}): Promise<TreeResult> {
  const { signal } = options;
  const p: TreeResult = { phase: 'listing', objects: 0, bytes: 0, copied: 0, copiedBytes: 0, deleted: 0, failed: 0, failures: [], written: [] };
  const report = throttle(options.onProgress, 150);
  const snap = (over: Partial<TreeProgress> = {}): TreeProgress => ({ phase: p.phase, objects: p.objects, bytes: p.bytes, copied: p.copied, copiedBytes: p.copiedBytes, deleted: p.deleted, failed: p.failed, ...over });
  const all = await expandSelection(client, input.sourceBucket, input.objects, input.prefixes, {
    signal,
    onProgress: (w) => report.push(snap({ objects: w.objects, bytes: w.bytes })),
  });
  p.objects = all.length;
  p.bytes = all.reduce((n, o) => n + Math.max(0, o.size), 0);
  p.phase = 'copying';
  const same = input.sourceBucket === input.targetBucket;
  for (const o of all) {
    const to = targetKey(o.key, input.sourceBase, input.targetBase);
    if (same && to === o.key) throw new TypeError(`Copying ${o.key} onto itself: choose another destination.`);
    if (same && input.prefixes.some((pre) => to.startsWith(pre))) throw new TypeError(`The destination ${input.targetBase} is inside what is being copied.`);
  }
  const verified: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < all.length) {
      const o = all[next++]!;
      try {
        const to = targetKey(o.key, input.sourceBase, input.targetBase);
        const copy = await copyObject(client, { bucket: input.sourceBucket, key: o.key }, { bucket: input.targetBucket, key: to }, { ...options, signal, concurrency: 4 });
        const modified = copy.lastModified ? Date.parse(copy.lastModified) : NaN;
        p.written.push({ key: to, size: copy.size, etag: copy.etag ?? '', lastModified: new Date(Number.isFinite(modified) ? modified : Date.now()).toISOString() });
        verified.push(o.key);
        p.copied++;
        p.copiedBytes += Math.max(0, o.size);
      } catch (e) {
        if (e instanceof S3Error && e.code === 'Aborted') throw e;
        p.failed++;
        p.failures.push({ key: o.key, message: (e as Error).message });
      }
      report.push(snap());
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 8, all.length) }, worker));
  if (input.move && verified.length) {
    p.phase = 'deleting';
    report.flush(snap());
    const r = await deleteMany(client, input.sourceBucket, verified, { signal, onProgress: (done) => report.push(snap({ deleted: done })) });
    p.deleted = r.deleted.length;
    for (const f of r.errors) p.failures.push({ key: f.key, message: `copied, but the source could not be deleted: ${f.message || f.code}` });
  }
  p.phase = 'done';
  report.flush(snap());
  return p;
}
