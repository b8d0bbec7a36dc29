/**
 * Decoders for the object header messages a dataset or group carries
 * (HDF5 File Format Specification 3.0, IV.A.2): dataspace, datatype, fill
 * value, data layout, filter pipeline, links, symbol table, attributes.
 */
import { Cursor } from './cursor';
import { corrupt, unsupported } from './errors';

// ─── Datatype (IV.A.2.d) ────────────────────────────────────────────────────

export type Datatype =
  | { class: 'int'; size: number; signed: boolean; bigEndian: boolean }
  | { class: 'float'; size: number; bigEndian: boolean }
  | { class: 'string'; size: number; utf8: boolean }
  | { class: 'vlen-string'; utf8: boolean }
  | { class: 'vlen'; base: Datatype }
  | { class: 'reference'; size: number; region: boolean }
  | { class: 'other'; size: number; name: string };

const CLASS_NAMES = ['fixed-point', 'floating-point', 'time', 'string', 'bitfield', 'opaque', 'compound', 'reference', 'enum', 'variable-length', 'array'];

/** Parse one datatype description, leaving the cursor after it (as far as it can be known). */
export function parseDatatype(c: Cursor): Datatype {
  const cv = c.u8();
  const cls = cv & 0x0f;
  const b0 = c.u8();
  const b1 = c.u8();
  c.u8();
  const size = c.u32();
  switch (cls) {
    case 0: // fixed-point
    case 4: // bitfield
      c.skip(4);
      if (![1, 2, 4, 8].includes(size)) return { class: 'other', size, name: `${size}-byte integers` };
      return { class: 'int', size, signed: cls === 0 && (b0 & 0x08) !== 0, bigEndian: (b0 & 0x01) !== 0 };
    case 1: {
      c.skip(12);
      if (b0 & 0x40) return { class: 'other', size, name: 'VAX floating point' };
      if (![2, 4, 8].includes(size)) return { class: 'other', size, name: `${size}-byte floating point` };
      return { class: 'float', size, bigEndian: (b0 & 0x01) !== 0 };
    }
    case 3:
      return { class: 'string', size, utf8: (b0 >> 4) === 1 };
    case 7:
      return { class: 'reference', size, region: (b0 & 0x0f) === 1 };
    case 8: {
      // enum: the base type, then the member names and values (not needed: values are the base type's)
      const base = parseDatatype(c);
      return base.class === 'int' ? { ...base } : { class: 'other', size, name: 'enum of a non-integer type' };
    }
    case 9: {
      const kind = b0 & 0x0f;
      const utf8 = (b1 & 0x0f) === 1;
      const base = parseDatatype(c);
      return kind === 1 ? { class: 'vlen-string', utf8 } : { class: 'vlen', base };
    }
    default:
      return { class: 'other', size, name: `${CLASS_NAMES[cls] ?? `class ${cls}`} datatype` };
  }
}

/** The NumPy/Zarr v2 dtype string of a datatype, or undefined when it has none. */
export function zarrDtype(t: Datatype): string | undefined {
  const order = (big: boolean, size: number) => (size === 1 ? '|' : big ? '>' : '<');
  switch (t.class) {
    case 'int':
      return `${order(t.bigEndian, t.size)}${t.signed ? 'i' : 'u'}${t.size}`;
    case 'float':
      return `${order(t.bigEndian, t.size)}f${t.size}`;
    case 'string':
      return `|S${t.size}`;
    default:
      return undefined;
  }
}

export function datatypeName(t: Datatype): string {
  if (t.class === 'other') return t.name;
  if (t.class === 'vlen-string') return 'variable-length string';
  if (t.class === 'vlen') return 'variable-length sequence';
  if (t.class === 'reference') return 'reference';
  return zarrDtype(t)!;
}

// ─── Dataspace (IV.A.2.b) ───────────────────────────────────────────────────

export interface Dataspace {
  /** `null` for a null dataspace (no elements at all). */
  shape: number[] | null;
  /** Maximum sizes; `undefined` entries are unlimited. */
  maxShape: (number | undefined)[];
}

export function parseDataspace(c: Cursor): Dataspace {
  const version = c.u8();
  const rank = c.u8();
  const flags = c.u8();
  let type = 1;
  if (version === 1) {
    c.skip(5);
    if (rank === 0) type = 0;
  } else if (version === 2) {
    type = c.u8();
  } else throw unsupported(`dataspace version ${version}`);
  if (rank > 32) throw corrupt(`a dataspace has ${rank} dimensions`);
  if (type === 2) return { shape: null, maxShape: [] };
  const shape: number[] = [];
  for (let i = 0; i < rank; i++) shape.push(c.length());
  const maxShape: (number | undefined)[] = [];
  if (flags & 1) for (let i = 0; i < rank; i++) maxShape.push(c.maybeLength());
  else maxShape.push(...shape);
  return { shape, maxShape };
}

// ─── Fill value (IV.A.2.e/f) ────────────────────────────────────────────────

/** The fill value's raw bytes, or undefined when none is defined. */
export function parseFillValue(c: Cursor, old: boolean): Uint8Array | undefined {
  if (old) {
    const size = c.u32();
    return size ? c.take(size) : undefined;
  }
  const version = c.u8();
  if (version === 1 || version === 2) {
    c.skip(2); // allocation and write times
    const defined = c.u8();
    if (version === 2 && !defined) return undefined;
    const size = c.u32();
    return size ? c.take(size) : undefined;
  }
  if (version === 3) {
    const flags = c.u8();
    if (flags & 0x10 || !(flags & 0x20)) return undefined;
    const size = c.u32();
    return size ? c.take(size) : undefined;
  }
  throw unsupported(`fill value message version ${version}`);
}

// ─── Data layout (IV.A.2.i) ─────────────────────────────────────────────────

export type ChunkIndex =
  | { type: 'btree1'; address: number | undefined }
  | { type: 'single'; address: number | undefined; filteredSize?: number; filterMask?: number }
  | { type: 'implicit'; address: number | undefined }
  | { type: 'fixed-array'; address: number | undefined; pageBits: number }
  | { type: 'extensible-array'; address: number | undefined }
  | { type: 'btree2'; address: number | undefined };

export type Layout =
  | { class: 'compact'; data: Uint8Array }
  | { class: 'contiguous'; address: number | undefined; size: number }
  | { class: 'chunked'; chunks: number[]; index: ChunkIndex }
  | { class: 'virtual' };

export function parseLayout(c: Cursor, rank: number): Layout {
  const version = c.u8();
  if (version === 1 || version === 2) {
    const dims = c.u8();
    const cls = c.u8();
    c.skip(5);
    const address = cls === 0 ? undefined : c.address();
    const sizes: number[] = [];
    for (let i = 0; i < dims; i++) sizes.push(c.u32());
    if (cls === 2) {
      c.u32(); // element size
      return { class: 'chunked', chunks: sizes.slice(0, rank), index: { type: 'btree1', address } };
    }
    if (cls === 0) return { class: 'compact', data: c.take(c.u32()) };
    return { class: 'contiguous', address, size: sizes.reduce((a, b) => a * b, 1) };
  }
  if (version !== 3 && version !== 4) throw unsupported(`data layout message version ${version}`);
  const cls = c.u8();
  if (cls === 0) return { class: 'compact', data: c.take(c.u16()) };
  if (cls === 1) {
    const address = c.address();
    return { class: 'contiguous', address, size: c.length() };
  }
  if (cls === 3) return { class: 'virtual' };
  if (cls !== 2) throw corrupt(`layout class ${cls}`);
  if (version === 3) {
    const dims = c.u8();
    const address = c.address();
    const chunks: number[] = [];
    for (let i = 0; i < dims - 1; i++) chunks.push(c.u32());
    return { class: 'chunked', chunks, index: { type: 'btree1', address } };
  }
  const flags = c.u8();
  const dims = c.u8();
  const encLen = c.u8();
  const chunks: number[] = [];
  for (let i = 0; i < dims; i++) chunks.push(c.uint(encLen));
  chunks.pop(); // the element size
  const indexType = c.u8();
  switch (indexType) {
    case 1: {
      const filtered = (flags & 0x02) !== 0;
      const filteredSize = filtered ? c.length() : undefined;
      const filterMask = filtered ? c.u32() : undefined;
      const address = c.address();
      return { class: 'chunked', chunks, index: { type: 'single', address, ...(filtered ? { filteredSize: filteredSize!, filterMask: filterMask! } : {}) } };
    }
    case 2:
      return { class: 'chunked', chunks, index: { type: 'implicit', address: c.address() } };
    case 3: {
      const pageBits = c.u8();
      return { class: 'chunked', chunks, index: { type: 'fixed-array', pageBits, address: c.address() } };
    }
    case 4:
      c.skip(5);
      return { class: 'chunked', chunks, index: { type: 'extensible-array', address: c.address() } };
    case 5:
      c.skip(6);
      return { class: 'chunked', chunks, index: { type: 'btree2', address: c.address() } };
    default:
      throw corrupt(`chunk index type ${indexType}`);
  }
}

// ─── Filter pipeline (IV.A.2.l) ─────────────────────────────────────────────

export interface Filter {
  id: number;
  name: string;
  optional: boolean;
  values: number[];
}

export function parseFilters(c: Cursor): Filter[] {
  const version = c.u8();
  const n = c.u8();
  if (version === 1) c.skip(6);
  else if (version !== 2) throw unsupported(`filter pipeline message version ${version}`);
  const out: Filter[] = [];
  for (let i = 0; i < n; i++) {
    const id = c.u16();
    const nameLength = version === 1 || id >= 256 ? c.u16() : 0;
    const flags = c.u16();
    const nValues = c.u16();
    let name = '';
    if (nameLength) {
      const raw = c.take(version === 1 ? Math.ceil(nameLength / 8) * 8 : nameLength);
      const end = raw.indexOf(0);
      name = new TextDecoder().decode(end < 0 ? raw : raw.subarray(0, end));
    }
    const values: number[] = [];
    for (let j = 0; j < nValues; j++) values.push(c.u32());
    if (version === 1 && nValues % 2) c.skip(4);
    out.push({ id, name, optional: (flags & 1) !== 0, values });
  }
  return out;
}

// ─── Links and groups (IV.A.2.g, IV.A.2.m, IV.A.2.r) ────────────────────────

export interface HardLink {
  name: string;
  /** `undefined` for a soft or external link. */
  address: number | undefined;
  kind: 'hard' | 'soft' | 'external';
}

export function parseLink(c: Cursor): HardLink {
  const version = c.u8();
  if (version !== 1) throw unsupported(`link message version ${version}`);
  const flags = c.u8();
  const type = flags & 0x08 ? c.u8() : 0;
  if (flags & 0x04) c.skip(8);
  if (flags & 0x10) c.u8();
  const nameLength = c.uint(1 << (flags & 3));
  const name = new TextDecoder().decode(c.take(nameLength));
  if (type === 0) return { name, address: c.address(), kind: 'hard' };
  return { name, address: undefined, kind: type === 1 ? 'soft' : 'external' };
}

export interface LinkInfo {
  heapAddress: number | undefined;
  nameIndexAddress: number | undefined;
}

export function parseLinkInfo(c: Cursor): LinkInfo {
  c.u8(); // version
  const flags = c.u8();
  if (flags & 1) c.skip(8);
  const heapAddress = c.address();
  const nameIndexAddress = c.address();
  return { heapAddress, nameIndexAddress };
}

/** Attribute info message: where dense attribute storage lives. */
export function parseAttributeInfo(c: Cursor): { heapAddress: number | undefined; nameIndexAddress: number | undefined } {
  c.u8();
  const flags = c.u8();
  if (flags & 1) c.skip(2);
  const heapAddress = c.address();
  return { heapAddress, nameIndexAddress: c.address() };
}

export function parseSymbolTable(c: Cursor): { btree: number | undefined; heap: number | undefined } {
  return { btree: c.address(), heap: c.address() };
}

// ─── Attributes (IV.A.2.m) ──────────────────────────────────────────────────

export interface RawAttribute {
  name: string;
  type: Datatype;
  space: Dataspace;
  data: Uint8Array;
  /** Set when the datatype or dataspace is a shared (committed) one. */
  shared?: boolean;
}

export function parseAttribute(c: Cursor): RawAttribute {
  const version = c.u8();
  if (version < 1 || version > 3) throw unsupported(`attribute message version ${version}`);
  const flags = c.u8();
  const nameSize = c.u16();
  const typeSize = c.u16();
  const spaceSize = c.u16();
  if (version === 3) c.u8(); // name character set
  const pad = (n: number) => (version === 1 ? Math.ceil(n / 8) * 8 : n);
  const nameBytes = c.take(pad(nameSize));
  const end = nameBytes.indexOf(0);
  const name = new TextDecoder().decode(nameBytes.subarray(0, end < 0 ? nameSize : Math.min(end, nameSize)));
  const typeBytes = c.take(pad(typeSize));
  const spaceBytes = c.take(pad(spaceSize));
  const shared = (flags & 0x03) !== 0;
  if (shared) return { name, type: { class: 'other', size: 0, name: 'shared datatype' }, space: { shape: [], maxShape: [] }, data: new Uint8Array(0), shared };
  const type = parseDatatype(new Cursor(typeBytes, c.offsetSize, c.lengthSize));
  const space = parseDataspace(new Cursor(spaceBytes, c.offsetSize, c.lengthSize));
  return { name, type, space, data: c.bytes.subarray(c.pos) };
}
