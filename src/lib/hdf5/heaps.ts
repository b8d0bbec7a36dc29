/**
 * The heaps object names and variable-length data live in: the local heap of
 * an old-style group (III.D) and global heap collections (III.E), which hold
 * variable-length strings and sequences (attribute values such as
 * `DIMENSION_LIST`).
 */
import { corrupt } from './errors';
import type { Hdf5File } from './file';

const MAX_HEAP_BYTES = 64 * 1024 * 1024;

/** The data segment of a local heap. */
export async function readLocalHeap(file: Hdf5File, address: number): Promise<Uint8Array> {
  const head = await file.read(address, 8 + 2 * file.lengthSize + file.offsetSize);
  const c = file.cursor(head);
  c.signature('HEAP', 'local heap');
  c.skip(4);
  const size = c.length();
  c.length(); // free list
  const data = c.address();
  if (data === undefined || size > MAX_HEAP_BYTES) throw corrupt(`local heap at ${address} is invalid`);
  return file.read(data, size);
}

/** A NUL-terminated name at `offset` in a local heap's data. */
export function heapName(heap: Uint8Array, offset: number): string {
  if (offset >= heap.length) throw corrupt(`a name offset ${offset} lies outside its heap`);
  let end = heap.indexOf(0, offset);
  if (end < 0) end = heap.length;
  return new TextDecoder().decode(heap.subarray(offset, end));
}

const collections = new WeakMap<Hdf5File, Map<number, Promise<Map<number, Uint8Array>>>>();

/** One object of a global heap collection. */
export async function globalHeapObject(file: Hdf5File, collection: number, index: number): Promise<Uint8Array> {
  let perFile = collections.get(file);
  if (!perFile) collections.set(file, (perFile = new Map()));
  let p = perFile.get(collection);
  if (!p) {
    p = readCollection(file, collection);
    perFile.set(collection, p);
  }
  const obj = (await p).get(index);
  if (!obj) throw corrupt(`global heap object ${index} at ${collection} does not exist`);
  return obj;
}

async function readCollection(file: Hdf5File, address: number): Promise<Map<number, Uint8Array>> {
  const head = await file.read(address, 8 + file.lengthSize);
  const hc = file.cursor(head);
  hc.signature('GCOL', 'global heap collection');
  hc.skip(4);
  const size = hc.length();
  if (size > MAX_HEAP_BYTES || size < 8 + file.lengthSize) throw corrupt(`global heap collection at ${address} claims ${size} bytes`);
  const bytes = await file.read(address, size);
  const c = file.cursor(bytes, 8 + file.lengthSize);
  const out = new Map<number, Uint8Array>();
  while (c.remaining >= 8 + file.lengthSize) {
    const index = c.u16();
    c.skip(6);
    const objSize = c.length();
    if (index === 0) break; // free space
    if (objSize > c.remaining) throw corrupt(`global heap object ${index} runs past its collection`);
    out.set(index, c.take(objSize));
    c.skip(Math.min(c.remaining, (8 - (objSize % 8)) % 8));
  }
  return out;
}
