/**
 * Classic NetCDF (CDF-1), 64-bit offset (CDF-2) and 64-bit data (CDF-5)
 * files as kerchunk references. The header (NetCDF Classic Format
 * Specification) is read by range; values are found by computed offsets,
 * big-endian as the format stores them. Fixed-size variables are one chunk
 * (cut along the first dimension when large), record variables one chunk per
 * record, as `kerchunk.netCDF3.NetCDF3ToZarr` does.
 */
import { corrupt, unsupported } from '../hdf5/errors';
import { RangeCache, type RangeCacheOptions, type RangeStats, type ReadRange } from '../hdf5/range-cache';
import type { References } from '../refs/types';

const TYPES: Record<number, { dtype: string; size: number; name: string }> = {
  1: { dtype: '|i1', size: 1, name: 'byte' },
  2: { dtype: '|S1', size: 1, name: 'char' },
  3: { dtype: '>i2', size: 2, name: 'short' },
  4: { dtype: '>i4', size: 4, name: 'int' },
  5: { dtype: '>f4', size: 4, name: 'float' },
  6: { dtype: '>f8', size: 8, name: 'double' },
  7: { dtype: '|u1', size: 1, name: 'ubyte' },
  8: { dtype: '>u2', size: 2, name: 'ushort' },
  9: { dtype: '>u4', size: 4, name: 'uint' },
  10: { dtype: '>i8', size: 8, name: 'int64' },
  11: { dtype: '>u8', size: 8, name: 'uint64' },
};
const CHUNK_BYTES = 8 * 1024 * 1024;
const MAX_HEADER = 64 * 1024 * 1024;
const MAX_ITEMS = 1_000_000;

type AttrValue = string | number | number[];

export interface Nc3Variable {
  name: string;
  dims: string[];
  shape: number[];
  type: number;
  attrs: Record<string, AttrValue>;
  begin: number;
  isRecord: boolean;
}

export interface Nc3Header {
  version: 1 | 2 | 5;
  numrecs: number;
  dims: { name: string; length: number; unlimited: boolean }[];
  attrs: Record<string, AttrValue>;
  variables: Nc3Variable[];
  /** Bytes from one record to the next. */
  recordSize: number;
}

export function isNetcdf3(head: Uint8Array): boolean {
  return head[0] === 0x43 && head[1] === 0x44 && head[2] === 0x46 && (head[3] === 1 || head[3] === 2 || head[3] === 5);
}

class BigEndian {
  pos = 0;
  readonly view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    readonly version: number,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  need(n: number) {
    if (this.pos + n > this.bytes.length) throw new NeedMore(this.pos + n);
  }
  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }
  u64(): number {
    this.need(8);
    const v = Number(this.view.getBigUint64(this.pos));
    this.pos += 8;
    if (!Number.isSafeInteger(v)) throw corrupt(`a number in the NetCDF header is too large`);
    return v;
  }
  /** A count: 4 bytes, 8 in CDF-5. */
  count(): number {
    const n = this.version === 5 ? this.u64() : this.u32();
    if (n > MAX_ITEMS && n !== 0xffffffff) throw corrupt(`the NetCDF header claims ${n} items`);
    return n;
  }
  take(n: number): Uint8Array {
    const padded = Math.ceil(n / 4) * 4;
    this.need(padded);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += padded;
    return out;
  }
  name(): string {
    return new TextDecoder().decode(this.take(this.count()));
  }
}

class NeedMore extends Error {
  constructor(readonly upTo: number) {
    super('header needs more bytes');
  }
}

/** Parse a NetCDF-3 header; throws `NeedMore` when `bytes` ends before the header. */
function parse(bytes: Uint8Array, fileSize: number | undefined): Nc3Header {
  if (!isNetcdf3(bytes)) throw corrupt('not a NetCDF-3 file (no CDF signature)');
  const version = bytes[3] as 1 | 2 | 5;
  const r = new BigEndian(bytes, version);
  r.pos = 4;
  let numrecs = r.count();
  const list = (tag: number, what: string, item: () => void) => {
    const t = r.u32();
    const n = r.count();
    if (t === 0 && n === 0) return;
    if (t !== tag) throw corrupt(`NetCDF header: expected the ${what} list, found tag ${t}`);
    for (let i = 0; i < n; i++) item();
  };
  const dims: Nc3Header['dims'] = [];
  list(0x0a, 'dimension', () => {
    const name = r.name();
    const length = r.count();
    dims.push({ name, length, unlimited: length === 0 });
  });
  const attributes = (): Record<string, AttrValue> => {
    const out: Record<string, AttrValue> = {};
    list(0x0c, 'attribute', () => {
      const name = r.name();
      const type = r.u32();
      const n = r.count();
      const t = TYPES[type];
      if (!t) throw corrupt(`attribute ${name} has type ${type}`);
      const raw = r.take(n * t.size);
      out[name] = attrValue(raw, type, n);
    });
    return out;
  };
  const attrs = attributes();
  const variables: Nc3Variable[] = [];
  list(0x0b, 'variable', () => {
    const name = r.name();
    const rank = r.count();
    const ids: number[] = [];
    for (let i = 0; i < rank; i++) ids.push(r.count());
    const vattrs = attributes();
    const type = r.u32();
    r.count(); // vsize (padded; recomputed below)
    const begin = version === 1 ? r.u32() : r.u64();
    if (ids.some((id) => id >= dims.length)) throw corrupt(`variable ${name} names a dimension that does not exist`);
    const vd = ids.map((id) => dims[id]!);
    const isRecord = vd.length > 0 && vd[0]!.unlimited;
    variables.push({ name, dims: vd.map((d) => d.name), shape: vd.map((d) => d.length), type, attrs: vattrs, begin, isRecord });
  });
  const recordVars = variables.filter((v) => v.isRecord);
  const recBytes = (v: Nc3Variable) => v.shape.slice(1).reduce((a, b) => a * b, TYPES[v.type]?.size ?? 0);
  // A single record variable is not padded (classic format spec, "vsize").
  const recordSize = recordVars.length === 1 ? recBytes(recordVars[0]!) : recordVars.reduce((a, v) => a + Math.ceil(recBytes(v) / 4) * 4, 0);
  if (numrecs === 0xffffffff || (version === 5 && numrecs === Number.MAX_SAFE_INTEGER)) {
    // Streaming: the count was never written; it follows from the object's size.
    if (fileSize === undefined) throw unsupported('a NetCDF-3 file whose record count was never written, read without knowing its size');
    const start = Math.min(...recordVars.map((v) => v.begin));
    numrecs = recordSize ? Math.floor((fileSize - start) / recordSize) : 0;
  }
  for (const v of recordVars) v.shape[0] = numrecs;
  for (const d of dims) if (d.unlimited) d.length = numrecs;
  return { version, numrecs, dims, attrs, variables, recordSize };
}

function attrValue(raw: Uint8Array, type: number, n: number): AttrValue {
  if (type === 2) {
    let end = raw.indexOf(0);
    if (end < 0) end = raw.length;
    return new TextDecoder().decode(raw.subarray(0, end));
  }
  const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out: number[] = [];
  const size = TYPES[type]!.size;
  for (let i = 0; i < n; i++) {
    const o = i * size;
    switch (type) {
      case 1: out.push(v.getInt8(o)); break;
      case 3: out.push(v.getInt16(o)); break;
      case 4: out.push(v.getInt32(o)); break;
      case 5: out.push(v.getFloat32(o)); break;
      case 6: out.push(v.getFloat64(o)); break;
      case 7: out.push(v.getUint8(o)); break;
      case 8: out.push(v.getUint16(o)); break;
      case 9: out.push(v.getUint32(o)); break;
      case 10: out.push(Number(v.getBigInt64(o))); break;
      default: out.push(Number(v.getBigUint64(o)));
    }
  }
  return n === 1 ? out[0]! : out;
}

/** Read the header of the NetCDF-3 object behind `cache`, growing the read until it is whole. */
export async function readNetcdf3Header(cache: RangeCache): Promise<Nc3Header> {
  let want = Math.min(cache.size, 64 * 1024);
  for (;;) {
    let bytes: Uint8Array;
    try {
      bytes = await cache.read(0, want);
    } catch (e) {
      // The object is shorter than the read: its size is now known.
      if (!cache.sizeKnown || want <= cache.size) throw e;
      want = cache.size;
      continue;
    }
    try {
      return parse(bytes, cache.sizeKnown ? cache.size : undefined);
    } catch (e) {
      if (!(e instanceof NeedMore)) throw e;
      if (want >= cache.size || want >= MAX_HEADER) throw corrupt('the NetCDF header runs past the end of the object');
      want = Math.min(cache.size, Math.max(e.upTo, want * 4));
    }
  }
}

export interface Netcdf3References {
  refs: References;
  header: Nc3Header;
  stats: RangeStats;
}

function jsonNumber(n: number): number | string {
  return Number.isNaN(n) ? 'NaN' : n === Infinity ? 'Infinity' : n === -Infinity ? '-Infinity' : n;
}

/**
 * References for a NetCDF-3 object of `size` bytes at `url`.
 *
 * @example
 * const { refs } = await netcdf3References((o, n) => getRange(key, o, n), size, 's3://bucket/old.nc');
 */
export async function netcdf3References(read: ReadRange, size: number | undefined, url: string, opts: RangeCacheOptions = {}): Promise<Netcdf3References> {
  const cache = new RangeCache(read, size, { firstRead: 64 * 1024, ...opts });
  const header = await readNetcdf3Header(cache);
  const refs: References['refs'] = {
    '.zgroup': JSON.stringify({ zarr_format: 2 }),
    '.zattrs': JSON.stringify(header.attrs),
  };
  for (const v of header.variables) {
    const t = TYPES[v.type];
    if (!t) throw unsupported(`NetCDF type ${v.type}`, v.name);
    if (v.dims.length && v.name.includes('/')) continue;
    const { _FillValue: fv, ...attrs } = v.attrs;
    const fill = typeof fv === 'number' ? jsonNumber(fv) : Array.isArray(fv) && typeof fv[0] === 'number' ? jsonNumber(fv[0]) : null;
    const inner = v.shape.slice(1).reduce((a, b) => a * b, t.size);
    let chunks: number[];
    const emit: [string, References['refs'][string]][] = [];
    const zeros = v.shape.slice(1).map(() => 0);
    if (v.isRecord) {
      chunks = [1, ...v.shape.slice(1)];
      for (let i = 0; i < header.numrecs; i++) emit.push([[i, ...zeros].join('.'), [url, v.begin + i * header.recordSize, inner]]);
    } else if (!v.shape.length) {
      chunks = [];
      emit.push(['0', [url, v.begin, t.size]]);
    } else {
      const total = inner * v.shape[0]!;
      let rows = v.shape[0]!;
      if (total > CHUNK_BYTES && inner > 0) {
        const want = Math.max(1, Math.floor(CHUNK_BYTES / inner));
        for (let r = want; r >= Math.max(1, Math.floor(want / 16)); r--) if (v.shape[0]! % r === 0) { rows = r; break; }
      }
      chunks = [rows, ...v.shape.slice(1)];
      if (total > 0) for (let i = 0; i * rows < v.shape[0]!; i++) emit.push([[i, ...zeros].join('.'), [url, v.begin + i * rows * inner, rows * inner]]);
    }
    for (const [, r] of emit) if (Array.isArray(r) && r.length === 3 && cache.sizeKnown && r[1] + r[2] > cache.size) throw corrupt(`variable ${v.name} lies beyond the end of the object`);
    refs[`${v.name}/.zarray`] = JSON.stringify({ zarr_format: 2, shape: v.shape, chunks, dtype: t.dtype, fill_value: fill, order: 'C', filters: null, compressor: null });
    refs[`${v.name}/.zattrs`] = JSON.stringify({ ...attrs, _ARRAY_DIMENSIONS: v.dims });
    for (const [k, r] of emit) refs[`${v.name}/${k}`] = r;
  }
  return { refs: { version: 1, refs }, header, stats: cache.stats };
}
