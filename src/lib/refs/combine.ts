/**
 * The virtual `open_mfdataset`: several files' kerchunk references (one set
 * per file, as the scanner makes them) combined along one dimension into one
 * reference set, the way `xr.open_mfdataset(files, combine="by_coords")` (or
 * `combine="nested", concat_dim=dim`) with `data_vars="minimal",
 * coords="minimal", compat="override"` presents them:
 *
 * - variables along the dimension are concatenated: each file's chunks are
 *   renumbered after the chunks of the files before it;
 * - the coordinate variable of the dimension is concatenated into inline data
 *   (kerchunk's MultiZarrToZarr inlines coordinates too), re-encoded in the
 *   first file's units when CF time units differ between files (and so are
 *   other time variables along it, such as its CF bounds, whose units differ);
 * - variables without the dimension, groups and attributes come from the
 *   first file; such a variable must have the same shape and dtype in every
 *   file (a mismatch is an error naming the file and the variable);
 * - with "by_coords", files are put in the order of their coordinate values,
 *   increasing or, where every file's values decrease, decreasing (as
 *   combine_by_coords does; overlapping ranges are an error); with "nested",
 *   in the order given.
 *
 * Zarr v2 chunks are regular, so a file's chunks can follow another's only
 * when every file but the last ends on a chunk boundary. Uncompressed data
 * (contiguous variables, NetCDF-3) is re-cut along the dimension into
 * smaller chunks that line up; compressed chunks that do not line up are an
 * error saying so (kerchunk has the same limit).
 *
 * @example
 * const parts = await Promise.all(names.map(async (name) => {
 *   const refs = await scanToReferences(folder, name);
 *   return { name, refs, source: openReferences(refs, folder) };
 * }));
 * const combined = await combineReferences(parts, { dim: 'time' });
 * const ds = await ZarrDataset.open(openReferences(combined, folder));
 */
import * as zarr from 'zarrita';
import type { AbsolutePath } from 'zarrita';
import { parseTimeUnits, timeToEpochMs } from '../cf/time';
import type { KeySource } from '../zarr/source';
import { RefsError } from './errors';
import { inlineBytes } from './parse';
import type { Reference, References } from './types';

/** One file to combine: its name (for messages), its references, and a source over them (to read its coordinate). */
export interface CombinePart {
  name: string;
  refs: References;
  source: KeySource;
}

export type CombineOrder = 'by_coords' | 'nested';

export interface CombineOptions {
  /** The dimension to concatenate along (usually time). */
  dim: string;
  /** "by_coords" (default): order by the dimension's coordinate values; "nested": as given. */
  order?: CombineOrder;
  signal?: AbortSignal;
}

/** The combined references, with the files in the order they were put and their lengths along `dim`. */
export interface CombinedReferences extends References {
  dim: string;
  files: string[];
  lengths: number[];
}

interface ZArray {
  shape: number[];
  chunks: number[];
  dtype: string;
  compressor: unknown;
  filters: unknown;
  fill_value: unknown;
  order?: string;
  dimension_separator?: string;
  zarr_format: 2;
}

interface Variable {
  path: string;
  meta: ZArray;
  attrs: Record<string, unknown>;
  dims: string[];
  /** The fill value as written (an int64 fill loses digits as a JavaScript number). */
  fillText: string;
  /** Chunk index (parsed) and reference. */
  chunks: [number[], Reference][];
}

interface Parsed {
  name: string;
  source: KeySource;
  vars: Map<string, Variable>;
  /** Group and dataset metadata keys (.zgroup, .zattrs of groups). */
  other: Record<string, Reference>;
}

const META = /(^|\/)\.z(array|attrs|group|metadata)$/;

function json(ref: Reference | undefined, what: string): Record<string, unknown> {
  if (typeof ref !== 'string') throw new RefsError('malformed', `${what} is not inline JSON.`);
  try {
    return JSON.parse(new TextDecoder().decode(inlineBytes(ref))) as Record<string, unknown>;
  } catch (e) {
    throw new RefsError('malformed', `${what} is not valid JSON.`, { cause: e });
  }
}

/** Split one file's references into variables (metadata and chunks) and everything else. */
function parse(part: CombinePart): Parsed {
  const refs = part.refs.refs;
  const vars = new Map<string, Variable>();
  for (const key of Object.keys(refs)) {
    if (!key.endsWith('.zarray') || !/(^|\/)\.zarray$/.test(key)) continue;
    const path = key.slice(0, -'.zarray'.length).replace(/\/$/, '');
    const meta = json(refs[key], `${part.name}: ${key}`) as unknown as ZArray;
    const text = new TextDecoder().decode(inlineBytes(refs[key] as string));
    const fillText = /"fill_value"\s*:\s*(-?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)\s*[,}]/.exec(text)?.[1] ?? JSON.stringify(meta.fill_value ?? null);
    const attrs = refs[`${path ? `${path}/` : ''}.zattrs`] === undefined ? {} : json(refs[`${path ? `${path}/` : ''}.zattrs`], `${part.name}: ${path}/.zattrs`);
    const dims = Array.isArray(attrs._ARRAY_DIMENSIONS) ? (attrs._ARRAY_DIMENSIONS as string[]) : [];
    vars.set(path, { path, meta, attrs, dims, fillText, chunks: [] });
  }
  const other: Record<string, Reference> = {};
  for (const [key, ref] of Object.entries(refs)) {
    if (META.test(key)) {
      // Consolidated metadata would describe one file only; the reference store makes it afresh.
      if (key.endsWith('.zmetadata')) continue;
      const owner = key.slice(0, key.lastIndexOf('/') < 0 ? 0 : key.lastIndexOf('/'));
      if (!vars.has(owner) || key.endsWith('.zgroup')) other[key] = ref;
      continue;
    }
    // A chunk key: the longest leading path that is an array owns it.
    let cut = key.lastIndexOf('/');
    while (cut > 0 && !vars.has(key.slice(0, cut))) cut = key.lastIndexOf('/', cut - 1);
    const v = cut > 0 ? vars.get(key.slice(0, cut)) : vars.get('');
    if (!v) {
      other[key] = ref;
      continue;
    }
    const sep = v.meta.dimension_separator === '/' ? '/' : '.';
    const idx = key.slice(cut + 1).split(sep).map(Number);
    if (idx.some((n) => !Number.isInteger(n) || n < 0)) throw new RefsError('malformed', `${part.name}: "${key}" is not a chunk key of ${v.path}.`);
    v.chunks.push([v.meta.shape.length ? idx : [], ref]);
  }
  return { name: part.name, source: part.source, vars, other };
}

/** "a/b/" for the variable "a/b/c" ("" at the top). */
const prefixOf = (path: string) => (path.includes('/') ? path.slice(0, path.lastIndexOf('/') + 1) : '');

/** `.zarray` text with the fill value written as the file wrote it. */
function zarrayText(meta: ZArray, fillText: string): string {
  return JSON.stringify({ ...meta, fill_value: '\u0000fill' }).replace('"\\u0000fill"', fillText);
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const gcd = (a: number, b: number): number => (b ? gcd(b, a % b) : a);
const itemSize = (dtype: string) => Number(/^[<>|]?[a-zA-Z](\d+)$/.exec(dtype)?.[1] ?? NaN);

/** Read a whole 1-D array of one file through its references. */
async function readValues(source: KeySource, path: string, signal?: AbortSignal): Promise<Float64Array> {
  const store = { get: (key: AbsolutePath) => source.get(key.slice(1), undefined, signal) };
  const arr = await zarr.open.v2(zarr.root(store).resolve(path), { kind: 'array', attrs: false });
  const { data } = (await zarr.get(arr)) as { data: ArrayLike<number | bigint> };
  return Float64Array.from(data as ArrayLike<number>, (v) => Number(v));
}

/** Each file's coordinate `values` as numbers in the first file's units. */
function inFirstUnits(files: Parsed[], raw: Float64Array[], path: string): Float64Array[] {
  const first = files[0]!.vars.get(path)!.attrs;
  const units0 = typeof first.units === 'string' ? parseTimeUnits(first.units, first.calendar) : null;
  return raw.map((v, i) => {
    const attrs = files[i]!.vars.get(path)!.attrs;
    if (same(attrs.units, first.units) && same(attrs.calendar, first.calendar)) return v;
    const units = typeof attrs.units === 'string' ? parseTimeUnits(attrs.units, attrs.calendar) : null;
    const e0 = units0 && timeToEpochMs(0, units0);
    const e = units && timeToEpochMs(0, units);
    if (!units || !units0 || e == null || e0 == null || units.calendar !== units0.calendar) {
      throw new RefsError('unsupported', `${files[i]!.name}: "${path}" has units "${String(attrs.units)}"${attrs.calendar ? ` (${String(attrs.calendar)})` : ''}, ${files[0]!.name} has "${String(first.units)}"; Tessera converts only CF time units of the standard calendars.`);
    }
    return v.map((x) => (e + x * units.unitMs - e0) / units0.unitMs);
  });
}

/** Inline little-endian bytes of `values` as `dtype` ("<f8", "<i4", ...). */
function encodeValues(values: Float64Array, dtype: string): string {
  const kind = dtype[1]!;
  const size = itemSize(dtype);
  const bytes = new Uint8Array(values.length * size);
  const view = new DataView(bytes.buffer);
  const setters: Record<string, (o: number, v: number) => void> = {
    f4: (o, v) => view.setFloat32(o, v, true),
    f8: (o, v) => view.setFloat64(o, v, true),
    i8: (o, v) => view.setBigInt64(o, BigInt(v), true),
    u8: (o, v) => view.setBigUint64(o, BigInt(v), true),
    i4: (o, v) => view.setInt32(o, v, true),
    u4: (o, v) => view.setUint32(o, v, true),
    i2: (o, v) => view.setInt16(o, v, true),
    u2: (o, v) => view.setUint16(o, v, true),
    i1: (o, v) => view.setInt8(o, v),
    u1: (o, v) => view.setUint8(o, v),
  };
  const set = setters[`${kind}${size}`];
  if (!set) throw new RefsError('unsupported', `Tessera cannot write a coordinate of dtype ${dtype}.`);
  values.forEach((v, i) => set(i * size, v));
  return base64(bytes);
}

/** The combined coordinate's dtype: the first file's (little-endian) unless re-encoded values are no longer whole numbers. */
function coordinateDtype(dtype: string, values: Float64Array): string {
  const kind = dtype.replace(/^[<>|]/, '')[0]!;
  const size = itemSize(dtype);
  if (!'iuf'.includes(kind) || !Number.isFinite(size)) return '<f8';
  if (kind !== 'f' && values.some((v) => !Number.isInteger(v))) return '<f8';
  return `<${kind}${size}`;
}

/**
 * Combine `parts` along `options.dim` into one reference set.
 * Throws a `RefsError` naming the file and variable that cannot be combined.
 */
export async function combineReferences(parts: CombinePart[], options: CombineOptions): Promise<CombinedReferences> {
  const { dim, signal } = options;
  const order = options.order ?? 'by_coords';
  if (!parts.length) throw new RefsError('unsupported', 'There are no files to combine.');
  let files = parts.map(parse);
  const first = files[0]!;

  // Every file has the same variables, and the dimension.
  for (const f of files.slice(1)) {
    for (const p of first.vars.keys()) if (!f.vars.has(p)) throw new RefsError('unsupported', `${f.name} has no variable "${p}", which ${first.name} has.`);
    for (const p of f.vars.keys()) if (!first.vars.has(p)) throw new RefsError('unsupported', `${f.name} has a variable "${p}", which ${first.name} does not have.`);
  }
  const lengthOf = (f: Parsed): number => {
    let n: number | undefined;
    for (const v of f.vars.values()) {
      const a = v.dims.indexOf(dim);
      if (a < 0) continue;
      if (n !== undefined && v.meta.shape[a] !== n) throw new RefsError('unsupported', `${f.name}: "${v.path}" has ${v.meta.shape[a]} steps along ${dim}, other variables ${n}.`);
      n = v.meta.shape[a];
    }
    if (n === undefined) throw new RefsError('unsupported', `${f.name} has no dimension "${dim}".`);
    return n;
  };

  // The dimension's coordinate: the 1-D variable named after it, at the top level if there is one.
  const coordPath = [...first.vars.values()].filter((v) => v.path.split('/').pop() === dim && v.dims.length === 1 && v.dims[0] === dim).sort((a, b) => a.path.length - b.path.length)[0]?.path;
  let raw = coordPath === undefined ? null : await Promise.all(files.map((f) => readValues(f.source, coordPath, signal)));
  if (signal?.aborted) throw signal.reason;
  /** 1: the coordinate increases along the files; -1: it decreases. */
  let sign = 1;
  if (order === 'by_coords') {
    if (!raw || coordPath === undefined) throw new RefsError('unsupported', `There is no coordinate variable "${dim}" to order the files by; combine them in the order given instead.`);
    const empty = files.findIndex((_, i) => !raw![i]!.length);
    if (empty >= 0) throw new RefsError('unsupported', `${files[empty]!.name} has no steps along ${dim}.`);
    // Converting units is linear and increasing, so any file's units order the files.
    const comparable = inFirstUnits(files, raw, coordPath);
    sign = runDirection(comparable, files.map((f) => f.name), dim);
    const idx = files.map((_, i) => i).sort((a, b) => sign * (comparable[a]![0]! - comparable[b]![0]!));
    files = idx.map((i) => files[i]!);
    raw = idx.map((i) => raw![i]!);
  }
  const coords = raw && coordPath !== undefined ? inFirstUnits(files, raw, coordPath) : null;
  if (order === 'by_coords') {
    for (let i = 1; i < files.length; i++) {
      const prev = coords![i - 1]!;
      if (!(sign * (coords![i]![0]! - prev[prev.length - 1]!) > 0)) throw new RefsError('unsupported', `The ${dim} values of ${files[i]!.name} overlap those of ${files[i - 1]!.name}; the files cannot be put in order along ${dim}.`);
    }
  }
  // Other variables along the dimension in CF time units (time bounds, by their own units or,
  // for CF `bounds` without any, the coordinate's): where the units differ between files,
  // their values are re-encoded in the first file's units, as the coordinate is.
  const boundsName = coordPath === undefined ? undefined : files[0]!.vars.get(coordPath)!.attrs.bounds;
  const boundsPath = typeof boundsName === 'string' ? `${prefixOf(coordPath!)}${boundsName}` : undefined;
  const reencoded = new Map<string, Float64Array[]>();
  for (const [path, v0] of files[0]!.vars) {
    if (path === coordPath || v0.dims[0] !== dim) continue;
    const unitsPath = typeof v0.attrs.units === 'string' ? path : path === boundsPath ? coordPath : undefined;
    const units = (f: Parsed) => f.vars.get(unitsPath!)?.attrs.units;
    if (!unitsPath || typeof units(files[0]!) !== 'string' || !parseTimeUnits(units(files[0]!) as string)) continue;
    if (files.every((f) => same(units(f), units(files[0]!)))) continue;
    if (!files.every((f) => f.vars.get(path)?.dims[0] === dim)) continue;
    reencoded.set(path, inFirstUnits(files, await Promise.all(files.map((f) => readValues(f.source, path, signal))), unitsPath));
  }
  const lengths = files.map(lengthOf);
  const starts = lengths.map((_, i) => lengths.slice(0, i).reduce((a, b) => a + b, 0));
  const total = lengths.reduce((a, b) => a + b, 0);

  const out: Record<string, Reference> = { ...files[0]!.other };
  const prefix = (p: string) => (p ? `${p}/` : '');
  for (const [path, v0] of files[0]!.vars) {
    const all = files.map((f) => f.vars.get(path)!);
    const axis = v0.dims.indexOf(dim);
    out[`${prefix(path)}.zattrs`] = JSON.stringify(v0.attrs);
    if (axis < 0) {
      all.forEach((v, i) => {
        if (!same(v.meta.shape, v0.meta.shape) || v.meta.dtype !== v0.meta.dtype) {
          throw new RefsError('unsupported', `${files[i]!.name}: "${path}" is ${v.meta.dtype} of shape (${v.meta.shape.join(', ')}), but ${v0.meta.dtype} of shape (${v0.meta.shape.join(', ')}) in ${files[0]!.name}; variables without ${dim} must be the same in every file.`);
        }
      });
      out[`${prefix(path)}.zarray`] = zarrayText(v0.meta, v0.fillText);
      const sep = v0.meta.dimension_separator === '/' ? '/' : '.';
      for (const [idx, ref] of v0.chunks) out[`${prefix(path)}${idx.length ? idx.join(sep) : '0'}`] = ref;
      continue;
    }
    all.forEach((v, i) => {
      const f = files[i]!.name;
      const differs = (what: string, a: unknown, b: unknown) => new RefsError('unsupported', `${f}: "${path}" has ${what} ${JSON.stringify(a)}, but ${JSON.stringify(b)} in ${files[0]!.name}; it cannot be combined along ${dim}.`);
      if (!same(v.dims, v0.dims)) throw differs('dimensions', v.dims, v0.dims);
      if (v.meta.dtype !== v0.meta.dtype) throw differs('dtype', v.meta.dtype, v0.meta.dtype);
      if (!same(v.meta.shape.filter((_, a) => a !== axis), v0.meta.shape.filter((_, a) => a !== axis))) throw differs('shape', v.meta.shape, v0.meta.shape);
      if (path !== coordPath && !reencoded.has(path)) {
        if (!same(v.meta.chunks.filter((_, a) => a !== axis), v0.meta.chunks.filter((_, a) => a !== axis))) throw differs('chunks', v.meta.chunks, v0.meta.chunks);
        if (!same(v.meta.compressor, v0.meta.compressor) || !same(v.meta.filters, v0.meta.filters)) throw differs('filters', [v.meta.filters, v.meta.compressor], [v0.meta.filters, v0.meta.compressor]);
        if (v.fillText !== v0.fillText) throw differs('fill value', v.fillText, v0.fillText);
        if (!same(v.meta.order, v0.meta.order)) throw differs('order', v.meta.order, v0.meta.order);
        for (const a of ['units', 'calendar', 'scale_factor', 'add_offset']) if (!same(v.attrs[a], v0.attrs[a])) throw differs(a, v.attrs[a], v0.attrs[a]);
      }
    });
    const inline = path === coordPath ? coords : (reencoded.get(path) ?? null);
    if (inline) {
      // Concatenated into one inline chunk, in the first file's units.
      const row = v0.meta.shape.slice(1).reduce((a, b) => a * b, 1);
      const values = new Float64Array(total * row);
      inline.forEach((c, i) => values.set(c, starts[i]! * row));
      const dtype = coordinateDtype(v0.meta.dtype, values);
      const shape = [total, ...v0.meta.shape.slice(1)];
      out[`${prefix(path)}.zarray`] = zarrayText({ ...v0.meta, shape, chunks: shape.map((n) => Math.max(1, n)), dtype, compressor: null, filters: null, dimension_separator: '.' }, dtype === v0.meta.dtype.replace(/^>/, '<') ? v0.fillText : JSON.stringify(v0.meta.fill_value ?? null));
      if (total) out[`${prefix(path)}${shape.map(() => 0).join('.')}`] = encodeValues(values, dtype);
      continue;
    }
    const { step, cut } = chunking(files.map((f) => f.name), all, axis, lengths, path, dim);
    const sep = v0.meta.dimension_separator === '/' ? '/' : '.';
    out[`${prefix(path)}.zarray`] = zarrayText({ ...v0.meta, shape: v0.meta.shape.map((s, a) => (a === axis ? total : s)), chunks: v0.meta.chunks.map((c, a) => (a === axis ? step : c)) }, v0.fillText);
    all.forEach((v, i) => {
      for (const [idx, ref] of v.chunks) {
        for (const [sub, piece] of cut(v, ref)) {
          const row = idx[axis]! * v.meta.chunks[axis]! + sub * step;
          if (row >= lengths[i]!) continue;
          const at = idx.slice();
          at[axis] = (starts[i]! + row) / step;
          out[`${prefix(path)}${at.join(sep)}`] = piece;
        }
      }
    });
  }
  return { version: 1, refs: out, dim, files: files.map((f) => f.name), lengths };
}

/**
 * How a variable's chunks along the dimension become the combined array's:
 * kept as they are when every file but the last ends on a chunk boundary,
 * else (uncompressed data only, along the first axis) cut into `step` rows.
 */
/**
 * Which way a coordinate runs in every file: 1 up, -1 down (a file of one
 * step runs either way). Files whose values are not monotonic, or that run
 * different ways, cannot be ordered by their coordinate.
 */
function runDirection(values: Float64Array[], names: string[], dim: string): 1 | -1 {
  const ways = values.map((v) => {
    let up = true;
    let down = true;
    for (let i = 1; i < v.length; i++) {
      if (!(v[i]! > v[i - 1]!)) up = false;
      if (!(v[i]! < v[i - 1]!)) down = false;
    }
    return up && down ? 0 : up ? 1 : down ? -1 : undefined;
  });
  const bad = ways.indexOf(undefined);
  if (bad >= 0) throw new RefsError('unsupported', `The ${dim} values of ${names[bad]!} neither only increase nor only decrease; the files cannot be put in order along ${dim}.`);
  const sign = ways.includes(-1) ? -1 : 1;
  const other = ways.findIndex((w) => w === -sign);
  if (other >= 0) throw new RefsError('unsupported', `The ${dim} values increase in some files and decrease in others (${names[other]!}); the files cannot be put in order along ${dim}.`);
  return sign;
}

function chunking(names: string[], all: Variable[], axis: number, lengths: number[], path: string, dim: string): { step: number; cut: (v: Variable, ref: Reference) => [number, Reference][] } {
  const sizes = all.map((v) => v.meta.chunks[axis]!);
  const c = sizes[0]!;
  if (sizes.every((s) => s === c) && lengths.slice(0, -1).every((n) => n % c === 0)) return { step: c, cut: (_, ref) => [[0, ref]] };
  const item = itemSize(all[0]!.meta.dtype);
  const raw = axis === 0 && all.every((v) => v.meta.compressor == null && !(Array.isArray(v.meta.filters) && v.meta.filters.length) && (v.meta.order ?? 'C') === 'C') && Number.isFinite(item);
  if (!raw) {
    const uneven = lengths.findIndex((n, k) => k < lengths.length - 1 && n % sizes[k]! !== 0);
    const i = uneven >= 0 ? uneven : sizes.findIndex((s) => s !== c);
    throw new RefsError('unsupported', `${names[i]!}: "${path}" is stored compressed in chunks of ${sizes[i]} along ${dim}, which do not line up with the file's ${lengths[i]} steps${sizes[i] !== c ? ` and the ${c} of ${names[0]!}` : ''}; Zarr needs equal chunks, so these files cannot be combined without rewriting them.`);
  }
  const step = [...sizes, ...lengths.slice(0, -1)].reduce(gcd);
  return {
    step,
    cut(v, ref) {
      const rows = v.meta.chunks[0]!;
      const rowBytes = v.meta.chunks.slice(1).reduce((a, b) => a * b, item);
      const pieces: [number, Reference][] = [];
      if (typeof ref === 'string') {
        const bytes = inlineBytes(ref);
        for (let s = 0; s * step < rows; s++) pieces.push([s, base64(bytes.subarray(s * step * rowBytes, (s + 1) * step * rowBytes))]);
        return pieces;
      }
      if (ref.length !== 3 || ref[2] !== rows * rowBytes) throw new RefsError('unsupported', `${path}: a chunk of ${ref[0]} is not ${rows * rowBytes} raw bytes; it cannot be cut to line up with the other files.`);
      for (let s = 0; s * step < rows; s++) pieces.push([s, [ref[0], ref[1] + s * step * rowBytes, step * rowBytes]]);
      return pieces;
    },
  };
}

function base64(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return `base64:${btoa(bin)}`;
}

/** The top-level dimensions of one file's references, and which of them have a CF time coordinate. */
export interface FileDimensions {
  dims: Record<string, number>;
  /** Dimensions whose coordinate variable has CF time units. */
  time: string[];
  /** Dimensions in the order variables use them (first dimension of the largest variables first). */
  order: string[];
}

/** What the dimension chooser needs to know of one scanned file. */
export function dimensionsOf(refs: References): FileDimensions {
  const dims: Record<string, number> = {};
  const time: string[] = [];
  const ranked: [string[], number][] = [];
  for (const [key, ref] of Object.entries(refs.refs)) {
    const m = /^([^/]+)\/\.zarray$/.exec(key);
    if (!m) continue;
    const meta = json(ref, key) as unknown as ZArray;
    const attrs = refs.refs[`${m[1]}/.zattrs`] === undefined ? {} : json(refs.refs[`${m[1]}/.zattrs`], key);
    const names = Array.isArray(attrs._ARRAY_DIMENSIONS) ? (attrs._ARRAY_DIMENSIONS as string[]) : [];
    names.forEach((d, i) => (dims[d] = meta.shape[i]!));
    if (names.length === 1 && names[0] === m[1] && typeof attrs.units === 'string' && parseTimeUnits(attrs.units, attrs.calendar)) time.push(m[1]!);
    ranked.push([names, names.length]);
  }
  const order: string[] = [];
  for (const [names] of ranked.sort((a, b) => b[1] - a[1])) for (const d of names) if (!order.includes(d)) order.push(d);
  return { dims, time, order };
}

/**
 * The dimension to combine along by default: one that every file has, best a
 * CF time coordinate, else one named "time", else one whose length differs
 * between files, else the leading dimension of the largest variables.
 */
export function defaultConcatDim(files: FileDimensions[]): string | undefined {
  if (!files.length) return undefined;
  const common = files[0]!.order.filter((d) => files.every((f) => d in f.dims));
  return (
    common.find((d) => files.every((f) => f.time.includes(d))) ??
    common.find((d) => d.toLowerCase() === 'time') ??
    common.find((d) => files.some((f) => f.dims[d] !== files[0]!.dims[d])) ??
    common[0]
  );
}
