/**
 * Download several objects and prefixes as ONE zip file, streamed: each object's
 * body flows from a signed GET through client-zip into a byte sink (a file the
 * user picked, or a file of the origin private file system), so neither the zip
 * nor any object is ever held whole in memory.
 *
 * client-zip stores entries without compression (science data is mostly
 * compressed already), switches to ZIP64 past 4 GiB, and flags string names as
 * UTF-8, so keys of any kind keep their exact bytes as entry names.
 *
 * A zip cannot hold half an entry: an object that fails once its bytes have
 * started to flow abandons the whole zip (the error names the key). An object
 * that cannot be opened at all (changed since it was listed, deleted, refused)
 * is left out before its entry starts and listed in the summary.
 */
import { makeZip, predictLength } from 'client-zip';
import type { S3Client } from '../s3/client';
import { S3Error, abortedError } from '../s3/errors';
import type { GetObjectOutput } from '../s3/ops/get-object';
import type { ObjectSummary } from '../s3/ops/list-objects';
import { boundGet, fileSink, type ByteSink, type EtagBinding } from './download';
import { localPath } from './download-tree';
import { expandSelection } from './walk';
import { throttle } from '../throttle';

/** One object as it will appear in the zip. */
export interface ZipEntry {
  key: string;
  /** Path inside the zip, relative to the folder the selection was made in. */
  name: string;
  size: number;
  /** ISO 8601, from the listing. */
  lastModified: string;
  /** The listed ETag: every GET carries it as If-Match, so a changed object is reported, not mixed in. */
  etag: string;
}

export interface ZipPlan {
  entries: ZipEntry[];
  /** Keys whose name collided with an earlier one (e.g. `a//b` and `a/b`) and got a numbered name. */
  renamed: { key: string; name: string }[];
}

/**
 * Names for the zip: the key's path below `base` (`..` neutralised by localPath),
 * folder markers and keys with no name of their own left out, collisions numbered.
 */
export function planZip(objects: ObjectSummary[], base: string): ZipPlan {
  const taken = new Set<string>();
  const entries: ZipEntry[] = [];
  const renamed: { key: string; name: string }[] = [];
  for (const o of objects) {
    if (o.key.endsWith('/')) continue;
    const parts = localPath(o.key, base);
    if (!parts.length) continue;
    let name = parts.join('/');
    if (taken.has(name)) {
      const dot = name.lastIndexOf('.');
      const cut = dot > name.lastIndexOf('/') + 1 ? dot : name.length;
      let i = 2;
      while (taken.has(`${name.slice(0, cut)} (${i})${name.slice(cut)}`)) i++;
      name = `${name.slice(0, cut)} (${i})${name.slice(cut)}`;
      renamed.push({ key: o.key, name });
    }
    taken.add(name);
    entries.push({ key: o.key, name, size: Math.max(0, o.size), lastModified: o.lastModified, etag: o.etag });
  }
  return { entries, renamed };
}

/** A listing date, or now when the store gave none client-zip can read. */
function dateOf(e: ZipEntry): Date {
  const d = new Date(e.lastModified);
  return Number.isNaN(d.getTime()) ? new Date() : d;
}

/** The exact byte length of the zip holding these entries (client-zip's own arithmetic). */
export function zipLength(entries: ZipEntry[]): number {
  return Number(predictLength(entries.map((e) => ({ name: e.name, size: e.size, lastModified: dateOf(e) }))));
}

export interface ZipProgress {
  phase: 'listing' | 'zipping' | 'done';
  objects: number;
  /** Object bytes to fetch. */
  bytes: number;
  doneObjects: number;
  doneBytes: number;
  /** Expected size of the zip file (shrinks if an object is left out). */
  zipBytes: number;
  /** Bytes written to the zip file so far. */
  written: number;
  current?: string;
}

export interface ZipResult extends ZipProgress {
  /** Size of the finished zip file, checked against `zipBytes`. */
  size: number;
  skipped: { key: string; message: string }[];
  renamed: { key: string; name: string }[];
  ms: number;
}

export interface ZipOptions {
  signal?: AbortSignal;
  onProgress?: (p: ZipProgress) => void;
  /** GETs opened ahead of the entry being written (default 2): hides per-request latency for small objects. */
  ahead?: number;
}

/** Range GETs tried for one object whose connection broke mid-way, before the zip is abandoned. */
const MAX_RESUMES = 3;

type Opened = { entry: ZipEntry; out?: GetObjectOutput; error?: unknown };

/** Stream `entries` into `sink` as one zip. The sink is closed on success and aborted on any failure or cancel. */
export async function zipEntries(client: S3Client, bucket: string, plan: ZipPlan, sink: ByteSink, options: ZipOptions = {}): Promise<ZipResult> {
  const t0 = Date.now();
  const { entries } = plan;
  const outer = options.signal;
  // Our own controller so that a failure also cancels the GETs opened ahead.
  const ac = new AbortController();
  const stop = (): void => ac.abort(outer?.reason);
  outer?.addEventListener('abort', stop, { once: true });
  const report = throttle(options.onProgress, 150);
  const p: ZipProgress = {
    phase: 'zipping',
    objects: entries.length,
    bytes: entries.reduce((n, e) => n + e.size, 0),
    doneObjects: 0,
    doneBytes: 0,
    zipBytes: zipLength(entries),
    written: 0,
  };
  const skipped: { key: string; message: string }[] = [];
  const included: ZipEntry[] = [];
  const aborted = (): boolean => !!outer?.aborted;

  // Each entry bound to its listed ETag, as a download's ranges are (see boundGet).
  const binding: EtagBinding = { ifMatch: false };
  const changed = (entry: ZipEntry) => (now: string) => `The object changed after it was listed (its ETag was ${entry.etag}, now ${now}).`;
  const get = (entry: ZipEntry, start?: number): Promise<GetObjectOutput> =>
    boundGet(client, bucket, entry.key, start === undefined ? undefined : { start }, entry.etag || undefined, binding, ac.signal, changed(entry));

  const open = (entry: ZipEntry): Promise<Opened> =>
    get(entry).then(
      (out) => ({ entry, out }),
      (error: unknown) => ({ entry, error }),
    );

  /** The body of one entry, counted and checked; a failure here abandons the zip, naming the key. */
  async function* body(entry: ZipEntry, out: GetObjectOutput): AsyncGenerator<Uint8Array> {
    let reader: ReadableStreamDefaultReader<Uint8Array> | undefined = out.body.body?.getReader();
    let status = out.status;
    let n = 0;
    let resumes = 0;
    const fail = (why: string, cause?: unknown): S3Error => {
      if (aborted()) return abortedError('DownloadZip');
      // One code whatever broke, so the page shows this message (naming the key) rather than a generic one.
      return new S3Error(
        {
          operation: 'DownloadZip',
          status,
          code: 'IncompleteBody',
          message: `Reading "${entry.key}" failed after ${n} of ${entry.size} bytes (${why}). A zip cannot hold half an object, so the zip was abandoned; try again.`,
          bucket,
          key: entry.key,
          retryable: true,
        },
        { cause },
      );
    };
    /**
     * A connection that breaks mid-object is picked up where it stopped, with a
     * range GET still bound to the listed ETag (so the bytes come from the same
     * version); only after a few failed resumes is the zip abandoned.
     */
    const resume = async (cause: unknown): Promise<ReadableStreamDefaultReader<Uint8Array>> => {
      const why = (cause as Error)?.message || 'the connection broke';
      if (aborted()) throw abortedError('DownloadZip');
      if (resumes >= MAX_RESUMES || n >= entry.size) throw fail(why, cause);
      resumes++;
      let again: GetObjectOutput;
      try {
        again = await get(entry, n);
      } catch (e) {
        throw fail(`${why}; resuming failed: ${(e as Error)?.message}`, e);
      }
      status = again.status;
      const next = again.body.body?.getReader();
      if (again.status !== 206 || !next) {
        await again.body.body?.cancel().catch(() => undefined);
        throw fail(`${why}; the store did not resume at byte ${n}`, cause);
      }
      return next;
    };
    if (entry.size > 0 && !reader) throw fail('the store sent no body');
    const before = p.doneBytes;
    while (reader) {
      let r: ReadableStreamReadResult<Uint8Array>;
      try {
        r = await reader.read();
      } catch (e) {
        reader = await resume(e);
        continue;
      }
      if (r.done) break;
      if (aborted()) throw abortedError('DownloadZip');
      n += r.value.byteLength;
      if (n > entry.size) throw fail('the object is larger than listed');
      p.doneBytes = before + n;
      report.push({ ...p });
      yield r.value;
    }
    if (n !== entry.size) throw fail('the body ended early');
    p.doneObjects++;
  }

  /** Entries for client-zip, opening up to `ahead` GETs in advance; objects that cannot be opened are skipped. */
  async function* files(): AsyncGenerator<{ name: string; lastModified: Date; size: number; input: AsyncIterable<Uint8Array> }> {
    const ahead = Math.max(1, options.ahead ?? 2);
    const queue: Promise<Opened>[] = [];
    let next = 0;
    const fill = (): void => {
      while (queue.length < ahead && next < entries.length) queue.push(open(entries[next++]!));
    };
    fill();
    while (queue.length) {
      const r = await queue.shift()!;
      fill();
      if (aborted()) throw abortedError('DownloadZip');
      if (!r.out) {
        skipped.push({ key: r.entry.key, message: (r.error as Error)?.message ?? String(r.error) });
        p.objects--;
        p.bytes -= r.entry.size;
        p.zipBytes = zipLength([...included, ...entries.slice(included.length + skipped.length)]);
        report.push({ ...p });
        continue;
      }
      included.push(r.entry);
      p.current = r.entry.key;
      report.push({ ...p });
      yield { name: r.entry.name, lastModified: dateOf(r.entry), size: r.entry.size, input: body(r.entry, r.out) };
    }
  }

  try {
    const reader = makeZip(files()).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      await sink.write(p.written, value);
      p.written += value.byteLength;
    }
    if (entries.length && !included.length) {
      throw new S3Error({ operation: 'DownloadZip', status: 0, code: 'NothingToZip', message: `None of the ${entries.length} objects could be read, e.g. "${skipped[0]?.key}": ${skipped[0]?.message}`, bucket, retryable: true });
    }
    const size = await sink.close();
    const expected = zipLength(included);
    if (size !== expected || size !== p.written) {
      throw new S3Error({ operation: 'DownloadZip', status: 0, code: 'SizeMismatch', message: `The zip file has ${size} bytes but should have ${expected}.`, bucket, retryable: false });
    }
    p.phase = 'done';
    p.current = undefined;
    p.zipBytes = expected;
    report.flush({ ...p });
    return { ...p, size, skipped, renamed: plan.renamed, ms: Date.now() - t0 };
  } catch (e) {
    ac.abort();
    await sink.abort().catch(() => undefined);
    if (aborted()) throw abortedError('DownloadZip');
    throw e;
  } finally {
    outer?.removeEventListener('abort', stop);
  }
}

/** Expand a selection (objects + prefixes, recursively) and stream it into one zip. */
export async function downloadZip(
  client: S3Client,
  bucket: string,
  objects: ObjectSummary[],
  prefixes: string[],
  base: string,
  sinkFor: () => Promise<ByteSink>,
  options: ZipOptions = {},
): Promise<ZipResult> {
  const report = options.onProgress;
  const listed = await expandSelection(client, bucket, objects, prefixes, {
    signal: options.signal,
    onProgress: (w) => report?.({ phase: 'listing', objects: w.objects, bytes: w.bytes, doneObjects: 0, doneBytes: 0, zipBytes: 0, written: 0, current: w.lastKey }),
  });
  const plan = planZip(listed, base);
  const sink = await sinkFor();
  return zipEntries(client, bucket, plan, sink, options);
}

/** The zip's suggested file name: the folder the selection was made in, or the bucket. */
export function zipName(bucket: string, base: string): string {
  const last = base.split('/').filter(Boolean).pop() ?? bucket;
  // Characters no desktop file system takes in a file name, and control characters.
  const safe = Array.from(last, (c) => (c < ' ' || '\\/:*?"<>|'.includes(c) ? '_' : c)).join('').replace(/^\.+$/, '_');
  return `${safe || 'download'}.zip`;
}

// ---- Where the browser has no save dialog: the zip is made in the origin private file system (OPFS).

/** OPFS folder of zips waiting to be handed to the browser's download. */
export const ZIP_TEMP_DIR = 'tessera-zip';
/** Temp zips older than this are swept at the next zip (the page removes its own sooner). */
const STALE_MS = 60 * 60 * 1000;

async function tempDir(): Promise<FileSystemDirectoryHandle> {
  return (await navigator.storage.getDirectory()).getDirectoryHandle(ZIP_TEMP_DIR, { create: true });
}

/** A fresh OPFS file for a zip; stale zips of earlier sessions are removed first. */
export async function createTempZip(): Promise<{ name: string; handle: FileSystemFileHandle }> {
  const dir = await tempDir();
  const now = Date.now();
  for await (const [name, h] of (dir as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }).entries()) {
    if (h.kind !== 'file') continue;
    // A zip still being written (another tab) is locked: reading or removing it fails harmlessly.
    const age = await (h as FileSystemFileHandle).getFile().then((f) => now - f.lastModified, () => 0);
    if (age > STALE_MS) await dir.removeEntry(name).catch(() => undefined);
  }
  const name = `${crypto.randomUUID()}.zip`;
  return { name, handle: await dir.getFileHandle(name, { create: true }) };
}

/** Remove a temp zip once the browser has its download (or the user closed the panel). */
export async function removeTempZip(name: string): Promise<void> {
  if (!/^[0-9a-f-]{36}\.zip$/.test(name)) return;
  await (await tempDir()).removeEntry(name).catch(() => undefined);
}

/** What the S3 worker hands back: the summary, and where no file was picked, the temp zip to download. */
export interface ZipFileResult extends ZipResult {
  temp?: { name: string; file: File };
}

/**
 * Zip a selection into `file` (a file the user picked), or, when there is none,
 * into a temp OPFS file whose `File` is returned for the page to download.
 * A failed or cancelled zip leaves no temp file behind.
 */
export async function zipToFile(
  client: S3Client,
  bucket: string,
  objects: ObjectSummary[],
  prefixes: string[],
  base: string,
  file: FileSystemFileHandle | null,
  options: ZipOptions = {},
): Promise<ZipFileResult> {
  if (file) return downloadZip(client, bucket, objects, prefixes, base, () => fileSink(file, 0), options);
  let temp: { name: string; handle: FileSystemFileHandle } | undefined;
  const sinkFor = async (): Promise<ByteSink> => {
    temp = await createTempZip();
    const name = temp.name;
    const sink = await fileSink(temp.handle, 0);
    return {
      write: (at, bytes) => sink.write(at, bytes),
      close: () => sink.close(),
      abort: async () => {
        await sink.abort().catch(() => undefined);
        await removeTempZip(name);
      },
    };
  };
  const r = await downloadZip(client, bucket, objects, prefixes, base, sinkFor, options);
  return { ...r, temp: temp && { name: temp.name, file: await temp.handle.getFile() } };
}
