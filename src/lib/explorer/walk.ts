/**
 * Recursive walks over a prefix, run in the S3 worker so the page only sees
 * compact progress: `du` (count and bytes, like `s3fs du` / `s3cmd du`) and
 * `find` (keys containing a substring). Progress is throttled so a 100,000-key
 * walk posts a few dozen messages, not a hundred thousand.
 */
import type { S3Client } from '../s3/client';
import type { ObjectSummary } from '../s3/ops/list-objects';
import { listPagesUnpreflighted } from './list-presigned';
import { throttle } from '../throttle';

export interface WalkProgress {
  objects: number;
  bytes: number;
  pages: number;
  /** The key reached so far (keys come in order), to show where the walk is. */
  lastKey?: string;
  done: boolean;
}

export interface WalkOptions {
  signal?: AbortSignal;
  onProgress?: (p: WalkProgress) => void;
  /** Minimum milliseconds between progress reports (the last one always comes). */
  throttleMs?: number;
}

/** Every object under `prefix` (no delimiter), page by page (presigned pages: no preflight each). */
export async function* walkObjects(client: S3Client, bucket: string, prefix: string, signal?: AbortSignal): AsyncGenerator<ObjectSummary[]> {
  for await (const page of listPagesUnpreflighted(client, { bucket, prefix: prefix || undefined }, signal)) yield page.objects;
}

/** Object count and bytes under `prefix`. */
export async function du(client: S3Client, bucket: string, prefix: string, options: WalkOptions = {}): Promise<WalkProgress> {
  const p: WalkProgress = { objects: 0, bytes: 0, pages: 0, done: false };
  const report = throttle(options.onProgress, options.throttleMs ?? 150);
  for await (const objects of walkObjects(client, bucket, prefix, options.signal)) {
    p.pages++;
    p.objects += objects.length;
    for (const o of objects) p.bytes += o.size;
    p.lastKey = objects.at(-1)?.key;
    report.push({ ...p });
  }
  p.done = true;
  report.flush({ ...p });
  return p;
}

export interface FindOptions extends WalkOptions {
  /** Matches found so far, in batches. */
  onMatches?: (matches: ObjectSummary[]) => void;
  /** Stop collecting after this many matches (the walk still counts). Default 10,000. */
  maxMatches?: number;
  caseSensitive?: boolean;
}

export interface FindResult extends WalkProgress {
  matches: number;
  /** True when more matched than `maxMatches`. */
  truncated: boolean;
}

/**
 * Keys under `prefix` whose part after the prefix contains `needle`
 * (`*` and `?` are wildcards). Like `mc find --name` or `s3cmd ls -r | grep`.
 */
export async function find(client: S3Client, bucket: string, prefix: string, needle: string, options: FindOptions = {}): Promise<FindResult> {
  const test = matcher(needle, options.caseSensitive ?? false);
  const max = options.maxMatches ?? 10_000;
  const r: FindResult = { objects: 0, bytes: 0, pages: 0, done: false, matches: 0, truncated: false };
  const report = throttle(options.onProgress, options.throttleMs ?? 150);
  for await (const objects of walkObjects(client, bucket, prefix, options.signal)) {
    r.pages++;
    r.objects += objects.length;
    const hits: ObjectSummary[] = [];
    for (const o of objects) {
      r.bytes += o.size;
      if (test(o.key.slice(prefix.length))) {
        r.matches++;
        if (r.matches <= max) hits.push(o);
        else r.truncated = true;
      }
    }
    r.lastKey = objects.at(-1)?.key;
    if (hits.length) options.onMatches?.(hits);
    report.push({ ...r });
  }
  r.done = true;
  report.flush({ ...r });
  return r;
}

export function matcher(needle: string, caseSensitive: boolean): (s: string) => boolean {
  const n = caseSensitive ? needle : needle.toLowerCase();
  if (/[*?]/.test(n)) {
    const re = new RegExp(n.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.'), caseSensitive ? '' : 'i');
    return (s) => re.test(s);
  }
  return caseSensitive ? (s) => s.includes(n) : (s) => s.toLowerCase().includes(n);
}

/**
 * The objects a selection stands for: the selected objects plus every object
 * under the selected prefixes, each once.
 */
export async function expandSelection(client: S3Client, bucket: string, objects: ObjectSummary[], prefixes: string[], options: WalkOptions = {}): Promise<ObjectSummary[]> {
  const index = new Map<string, number>();
  const out: ObjectSummary[] = [];
  const p: WalkProgress = { objects: 0, bytes: 0, pages: 0, done: false };
  const report = throttle(options.onProgress, options.throttleMs ?? 150);
  const add = (o: ObjectSummary): void => {
    const at = index.get(o.key);
    if (at !== undefined) return;
    index.set(o.key, out.length);
    out.push(o);
    p.objects++;
    p.bytes += o.size;
  };
  for (const o of objects) add(o);
  for (const prefix of prefixes) {
    for await (const page of walkObjects(client, bucket, prefix, options.signal)) {
      p.pages++;
      for (const o of page) add(o);
      p.lastKey = page.at(-1)?.key;
      report.push({ ...p });
    }
  }
  p.done = true;
  report.flush({ ...p });
  return out;
}
