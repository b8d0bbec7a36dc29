/**
 * Write references as a kerchunk JSON file (version 1), the form
 * `xr.open_dataset("reference://", engine="zarr", backend_kwargs={"storage_options": {"fo": ...}})`
 * opens. Repeated URLs are folded into `templates` (`{{u0}}`...), which keeps
 * files of thousands of chunks of one object small; everything else is
 * written as it is.
 */
import type { Reference, References } from './types';

export interface WriteOptions {
  /** Fold URLs used at least this often into templates (0: never). Default 2. */
  templateMin?: number;
  /** Text to prepend to relative URLs, e.g. "s3://bucket/folder/" (Python has no notion of "next to the file"). */
  absoluteBase?: string;
}

/** The kerchunk JSON document for `refs`. */
export function toDocument(refs: References, options: WriteOptions = {}): { version: 1; templates?: Record<string, string>; refs: Record<string, Reference> } {
  const min = options.templateMin ?? 2;
  const abs = (url: string) => (options.absoluteBase && !/^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? options.absoluteBase + url.replace(/^\.?\//, '') : url);
  const uses = new Map<string, number>();
  for (const r of Object.values(refs.refs)) if (typeof r !== 'string') uses.set(abs(r[0]), (uses.get(abs(r[0])) ?? 0) + 1);
  const templates: Record<string, string> = {};
  const name = new Map<string, string>();
  if (min > 0) for (const [url, n] of uses) if (n >= min) {
    const t = `u${name.size}`;
    name.set(url, t);
    templates[t] = url;
  }
  const out: Record<string, Reference> = {};
  for (const [k, r] of Object.entries(refs.refs)) {
    if (typeof r === 'string') out[k] = r;
    else {
      const url = abs(r[0]);
      const u = name.has(url) ? `{{${name.get(url)}}}` : url;
      out[k] = r.length === 3 ? [u, r[1], r[2]] : [u];
    }
  }
  return name.size ? { version: 1, templates, refs: out } : { version: 1, refs: out };
}

/** The bytes of a kerchunk JSON file for `refs` (UTF-8). */
export function encodeReferences(refs: References, options: WriteOptions = {}): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(toDocument(refs, options)));
}

/** The key of the reference file Tessera writes for the data object `key`: next to it, `<key>.json`. */
export function referencesKeyFor(key: string): string {
  return `${key.replace(/\/+$/, '')}.json`;
}

/**
 * The key of the reference file for files of `folder` combined along `dim`:
 * in that folder, named after the first and last file, e.g.
 * `runs/tas_2001-tas_2003.time.json`.
 */
export function combinedReferencesKey(folder: string, combine: { files: string[]; dim: string }): string {
  const stem = (f: string) => f.replace(/\.[^.]*$/, '');
  const files = [...combine.files].sort();
  const name = files.length > 1 ? `${stem(files[0]!)}-${stem(files[files.length - 1]!)}` : stem(files[0] ?? 'combined');
  const f = folder.replace(/^\/+|\/+$/g, '');
  return `${f ? `${f}/` : ''}${name}.${combine.dim.replace(/[/\\]/g, '_')}.json`;
}

/** The kerchunk JSON to store at `key` in `bucket`, relative URLs made absolute from that key's folder. */
export function referencesBody(refs: References, bucket: string, key: string): Uint8Array {
  const folder = key.split('/').slice(0, -1).join('/');
  return encodeReferences(refs, { absoluteBase: `s3://${bucket}/${folder ? `${folder}/` : ''}` });
}

/** Writes an object (the S3 worker's PutObject). */
export type PutFn = (input: { bucket: string; key: string; body: Uint8Array; contentType: string }) => Promise<unknown>;

/**
 * Write `refs` as a kerchunk JSON object at `key` in `bucket`. URLs relative
 * to that key's folder are written as `s3://bucket/folder/...`, so Python
 * (fsspec's `reference://` with `remote_protocol="s3"`) opens the file
 * wherever it is read from.
 *
 * @example
 * await writeReferences({ refs, bucket: 'b', key: referencesKeyFor('dir/tas.nc'), put: (i) => s3.objects.putObject(i) });
 */
export async function writeReferences(options: { refs: References; bucket: string; key: string; put: PutFn }): Promise<{ key: string; bytes: number }> {
  const body = referencesBody(options.refs, options.bucket, options.key);
  await options.put({ bucket: options.bucket, key: options.key, body, contentType: 'application/json' });
  return { key: options.key, bytes: body.length };
}
