/**
 * The steps of one upload against the store, each a scheduled request:
 * single PUT, Create, ListParts reconciliation, parts, Complete. They mutate
 * the record in `ctx` and call `ctx.save()` after every part.
 */
import type { S3Client, SendOptions } from '../s3/client';
import { S3Error } from '../s3/errors';
import { CompleteMultipartUpload, CreateMultipartUpload, PutObject, UploadPart, listAllParts, postObject, postableKey } from '../s3/ops/index';
import { checksumAlgorithmHeaders, checksumHeaders, type ChecksumAlgorithm } from '../s3/checksum';
import { fileStillReadable, FileChangedError } from './classify';
import { hexToBase64, md5Hex, type RunningSha256 } from './hashing';
import { partRange } from './part-plan';
import { withPart, type PartRecord, type UploadRecord } from './record';
import { Priority, type Scheduler } from './scheduler';
import { SHA256_META } from './verify';
import { Slots, type Serial } from './serial';
import { InlineHasher, type PartHasher } from './part-hasher';
import type { SentBytes } from './progress';
import { FormUploads } from './form-uploads';
import { PartDigests } from './part-digests';

export interface UploadContext {
  record: UploadRecord;
  file: Blob;
  client: () => S3Client;
  scheduler: Scheduler;
  sha?: RunningSha256;
  /** Persist the record (after every part). */
  save: () => Promise<void>;
  /** Bytes of parts on the wire, for progress. */
  inFlight: Map<number, number>;
  /** How far each part on the wire (or the one PUT, as part 1) has gone, for progress. */
  sent: SentBytes;
  /** Reads and hashes byte ranges (inline, or in a hash worker). */
  hasher: PartHasher;
  /** The running SHA-256 is fed in call order, one part at a time (see serial.ts). */
  reads: Serial;
  /** MD5s of parts run side by side, as many as there are hashers. */
  md5Slots: Slots;
  /** Parts' digests computed ahead of their sends (made by `digestsOf` for this run). */
  digests?: PartDigests;
  /** Small files as form uploads (no preflight), where the bucket takes them; undefined: PUT only. */
  formUploads?: FormUploads;
  /** The store asked us to slow down. */
  onSlowDown: () => void;
  changed: () => void;
  /** Stops this run (pause/cancel); also cancels the scheduler group. */
  signal: AbortSignal;
}

/** Options for a request; with `part`, its body's bytes are counted as they go (part 1 for a single PUT). */
function sendOptions(ctx: UploadContext, signal: AbortSignal, part?: number): SendOptions {
  return {
    signal,
    onRetry: (e) => {
      if (e.code === 'SlowDown' || e.status === 503 || e.status === 429) ctx.onSlowDown();
    },
    // Every progress event of every part lands here (Chromium sends a few a
    // second per request); the page is told at most ten times a second, by the
    // upload service's batching of `changed`, so nothing more is throttled here.
    onUploadProgress:
      part === undefined
        ? undefined
        : (bytes) => {
            if (ctx.sent.record(part, bytes)) ctx.changed();
          },
  };
}

function control<T>(ctx: UploadContext, fn: (o: SendOptions) => Promise<T>): Promise<T> {
  return ctx.scheduler.submit({ priority: Priority.Control, bytes: 0, group: ctx.record.id, run: (signal) => fn(sendOptions(ctx, AbortSignal.any([signal, ctx.signal]))) });
}

const MD5_HEX = /^[0-9a-f]{32}$/i;

/**
 * Files up to this size are hashed here rather than in a hash worker: a
 * millisecond or two of MD5 (the SHA-256 goes to WebCrypto, off this thread)
 * costs less than the round trip. Measured on the 398-file Zarr folder: about
 * 0.1-0.2 CPU s less in the renderer, wall time within the noise of 2 shared cores.
 */
const INLINE_HASH_MAX = 4 * 1024 * 1024;

const INLINE = new InlineHasher();
/**
 * Small files hashed here are read two at a time: reading a File in a worker
 * goes at ~800 MB/s one slice at a time but ~60 MB/s with 16 at once (serial.ts),
 * and 32 files read at once stalled a folder upload in waves (every slot
 * waiting on its own read; `wan`, 398 files of 577 KiB, Resource Timing of the S3 worker).
 */
const INLINE_READS = new Slots(2);

/**
 * Files up to this size are sent as bytes read in their slot (memory bounded
 * by the scheduler's bytes in flight), not as the File. Chromium 156 drops a
 * request whose body is a File for good if the store's HTTP/2 connection goes
 * away (GOAWAY: nginx sends one after 1000 requests on a connection by
 * default) while it opens the file; with bytes it sends the request again on
 * the next connection (see `formBytes` in ops/post-object.ts). Seen as a 30 s
 * stall (UPLOAD_STALL_MS) in 1 of 3-6 folder uploads of 398 files through the
 * `wan` front, 2 to 6 of them with a GOAWAY every 100 requests; none with
 * bytes. Bigger files and multipart parts stay Files (their memory), where
 * the stall bound still catches it.
 */
const BYTES_BODY_MAX = 4 * 1024 * 1024;

/**
 * A small file hashed before its turn (see putSingle) keeps the bytes it was
 * hashed from for its body, so it is read once, not twice (the browser
 * process serves every read: the folder of 398 files through `wan` took
 * ~0.7 CPU s more, and ~0.35 s longer, when its files were read again to be
 * sent). Bytes so kept, waiting for a slot, stay under this many at once;
 * beyond it a file is read again in its slot.
 */
const HELD_BYTES_MAX = 64 * 1024 * 1024;
let heldBytes = 0;

/** The whole of a small file, read at once (a FileChangedError if it cannot be). */
async function readWhole(ctx: UploadContext): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await ctx.file.arrayBuffer());
  } catch (e) {
    throw new FileChangedError(ctx.record.name, { cause: e });
  }
  if (bytes.length !== ctx.record.size) throw new FileChangedError(ctx.record.name, { cause: new Error(`read ${bytes.length} of ${ctx.record.size} bytes`) });
  return bytes;
}

/** The `x-amz-checksum-*` algorithm this upload sends, if the store's probe said it checks it. */
export function checksumInUse(r: UploadRecord): ChecksumAlgorithm | undefined {
  return r.checksum?.use ? r.checksum.algorithm : undefined;
}

/** Request headers for a body's checksum (none when the upload sends none). */
export function bodyChecksumHeaders(r: UploadRecord, checksum: string | undefined): Record<string, string> | undefined {
  const algorithm = checksumInUse(r);
  return algorithm && checksum ? checksumHeaders(algorithm, checksum) : undefined;
}

/**
 * A whole file's digests for one PUT: MD5, checksum and the SHA-256 kept as
 * metadata, as the upload asks; and, for a small file, the bytes they were
 * computed from (counted in `heldBytes` until the caller sends or drops them).
 */
async function singleDigests(ctx: UploadContext): Promise<{ md5?: string; checksum?: string; metadata: Record<string, string>; bytes?: Uint8Array }> {
  const r = ctx.record;
  const metadata: Record<string, string> = {};
  const algorithm = checksumInUse(r);
  const sha = ctx.sha;
  if (!r.integrity.md5 && !sha && !algorithm) return { metadata };
  // A whole small file: its SHA-256 starts fresh, so files hash side by side.
  const req = { blob: ctx.file, start: 0, end: r.size, name: r.name, md5: r.integrity.md5, shaWhole: !!sha, checksum: algorithm };
  let bytes: Uint8Array | undefined;
  const out =
    r.size <= INLINE_HASH_MAX
      ? await INLINE_READS.run(async () => {
          if (r.size > BYTES_BODY_MAX || heldBytes + r.size > HELD_BYTES_MAX) return INLINE.hash(req);
          heldBytes += r.size;
          try {
            bytes = await readWhole(ctx);
            return await INLINE.hash({ ...req, bytes });
          } catch (e) {
            heldBytes -= r.size;
            bytes = undefined;
            throw e;
          }
        })
      : await ctx.md5Slots.run(() => ctx.hasher.hash(req));
  if (sha && out.shaHex) {
    r.sha256 = { through: 1, hex: out.shaHex };
    metadata[SHA256_META] = out.shaHex;
  }
  return { md5: out.md5, checksum: out.checksum, metadata, bytes };
}

/** One PUT with Content-MD5 and the SHA-256 as metadata. Returns the MD5 sent, for verification. */
export async function putSingle(ctx: UploadContext): Promise<string | undefined> {
  const r = ctx.record;
  // Hashed before the file's turn on the wire, not in it: files queued behind
  // the ones sending (the engine runs twice as many files as requests) are
  // hashed meanwhile, and a slot that frees sends the next file at once.
  const digests = await singleDigests(ctx);
  const { md5, checksum, metadata } = digests;
  let held = digests.bytes;
  /** The held bytes are sent or dropped: no longer counted (once). */
  const release = () => {
    if (held) heldBytes -= held.length;
    held = undefined;
  };
  if (ctx.signal.aborted) {
    release();
    throw ctx.signal.reason;
  }
  return ctx.scheduler.submit({
    priority: Priority.New,
    bytes: r.size,
    group: r.id,
    run: async (signal) => {
      ctx.inFlight.set(1, r.size);
      ctx.changed();
      try {
        const both = AbortSignal.any([signal, ctx.signal]);
        const bytes = held ?? (r.size <= BYTES_BODY_MAX ? await readWhole(ctx) : undefined);
        const form = await sendForm(ctx, md5, metadata, both, bytes);
        if (form.sent) return md5;
        try {
          // A small file's bytes are the body (BYTES_BODY_MAX), a bigger one the File itself (see sendPart).
          // Its bytes are counted as they go (part 1), which sends it through XMLHttpRequest
          // (client.ts) whatever its size: profiled in Chromium on the 398-file Zarr folder
          // (bench/upload.ts, TESSERA_BENCH_CPU_PROFILE=1), fetch with a File body took 1.9 s of
          // the S3 worker's own time over the folder, XHR (open, headers, send, Response) ~1.5 s,
          // and Chromium's browser process used ~1 CPU s less; progress is honest for small files too.
          const headers = bodyChecksumHeaders(r, checksum);
          const out = await ctx.client().send(PutObject, { bucket: r.bucket, key: r.key, body: bytes ?? ctx.file, contentType: r.contentType, contentMd5: md5, metadata, headers }, sendOptions(ctx, both, 1));
          r.etag = out.etag;
        } catch (e) {
          form.putFailed?.();
          throw e;
        }
        form.putWent?.();
      } catch (e) {
        throw await fileOrError(ctx, e);
      } finally {
        ctx.inFlight.delete(1);
      }
      return md5;
    },
    // Sent, failed, or never run (cancelled while waiting for its turn): the bytes are dropped.
  }).finally(release);
}

/**
 * Files below this size may go as form uploads (form-uploads.ts); bigger ones
 * keep the PUT, preflight and all. Measured against Ceph RGW on 2 shared
 * cores (100 objects, 8 at a time, radosgw CPU): a form costs about as much
 * as a PUT up to 64 KiB (0.35 against 0.31 s), but RGW parses a form's body
 * at roughly 45 MB/s, so at 577 KiB it took 1.52 s against 0.6 s, and the
 * 398-file Zarr folder (577 KiB chunks) through the `wan` shaper went slower
 * as forms (median 20.8 s) than as PUTs (15.8 s; aws s3 sync 16.0 s). Up to
 * 256 KiB the extra parsing (a few ms) stays below the round trip a
 * preflight costs on any WAN: 400 files of 1-200 KiB through `wan` took
 * 7.15 s as forms, 7.65 s as PUTs, 7.69 s with aws s3 sync (medians of 3 on
 * a busy machine: within its noise). Forms also have no upload progress
 * (XMLHttpRequest with an upload listener is never a simple request), which
 * files this small do not need (a PUT counts its bytes as they go: putSingle).
 */
export const FORM_UPLOAD_MAX = 256 * 1024;

/** How a form upload attempt ended: stored (and checked), or go by PUT and say how that PUT went. */
type FormAttempt = { sent: true } | { sent: false; putWent?: () => void; putFailed?: () => void };

/**
 * A small file as a form upload (PostObject), where the engine allows it and
 * the bucket takes it. Stored means checked: the ETag of the answer is the
 * MD5 of what the store holds (RGW does not check a Content-MD5 field of a
 * form), so a different or unreadable ETag sends the file again by PUT with
 * Content-MD5, which the store does check. Requests that still preflight in
 * a browser: every PUT (signed in a header), multipart parts, Create and
 * Complete, and the first form upload's fallback PUT where POST is refused.
 */
async function sendForm(ctx: UploadContext, md5: string | undefined, metadata: Record<string, string>, signal: AbortSignal, bytes?: Uint8Array): Promise<FormAttempt> {
  const r = ctx.record;
  const forms = ctx.formUploads;
  const client = ctx.client();
  if (!forms || client.anonymous || checksumInUse(r) || r.size >= FORM_UPLOAD_MAX || !postableKey(r.key) || typeof FormData === 'undefined') return { sent: false };
  const key = FormUploads.key(client.endpoint.url, r.bucket);
  const turn = await forms.claim(key, signal);
  if (turn === 'put') return { sent: false };
  let etag: string | undefined;
  try {
    // The bucket's first try is not retried: a refusal (CORS without POST looks like a network error) is told at once.
    const options = { ...sendOptions(ctx, signal), maxAttempts: turn === 'probe' ? 1 : undefined };
    etag = (await postObject(client, { bucket: r.bucket, key: r.key, body: bytes ?? ctx.file, contentType: r.contentType, metadata }, options)).etag;
  } catch (e) {
    if (signal.aborted) {
      forms.abandon(key);
      throw e;
    }
    return { sent: false, putWent: () => forms.refused(key), putFailed: () => forms.abandon(key) };
  }
  if (md5 && !(etag && MD5_HEX.test(etag))) {
    // Taken, but nothing to check it by: this bucket gets PUTs with Content-MD5.
    forms.refused(key);
    return { sent: false };
  }
  forms.accepted(key);
  if (md5 && etag!.toLowerCase() !== md5Hex(md5)) return { sent: false };
  r.etag = etag;
  return { sent: true };
}

export async function createUpload(ctx: UploadContext): Promise<void> {
  const r = ctx.record;
  const algorithm = checksumInUse(r);
  const headers = algorithm ? checksumAlgorithmHeaders(algorithm) : undefined;
  const out = await control(ctx, (o) => ctx.client().send(CreateMultipartUpload, { bucket: r.bucket, key: r.key, contentType: r.contentType, headers }, o));
  r.uploadId = out.uploadId;
  r.parts = [];
  // A new upload on the store holds nothing of what an earlier one sent.
  ctx.sent.clear();
  await ctx.save();
}

/**
 * Make the record agree with the store (after a reload, a crash or a lost
 * response): keep parts the store has with the right size (and our MD5 when
 * we know it), adopt parts we sent but did not record, drop the rest.
 * Throws NoSuchUpload when the store no longer has the upload.
 */
export async function reconcile(ctx: UploadContext): Promise<void> {
  const r = ctx.record;
  const listed = await control(ctx, (o) => listAllParts(ctx.client(), { bucket: r.bucket, key: r.key, uploadId: r.uploadId! }, o));
  const known = new Map(r.parts.map((p) => [p.n, p]));
  const parts: PartRecord[] = [];
  for (const p of listed) {
    if (p.partNumber < 1 || p.partNumber > r.plan.partCount) continue;
    const { start, end } = partRange(r.plan, p.partNumber);
    if (p.size !== end - start) continue;
    const mine = known.get(p.partNumber);
    if (mine?.md5 && MD5_HEX.test(p.etag) && md5Hex(mine.md5) !== p.etag.toLowerCase()) continue;
    // A part we sent (with Content-MD5, so the store checked it) but did not record: its ETag is its MD5.
    const md5 = mine?.md5 ?? (MD5_HEX.test(p.etag) && r.integrity.md5 ? hexToBase64(p.etag) : undefined);
    parts.push({ n: p.partNumber, size: p.size, etag: p.etag, md5, checksum: mine?.checksum });
  }
  r.parts = parts;
  await ctx.save();
}

/**
 * Feed part `n` into the running SHA-256, in call order (ctx.reads), unless
 * it is no longer the next part by its turn (fed meanwhile) or `signal` stopped the run.
 */
function feedSha(ctx: UploadContext, sha: RunningSha256, n: number, signal?: AbortSignal): Promise<void> {
  const { start, end } = partRange(ctx.record.plan, n);
  return ctx.reads.run(async () => {
    if (signal?.aborted || sha.through !== n - 1) return;
    const out = await ctx.hasher.hash({ blob: ctx.file, start, end, name: ctx.record.name, md5: false, sha: sha.state });
    if (!out.sha) throw new Error(`The hash worker returned no SHA-256 state for part ${n}.`);
    if (signal?.aborted || sha.through !== n - 1) return;
    sha.advance(n, out.sha);
    ctx.record.sha256 = sha.save();
  });
}

/** Feed parts that were sent without passing through the SHA-256 (out of order, or before a reload) by reading them again. */
export async function shaCatchUp(ctx: UploadContext, upTo: number): Promise<void> {
  const sha = ctx.sha;
  if (!sha) return;
  while (sha.through < upTo) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    // Queued behind the reads sendPart started: by its turn they may have fed this part already.
    await feedSha(ctx, sha, sha.through + 1);
  }
  ctx.record.sha256 = sha.save();
}

/**
 * A failed send of a File slice: if the file can no longer be read, or the
 * store found its bytes differ from the MD5 we computed moments before
 * (BadDigest), the file changed on disk.
 */
async function fileOrError(ctx: UploadContext, e: unknown): Promise<unknown> {
  if (e instanceof S3Error && e.code === 'BadDigest') return new FileChangedError(ctx.record.name, { cause: e });
  if (!(await fileStillReadable(ctx.file))) return new FileChangedError(ctx.record.name, { cause: e });
  return e;
}

/**
 * One part (`next`: the parts after it, to hash ahead). Its bytes are read once for hashing, and the File slice itself is
 * sent: measured in Chromium (bench/upload-harness/probe.ts), a fetch body of bytes
 * from a worker goes at 10-20 MB/s, a Blob of them ~100 MB/s, the File slice
 * 150-250 MB/s (the browser streams it from the OS cache). Content-MD5 makes
 * the store check that what it received is what we hashed.
 */
async function sendPart(ctx: UploadContext, n: number, next: number[], signal: AbortSignal): Promise<void> {
  const r = ctx.record;
  const { start, end } = partRange(r.plan, n);
  const sha = ctx.sha;
  const body = ctx.file.slice(start, end);
  // MD5 of this part (any hasher, beside other parts; usually started ahead,
  // see part-digests.ts) and the running SHA-256 (in order) are separate
  // reads: they run in parallel, and reading a slice costs far less than hashing it.
  const digests = digestsOf(ctx);
  const md5Job = digests.take(n);
  digests.ahead(next);
  if (sha && sha.through < n) {
    // The running SHA-256 is fed beside the sends, not before each: it is
    // needed only once every part is in (shaCatchUp, before Complete), and
    // waiting for it held each part's slot idle for the hash of 64 MiB.
    // Parts start in order and these reads run in call order, so part n
    // usually finds the SHA-256 just past part n-1. If not (a retried part),
    // or if this read fails, the catch-up before Complete reads it again.
    feedSha(ctx, sha, n, signal).catch(() => undefined);
  }
  const { md5, checksum } = await md5Job;
  if (signal.aborted) throw signal.reason;
  ctx.inFlight.set(n, end - start);
  ctx.changed();
  try {
    const headers = bodyChecksumHeaders(r, checksum);
    const out = await ctx.client().send(UploadPart, { bucket: r.bucket, key: r.key, uploadId: r.uploadId!, partNumber: n, body, contentMd5: md5, headers }, sendOptions(ctx, signal, n));
    r.parts = withPart(r.parts, { n, size: end - start, etag: out.etag, md5, checksum });
    ctx.sent.forget(n);
  } catch (e) {
    throw await fileOrError(ctx, e);
  } finally {
    ctx.inFlight.delete(n);
  }
  await ctx.save();
}

/** This run's digests of parts: MD5 and checksum where the upload sends them, nothing otherwise. */
export function digestsOf(ctx: UploadContext): PartDigests {
  return (ctx.digests ??= new PartDigests((n) => {
    const r = ctx.record;
    const algorithm = checksumInUse(r);
    if (!r.integrity.md5 && !algorithm) return Promise.resolve({});
    const { start, end } = partRange(r.plan, n);
    return ctx.md5Slots.run(() => ctx.hasher.hash({ blob: ctx.file, start, end, name: r.name, md5: r.integrity.md5, checksum: algorithm }));
  }));
}

/** Parts hashed ahead of the ones on the wire: one per hasher that runs at once. */
export function hashingAhead(ctx: UploadContext): number {
  return Math.max(1, ctx.hasher.parallel ?? 1);
}

/** Send every part the store does not have. On the first failure, stop the others and throw it. */
export async function sendMissingParts(ctx: UploadContext): Promise<void> {
  const r = ctx.record;
  const have = new Set(r.parts.map((p) => p.n));
  const missing: number[] = [];
  for (let n = 1; n <= r.plan.partCount; n++) if (!have.has(n)) missing.push(n);
  if (!missing.length) return;
  let first: unknown;
  const stop = new AbortController();
  // When a part starts, the next ones are hashed ahead, as many as hash at once.
  const ahead = hashingAhead(ctx);
  const runs = missing.map((n, i) =>
    ctx.scheduler
      .submit({
        priority: Priority.Part,
        bytes: partRange(r.plan, n).end - partRange(r.plan, n).start,
        group: r.id,
        run: (signal) => sendPart(ctx, n, missing.slice(i + 1, i + 1 + ahead), AbortSignal.any([signal, ctx.signal, stop.signal])),
      })
      .catch((e) => {
        if (first === undefined) {
          first = e;
          stop.abort(e);
          ctx.scheduler.cancelGroup(r.id, e);
        }
      }),
  );
  await Promise.all(runs);
  if (first !== undefined) throw first;
}

/** ETags for parts whose UploadPart response hid the header (CORS without ExposeHeader ETag). */
export async function fillEtags(ctx: UploadContext): Promise<void> {
  if (ctx.record.parts.every((p) => p.etag)) return;
  await reconcile(ctx);
}

/**
 * Checksums of parts the store holds but we did not record (adopted by
 * ListParts after a reload): an upload created with an algorithm must name
 * every part's checksum in Complete (AWS), so read those parts again.
 */
export async function fillChecksums(ctx: UploadContext): Promise<void> {
  const r = ctx.record;
  const algorithm = checksumInUse(r);
  if (!algorithm) return;
  for (const p of r.parts) {
    if (p.checksum) continue;
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const { start, end } = partRange(r.plan, p.n);
    p.checksum = (await ctx.md5Slots.run(() => ctx.hasher.hash({ blob: ctx.file, start, end, name: r.name, md5: false, checksum: algorithm }))).checksum;
  }
}

export async function complete(ctx: UploadContext): Promise<void> {
  const r = ctx.record;
  await fillChecksums(ctx);
  const crc = checksumInUse(r) === 'CRC32C';
  const parts = r.parts.map((p) => ({ partNumber: p.n, etag: p.etag!, checksumCRC32C: crc ? p.checksum : undefined }));
  const out = await control(ctx, (o) => ctx.client().send(CompleteMultipartUpload, { bucket: r.bucket, key: r.key, uploadId: r.uploadId!, parts }, o));
  r.etag = out.etag;
}

export function isUploadGone(e: unknown): boolean {
  return e instanceof S3Error && (e.code === 'NoSuchUpload' || (e.code === 'NoSuchKey' && e.operation !== 'HeadObject'));
}
