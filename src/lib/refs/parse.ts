/**
 * Read a kerchunk reference file (JSON version 0 or 1, optionally zstd- or
 * gzip-compressed) into the in-memory form `References`: templates filled
 * in, `gen` entries expanded, metadata objects serialised. Inline strings
 * stay as they are ("base64:..." is decoded when the key is read), so a
 * large file costs one pass and no copies of its inline data.
 *
 * Follows fsspec's `ReferenceFileSystem` (the reference implementation):
 * https://fsspec.github.io/kerchunk/spec.html
 */
import { decompressAny } from './compression';
import { RefsError } from './errors';
import { render, TemplateError } from './template';
import type { Reference, References } from './types';

export { looksLikeReferences } from './sniff';

/** Largest number of references one `gen` entry may expand to (a guard against a runaway product). */
export const MAX_GENERATED = 20_000_000;

interface GenEntry {
  key: string;
  url: string;
  offset?: string | number;
  length?: string | number;
  dimensions: Record<string, number[] | { start?: number; stop: number; step?: number }>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function badEntry(key: string, why: string): RefsError {
  return new RefsError('malformed', `The reference for "${key}" ${why}.`);
}

function normalise(key: string, v: unknown, templates: Record<string, string>): Reference {
  if (typeof v === 'string') return v;
  // Some writers keep metadata (.zarray, .zattrs) as JSON objects, not text.
  if (isObject(v)) return JSON.stringify(v);
  if (!Array.isArray(v)) throw badEntry(key, 'is neither text nor a list');
  const [url, offset, length] = v as unknown[];
  if (typeof url !== 'string') throw badEntry(key, 'has no URL');
  const u = render(url, templates);
  if (v.length === 1) return [u];
  if (v.length === 3 && Number.isSafeInteger(offset) && Number.isSafeInteger(length) && (offset as number) >= 0 && (length as number) >= 0) {
    return [u, offset as number, length as number];
  }
  throw badEntry(key, 'should be [url] or [url, offset, length]');
}

function* dimensionValues(d: GenEntry['dimensions'][string], name: string): Generator<number> {
  if (Array.isArray(d)) return yield* d;
  if (!isObject(d) || typeof d.stop !== 'number') throw new RefsError('malformed', `The gen dimension "${name}" needs a list or {start, stop, step}.`);
  const step = d.step ?? 1;
  if (step <= 0) throw new RefsError('malformed', `The gen dimension "${name}" has a step of ${step}.`);
  for (let i = d.start ?? 0; i < d.stop; i += step) yield i;
}

/** Expand one `gen` entry (the Cartesian product of its dimensions, last dimension fastest). */
function expandGen(gen: GenEntry, templates: Record<string, string>, out: Record<string, Reference>): void {
  if (!isObject(gen) || typeof gen.key !== 'string' || typeof gen.url !== 'string' || !isObject(gen.dimensions)) {
    throw new RefsError('malformed', 'A "gen" entry needs "key", "url" and "dimensions".');
  }
  if (('offset' in gen) !== ('length' in gen)) throw new RefsError('malformed', `The gen entry "${gen.key}" has only one of "offset" and "length".`);
  const names = Object.keys(gen.dimensions);
  const axes = names.map((n) => [...dimensionValues(gen.dimensions[n]!, n)]);
  const total = axes.reduce((a, x) => a * x.length, 1);
  if (total > MAX_GENERATED) throw new RefsError('unsupported', `The gen entry "${gen.key}" makes ${total} references; Tessera expands at most ${MAX_GENERATED}.`);
  if (total === 0) return;
  const idx = names.map(() => 0);
  const vars: Record<string, string | number> = { ...templates };
  for (let n = 0; n < total; n++) {
    names.forEach((name, i) => (vars[name] = axes[i]![idx[i]!]!));
    const key = render(gen.key, vars);
    const url = render(gen.url, vars);
    if (gen.offset !== undefined) {
      const offset = Number(render(String(gen.offset), vars));
      const length = Number(render(String(gen.length), vars));
      if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length)) throw badEntry(key, 'has an offset or length that is not a whole number');
      out[key] = [url, offset, length];
    } else out[key] = [url];
    for (let i = names.length - 1; i >= 0; i--) {
      if (++idx[i]! < axes[i]!.length) break;
      idx[i] = 0;
    }
  }
}

/**
 * Turn a parsed kerchunk document (version 0 or 1) into `References`.
 *
 * @example
 * fromDocument({ version: 1, templates: { u: 's3://b/f.nc' }, refs: { 'x/0': ['{{u}}', 100, 20] } })
 * // { version: 1, refs: { 'x/0': ['s3://b/f.nc', 100, 20] } }
 */
export function fromDocument(doc: unknown): References {
  if (!isObject(doc)) throw new RefsError('not-references', 'This is not a kerchunk reference file: it is not a JSON object.');
  try {
    if (doc.version === undefined) {
      // Version 0: the whole document is the key -> reference map.
      const refs: Record<string, Reference> = {};
      for (const [k, v] of Object.entries(doc)) refs[k] = normalise(k, v, {});
      return { version: 1, refs };
    }
    if (doc.version !== 1) throw new RefsError('unsupported', `This reference file is version ${JSON.stringify(doc.version)}; Tessera reads versions 0 and 1.`);
    if (!isObject(doc.refs)) throw new RefsError('malformed', 'This version 1 reference file has no "refs" object.');
    const templates: Record<string, string> = {};
    if (isObject(doc.templates)) {
      for (const [k, v] of Object.entries(doc.templates)) {
        if (typeof v !== 'string') throw new RefsError('malformed', `The template "${k}" is not text.`);
        if (v.includes('{{')) throw new RefsError('unsupported', `The template "${k}" takes arguments ("${v}"), which Tessera does not support.`);
        templates[k] = v;
      }
    }
    const refs: Record<string, Reference> = {};
    for (const [k, v] of Object.entries(doc.refs)) refs[k] = normalise(k, v, templates);
    if (Array.isArray(doc.gen)) for (const g of doc.gen as GenEntry[]) expandGen(g, templates, refs);
    return { version: 1, refs };
  } catch (e) {
    if (e instanceof TemplateError) throw new RefsError('unsupported', e.message, { cause: e });
    throw e;
  }
}

/** Parse a reference file's bytes (plain, zstd or gzip JSON). */
export async function parseReferences(bytes: Uint8Array, label = 'This file'): Promise<References> {
  let doc: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(await decompressAny(bytes));
    doc = JSON.parse(text);
  } catch (e) {
    throw new RefsError('not-references', `${label} is not a kerchunk reference file: ${e instanceof SyntaxError ? 'its JSON does not parse' : 'it is not UTF-8 text, nor zstd or gzip JSON'}.`, { cause: e });
  }
  return fromDocument(doc);
}

/** The bytes of an inline reference ("base64:..." decoded, other text as UTF-8). */
export function inlineBytes(ref: string): Uint8Array {
  if (ref.startsWith('base64:')) {
    const bin = atob(ref.slice(7));
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }
  return new TextEncoder().encode(ref);
}
