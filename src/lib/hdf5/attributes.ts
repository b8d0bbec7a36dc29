/**
 * Attribute values as JSON: numbers and strings, as netCDF4-python and
 * h5netcdf give them to xarray (a single value is a scalar, several a list),
 * variable-length strings read from the global heap, and object references
 * (for `DIMENSION_LIST`) as addresses.
 */
import { Cursor } from './cursor';
import { unsupported } from './errors';
import type { Hdf5File } from './file';
import { globalHeapObject } from './heaps';
import { datatypeName, type Datatype, type RawAttribute } from './messages';

export type AttrValue = number | string | number[] | string[] | { references: number[][] } | null;

function count(a: RawAttribute): number {
  return a.space.shape === null ? 0 : a.space.shape.reduce((x, y) => x * y, 1);
}

/** Decode numbers of an integer or float type. */
export function decodeNumbers(type: Datatype, bytes: Uint8Array, n: number): number[] {
  if (type.class !== 'int' && type.class !== 'float') return [];
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = !type.bigEndian;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const o = i * type.size;
    if (o + type.size > bytes.length) break;
    if (type.class === 'float') {
      out.push(type.size === 8 ? v.getFloat64(o, le) : type.size === 4 ? v.getFloat32(o, le) : halfToFloat(v.getUint16(o, le)));
      continue;
    }
    switch (type.size) {
      case 1:
        out.push(type.signed ? v.getInt8(o) : v.getUint8(o));
        break;
      case 2:
        out.push(type.signed ? v.getInt16(o, le) : v.getUint16(o, le));
        break;
      case 4:
        out.push(type.signed ? v.getInt32(o, le) : v.getUint32(o, le));
        break;
      default:
        out.push(Number(type.signed ? v.getBigInt64(o, le) : v.getBigUint64(o, le)));
    }
  }
  return out;
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

function fixedString(bytes: Uint8Array): string {
  let end = bytes.indexOf(0);
  if (end < 0) end = bytes.length;
  return new TextDecoder().decode(bytes.subarray(0, end));
}

/** Decode an attribute's value; throws an `unsupported` error for types without a JSON form. */
export async function attributeValue(file: Hdf5File, a: RawAttribute): Promise<AttrValue> {
  const n = count(a);
  const scalar = a.space.shape !== null && a.space.shape.length === 0;
  const t = a.type;
  if (a.shared) throw unsupported('a shared (committed) attribute datatype');
  if (a.space.shape === null) return null;
  if (t.class === 'int' || t.class === 'float') {
    const vals = decodeNumbers(t, a.data, n);
    return n === 1 ? vals[0]! : vals;
  }
  if (t.class === 'string') {
    const vals: string[] = [];
    for (let i = 0; i < n; i++) vals.push(fixedString(a.data.subarray(i * t.size, (i + 1) * t.size)));
    return scalar || n === 1 ? vals[0]! : vals;
  }
  const c = new Cursor(a.data, file.offsetSize, file.lengthSize);
  if (t.class === 'vlen-string' || t.class === 'vlen') {
    const items: Uint8Array[] = [];
    const lengths: number[] = [];
    for (let i = 0; i < n; i++) {
      const length = c.u32();
      const collection = c.address();
      const index = c.u32();
      lengths.push(length);
      items.push(collection === undefined || length === 0 ? new Uint8Array(0) : await globalHeapObject(file, collection, index));
    }
    if (t.class === 'vlen-string') {
      const vals = items.map((b, i) => new TextDecoder().decode(b.subarray(0, lengths[i])));
      return scalar || n === 1 ? vals[0]! : vals;
    }
    if (t.base.class === 'reference' && !t.base.region) {
      return { references: items.map((b, i) => refs(file, b, lengths[i]!)) };
    }
    throw unsupported(`an attribute of ${datatypeName(t)} of ${datatypeName(t.base)}`);
  }
  if (t.class === 'reference' && !t.region) return { references: [refs(file, a.data, n)] };
  throw unsupported(`an attribute of ${datatypeName(t)}`);
}

function refs(file: Hdf5File, bytes: Uint8Array, n: number): number[] {
  const c = new Cursor(bytes, file.offsetSize, file.lengthSize);
  const out: number[] = [];
  for (let i = 0; i < n && c.remaining >= file.offsetSize; i++) out.push(c.address() ?? -1);
  return out;
}
