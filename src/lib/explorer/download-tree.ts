/**
 * Download several objects or whole prefixes into a folder the user chose,
 * one object after another, recreating the key's folders below it
 * (`s3cmd get -r`, `mc cp --recursive`).
 */
import type { S3Client } from '../s3/client';
import type { ObjectSummary } from '../s3/ops/list-objects';
import { downloadObject, fileSink } from './download';
import { expandSelection } from './walk';
import { throttle } from '../throttle';

export interface TreeDownloadProgress {
  phase: 'listing' | 'downloading' | 'done';
  objects: number;
  bytes: number;
  doneObjects: number;
  doneBytes: number;
  current?: string;
}

/**
 * Path segments of a key below `base`, each made safe as one file name on
 * every desktop system, so a key can never name a place outside the folder
 * the user chose (nor a zip entry extract outside its folder): empty and `.`
 * segments are dropped (`a//b`, `a/./b`, `/etc/x` stay below the folder), a
 * segment of dots only (`..`) is written with `%2E`, and `\` (a separator
 * on Windows), `:` (a drive, `C:\x`) and control characters (NUL included)
 * are percent-encoded. Every other character is kept as it is.
 */
export function localPath(key: string, base: string): string[] {
  const rest = key.startsWith(base) ? key.slice(base.length) : key;
  return rest
    .split('/')
    .filter((s) => s !== '' && s !== '.')
    .map(safeSegment);
}

/** One path segment as a file name that names only itself. */
export function safeSegment(s: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what this encodes
  const out = s.replace(/[\u0000-\u001f\u007f\\:]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  return /^\.+$/.test(out) ? out.replace(/\./g, '%2E') : out;
}

export async function downloadTree(
  client: S3Client,
  bucket: string,
  objects: ObjectSummary[],
  prefixes: string[],
  base: string,
  dir: FileSystemDirectoryHandle,
  options: { signal?: AbortSignal; onProgress?: (p: TreeDownloadProgress) => void } = {},
): Promise<TreeDownloadProgress & { failures: { key: string; message: string }[] }> {
  const report = throttle(options.onProgress, 150);
  const p: TreeDownloadProgress = { phase: 'listing', objects: 0, bytes: 0, doneObjects: 0, doneBytes: 0 };
  const all = (await expandSelection(client, bucket, objects, prefixes, { signal: options.signal, onProgress: (w) => report.push({ ...p, objects: w.objects, bytes: w.bytes }) })).filter((o) => !o.key.endsWith('/'));
  p.phase = 'downloading';
  p.objects = all.length;
  p.bytes = all.reduce((n, o) => n + Math.max(0, o.size), 0);
  const failures: { key: string; message: string }[] = [];
  for (const o of all) {
    const parts = localPath(o.key, base);
    if (!parts.length) continue;
    p.current = o.key;
    report.push({ ...p });
    try {
      let d = dir;
      for (const seg of parts.slice(0, -1)) d = await d.getDirectoryHandle(seg, { create: true });
      const file = await d.getFileHandle(parts.at(-1)!, { create: true });
      const before = p.doneBytes;
      await downloadObject(client, bucket, o.key, (size) => fileSink(file, size), {
        signal: options.signal,
        onProgress: (x) => report.push({ ...p, doneBytes: before + x.bytes }),
      });
      p.doneBytes = before + Math.max(0, o.size);
      p.doneObjects++;
    } catch (e) {
      if ((e as { code?: string }).code === 'Aborted' || options.signal?.aborted) throw e;
      failures.push({ key: o.key, message: (e as Error).message });
    }
  }
  p.phase = 'done';
  p.current = undefined;
  report.flush({ ...p });
  return { ...p, failures };
}

export type { ObjectSummary };
