/**
 * Parse and check Zarr metadata documents (v2 `.zarray`/`.zgroup`/`.zattrs`,
 * v3 `zarr.json`) into one normalized shape. Every problem is reported as a
 * `malformed-metadata` error naming the key and what is wrong, before zarrita
 * ever sees the document.
 */
import * as zarr from 'zarrita';
import { ZarrError } from './errors';

export type ZarrFormat = 2 | 3;

export interface CodecInfo {
  /** Name as written (v2 ids are given as `numcodecs.<id>` like zarrita does). */
  name: string;
  /** A short human description, e.g. `blosc(zstd, level 5, shuffle)`. */
  label: string;
  supported: boolean;
}

export interface ArrayMeta {
  zarrFormat: ZarrFormat;
  shape: number[];
  /** Shape of the unit that is decoded: the inner chunk when sharded. */
  chunkShape: number[];
  /** Shape of the stored objects: the shard when sharded, else the chunk. */
  objectShape: number[];
  sharded: boolean;
  /** Data type in zarrita's names (`float32`, `int16`, `bool`...). */
  dtype: string;
  /** Data type as written (`<i2`, `>f8`, `float32`). */
  rawDtype: string;
  bigEndian: boolean;
  fillValue: unknown;
  codecs: CodecInfo[];
  dimensionNames?: string[];
  /** Chunk key encoding: v2 (`0.0`) or default (`c/0/0`), and separator. */
  keyEncoding: { name: 'v2' | 'default'; separator: '.' | '/' };
  order: 'C' | 'F';
}

export interface NodeMeta {
  /** Path relative to the store root: "" for the root, else `a/b` without slashes at the ends. */
  path: string;
  kind: 'array' | 'group';
  zarrFormat: ZarrFormat;
  attrs: Record<string, unknown>;
  array?: ArrayMeta;
  /** The metadata document as read (for zarrita). */
  raw: Record<string, unknown>;
}

const decoder = new TextDecoder();

/** Parse JSON bytes, failing with a message that names the key. Zarr allows NaN/Infinity in v2 JSON. */
export function parseJson(bytes: Uint8Array, key: string): Record<string, unknown> {
  const text = decoder.decode(bytes);
  let v: unknown;
  try {
    v = JSON.parse(text.replace(/:\s*(-?Infinity|NaN)\b/g, ': "$1"'));
  } catch (e) {
    throw new ZarrError('malformed-metadata', `${key} is not valid JSON (${(e as Error).message}).`, { path: key, cause: e });
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ZarrError('malformed-metadata', `${key} should hold a JSON object.`, { path: key });
  return v as Record<string, unknown>;
}

function bad(key: string, what: string): ZarrError {
  return new ZarrError('malformed-metadata', `${key} is not valid Zarr metadata: ${what}.`, { path: key });
}

function intList(v: unknown, key: string, field: string, allowEmpty = true): number[] {
  if (!Array.isArray(v) || (!allowEmpty && v.length === 0) || !v.every((n) => Number.isSafeInteger(n) && n >= 0)) {
    throw bad(key, `"${field}" should be a list of non-negative integers`);
  }
  if (v.length > MAX_DIMENSIONS) throw bad(key, `"${field}" has ${v.length} dimensions (Tessera reads up to ${MAX_DIMENSIONS})`);
  return v as number[];
}

/** Dimensions of an array: NumPy's own limit is 64. */
export const MAX_DIMENSIONS = 64;
/**
 * Elements in one array. ERA5's hourly 0.25° global fields, among the
 * largest arrays in the field, hold about 10^12; a hundred times that is
 * still a plausible array, and anything past it is metadata that lies
 * (offsets computed from it would no longer be exact in a double either).
 */
export const MAX_ARRAY_ELEMENTS = 1e14;
/**
 * Bytes in one decoded chunk. A browser cannot hold a typed array much past
 * 2 GiB; CEDA's largest Zarr chunks are about 250 MB.
 */
export const MAX_CHUNK_BYTES = 1024 * 1024 * 1024;

function product(xs: number[]): number {
  return xs.reduce((a, b) => a * b, 1);
}

/** Shape and chunk shape within what any real array has and a browser can decode. */
function checkSizes(key: string, shape: number[], chunks: number[], dtype: string, field: string): void {
  if (shape.length && chunks.some((c) => c === 0)) throw bad(key, `"${field}" contains 0`);
  const elements = product(shape);
  if (elements > MAX_ARRAY_ELEMENTS) {
    throw bad(key, `its shape ${shape.join(' × ')} declares ${elements.toExponential(1)} elements, more than any array Tessera reads (${MAX_ARRAY_ELEMENTS.toExponential(0)})`);
  }
  const chunkBytes = product(chunks) * bytesPerElement(dtype);
  if (chunkBytes > MAX_CHUNK_BYTES) {
    throw bad(key, `one chunk (${chunks.join(' × ')} of ${dtype}) would decode to ${(chunkBytes / 2 ** 30).toFixed(1)} GiB, more than a browser can hold (Tessera decodes chunks up to ${MAX_CHUNK_BYTES / 2 ** 30} GiB)`);
  }
}

/** Codecs that turn text, not numbers, into bytes: a numeric array declaring one contradicts itself. */
const STRING_CODECS = new Set(['vlen-utf8', 'numcodecs.vlen-utf8', 'json2', 'numcodecs.json2', 'numcodecs.vlen-bytes', 'numcodecs.vlen-array', 'vlen-bytes']);

function checkCodecsFitDtype(key: string, codecs: CodecInfo[], dtype: string): void {
  const odd = codecs.find((c) => STRING_CODECS.has(c.name));
  if (odd) throw bad(key, `the codec "${odd.name}" encodes strings or objects, but the data type is ${dtype}`);
}

const V2_DTYPES: Record<string, string> = {
  b1: 'bool', i1: 'int8', u1: 'uint8', i2: 'int16', u2: 'uint16', i4: 'int32', u4: 'uint32', i8: 'int64', u8: 'uint64', f2: 'float16', f4: 'float32', f8: 'float64',
};

function isSupported(name: string): boolean {
  return zarr.registry.has(name) || name === 'sharding_indexed' || name === 'numcodecs.fixedscaleoffset';
}

function v2CodecLabel(c: Record<string, unknown>): string {
  const id = String(c.id);
  if (id === 'blosc') {
    const shuffle = ['noshuffle', 'shuffle', 'bitshuffle'][Number(c.shuffle)] ?? `shuffle ${String(c.shuffle)}`;
    return `blosc(${String(c.cname)}, level ${String(c.clevel)}, ${shuffle})`;
  }
  if ('level' in c) return `${id}(level ${String(c.level)})`;
  if (id === 'fixedscaleoffset') return `fixedscaleoffset(scale ${String(c.scale)}, offset ${String(c.offset)})`;
  return id;
}

function v2Codec(c: unknown, key: string): CodecInfo {
  if (typeof c !== 'object' || c === null || typeof (c as { id?: unknown }).id !== 'string') throw bad(key, 'a codec has no "id"');
  const id = (c as { id: string }).id;
  const name = `numcodecs.${id}`;
  return { name, label: v2CodecLabel(c as Record<string, unknown>), supported: isSupported(name) };
}

/** Parse a v2 `.zarray` document (with the `.zattrs` that go with it). */
export function parseV2Array(doc: Record<string, unknown>, key: string, attrs: Record<string, unknown>): ArrayMeta {
  if (doc.zarr_format !== 2) throw bad(key, `"zarr_format" is ${JSON.stringify(doc.zarr_format)}, expected 2`);
  const shape = intList(doc.shape, key, 'shape');
  const chunks = intList(doc.chunks, key, 'chunks');
  if (chunks.length !== shape.length) throw bad(key, `"chunks" has ${chunks.length} entries but "shape" has ${shape.length}`);
  if (typeof doc.dtype !== 'string') throw bad(key, '"dtype" should be a string such as "<f4"');
  const m = /^([<>|])([a-zA-Z]\d+)$/.exec(doc.dtype);
  const dtype = m ? V2_DTYPES[m[2]!] : undefined;
  if (!dtype) {
    throw new ZarrError('unsupported-dtype', `The data type ${doc.dtype} of ${key} cannot be shown (Tessera reads booleans, integers and floats).`, { path: key });
  }
  const filters = doc.filters == null ? [] : Array.isArray(doc.filters) ? doc.filters : null;
  if (!filters) throw bad(key, '"filters" should be null or a list');
  if (doc.compressor !== null && doc.compressor !== undefined && typeof doc.compressor !== 'object') throw bad(key, '"compressor" should be null or an object');
  const codecs = filters.map((f) => v2Codec(f, key));
  if (doc.compressor) codecs.push(v2Codec(doc.compressor, key));
  checkSizes(key, shape, chunks, dtype, 'chunks');
  checkCodecsFitDtype(key, codecs, dtype);
  const order = doc.order === 'F' ? 'F' : 'C';
  if (doc.order !== undefined && doc.order !== 'C' && doc.order !== 'F') throw bad(key, '"order" should be "C" or "F"');
  const sep = doc.dimension_separator === '/' ? '/' : '.';
  const dims = Array.isArray(attrs._ARRAY_DIMENSIONS) && attrs._ARRAY_DIMENSIONS.every((d) => typeof d === 'string') ? (attrs._ARRAY_DIMENSIONS as string[]) : undefined;
  const out: ArrayMeta = {
    zarrFormat: 2, shape, chunkShape: chunks, objectShape: chunks, sharded: false, dtype, rawDtype: doc.dtype,
    bigEndian: m![1] === '>', fillValue: doc.fill_value ?? null, codecs, keyEncoding: { name: 'v2', separator: sep }, order,
  };
  if (dims && dims.length === shape.length) out.dimensionNames = dims;
  return out;
}

function v3Codecs(list: unknown, key: string): { codecs: CodecInfo[]; inner?: number[]; bigEndian: boolean; order: 'C' | 'F' } {
  if (!Array.isArray(list)) throw bad(key, '"codecs" should be a list');
  const codecs: CodecInfo[] = [];
  let inner: number[] | undefined;
  let bigEndian = false;
  let order: 'C' | 'F' = 'C';
  for (const c of list as unknown[]) {
    if (typeof c !== 'object' || c === null || typeof (c as { name?: unknown }).name !== 'string') throw bad(key, 'a codec has no "name"');
    const { name, configuration } = c as { name: string; configuration?: Record<string, unknown> };
    const cfg = configuration ?? {};
    if (name === 'sharding_indexed') {
      inner = intList(cfg.chunk_shape, key, 'sharding chunk_shape', false);
      const sub = v3Codecs(cfg.codecs, key);
      const idx = v3Codecs(cfg.index_codecs ?? [], key);
      bigEndian = sub.bigEndian;
      order = sub.order;
      codecs.push({ name, label: `sharding(${inner.join('×')}: ${sub.codecs.map((s) => s.label).join(', ')})`, supported: sub.codecs.every((s) => s.supported) && idx.codecs.every((s) => s.supported) });
      for (const s of [...sub.codecs, ...idx.codecs]) if (!s.supported) codecs.push(s);
      continue;
    }
    if (name === 'bytes' && cfg.endian === 'big') bigEndian = true;
    if (name === 'transpose' && Array.isArray(cfg.order) && cfg.order.length > 1 && cfg.order[0] !== 0) order = 'F';
    const extra = name === 'blosc' ? `(${String(cfg.cname)}, level ${String(cfg.clevel)}, ${String(cfg.shuffle)})` : 'level' in cfg ? `(level ${String(cfg.level)})` : name === 'bytes' && cfg.endian ? `(${String(cfg.endian)})` : '';
    codecs.push({ name, label: name + extra, supported: isSupported(name) });
  }
  return { codecs, inner, bigEndian, order };
}

/** Parse a v3 `zarr.json` of an array. */
export function parseV3Array(doc: Record<string, unknown>, key: string): ArrayMeta {
  const shape = intList(doc.shape, key, 'shape');
  const grid = doc.chunk_grid as { name?: unknown; configuration?: { chunk_shape?: unknown } } | undefined;
  if (!grid || grid.name !== 'regular') throw bad(key, 'only a "regular" chunk_grid is supported');
  const chunks = intList(grid.configuration?.chunk_shape, key, 'chunk_shape');
  if (chunks.length !== shape.length) throw bad(key, `"chunk_shape" has ${chunks.length} entries but "shape" has ${shape.length}`);
  if (typeof doc.data_type !== 'string') throw bad(key, '"data_type" should be a string such as "float32"');
  const dtype = doc.data_type;
  if (!Object.values(V2_DTYPES).includes(dtype)) {
    throw new ZarrError('unsupported-dtype', `The data type ${dtype} of ${key} cannot be shown (Tessera reads booleans, integers and floats).`, { path: key });
  }
  const { codecs, inner, bigEndian, order } = v3Codecs(doc.codecs, key);
  if (inner && inner.length !== shape.length) throw bad(key, 'the sharding chunk_shape has the wrong number of dimensions');
  if (inner && inner.some((c) => c === 0)) throw bad(key, '"chunk_shape" of the sharding codec contains 0');
  checkSizes(key, shape, inner ?? chunks, dtype, 'chunk_shape');
  if (inner && product(chunks) * bytesPerElement(dtype) > 64 * MAX_CHUNK_BYTES) throw bad(key, `its shards (${chunks.join(' × ')}) are larger than any store serves`);
  checkCodecsFitDtype(key, codecs, dtype);
  const enc = doc.chunk_key_encoding as { name?: unknown; configuration?: { separator?: unknown } } | undefined;
  const encName = enc?.name === 'v2' ? 'v2' : 'default';
  if (enc && enc.name !== 'v2' && enc.name !== 'default') throw bad(key, `unknown chunk_key_encoding "${String(enc.name)}"`);
  const sepRaw = enc?.configuration?.separator;
  const separator = sepRaw === '.' || sepRaw === '/' ? sepRaw : encName === 'v2' ? '.' : '/';
  const out: ArrayMeta = {
    zarrFormat: 3, shape, chunkShape: inner ?? chunks, objectShape: chunks, sharded: !!inner, dtype, rawDtype: dtype, bigEndian,
    fillValue: doc.fill_value ?? null, codecs, keyEncoding: { name: encName, separator }, order,
  };
  const names = doc.dimension_names;
  if (Array.isArray(names) && names.length === shape.length && names.every((n) => typeof n === 'string')) out.dimensionNames = names as string[];
  return out;
}

/** The object key of a stored chunk (or shard), relative to the array. */
export function chunkKey(meta: ArrayMeta, coords: number[]): string {
  const { name, separator } = meta.keyEncoding;
  if (name === 'default') return ['c', ...coords].join(separator);
  return coords.join(separator) || '0';
}

/** Number of chunks along each dimension. */
export function chunkGrid(shape: number[], chunkShape: number[]): number[] {
  return shape.map((s, i) => Math.ceil(s / chunkShape[i]!));
}

export function bytesPerElement(dtype: string): number {
  const m = /(\d+)$/.exec(dtype);
  if (dtype === 'bool' || dtype.endsWith('int8')) return 1;
  return m ? Number(m[1]) / 8 : 1;
}
