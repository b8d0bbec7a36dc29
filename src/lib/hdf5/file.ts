/**
 * An HDF5 file read by byte ranges: the superblock (versions 0-3) and object
 * headers (versions 1 and 2, with their continuation blocks), following the
 * HDF5 File Format Specification version 3.0 (sections II.A and IV.A).
 */
import { Cursor } from './cursor';
import { corrupt, unsupported } from './errors';
import type { RangeCache } from './range-cache';

export const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** Object header message types used here (spec IV.A.2). */
export const MSG = {
  dataspace: 0x1,
  linkInfo: 0x2,
  datatype: 0x3,
  fillValueOld: 0x4,
  fillValue: 0x5,
  link: 0x6,
  externalFiles: 0x7,
  layout: 0x8,
  groupInfo: 0xa,
  filters: 0xb,
  attribute: 0xc,
  continuation: 0x10,
  symbolTable: 0x11,
  attributeInfo: 0x15,
} as const;

export interface Message {
  type: number;
  flags: number;
  data: Uint8Array;
}

/** Guards against hostile files: how much metadata one object header may take. */
const MAX_HEADER_BYTES = 16 * 1024 * 1024;
const MAX_MESSAGES = 100_000;
/** Where a superblock may start: 0, 512, 1024, 2048, ... (spec II.A). */
const MAX_SIGNATURE_OFFSET = 2 ** 40;

export class Hdf5File {
  readonly cache: RangeCache;
  readonly superblockVersion: number;
  readonly offsetSize: number;
  readonly lengthSize: number;
  /** Absolute position addresses are relative to. */
  readonly base: number;
  readonly rootAddress: number;
  readonly #headers = new Map<number, Promise<Message[]>>();

  private constructor(cache: RangeCache, sb: { version: number; offsetSize: number; lengthSize: number; base: number; root: number }) {
    this.cache = cache;
    this.superblockVersion = sb.version;
    this.offsetSize = sb.offsetSize;
    this.lengthSize = sb.lengthSize;
    this.base = sb.base;
    this.rootAddress = sb.root;
  }

  /** Find the superblock and read it. */
  static async open(cache: RangeCache): Promise<Hdf5File> {
    const at = await findSignature(cache);
    if (at === undefined) throw corrupt('no HDF5 signature found');
    const head = await cache.read(at, Math.min(cache.size - at, 128));
    const c = new Cursor(head, 8, 8, 8);
    const version = c.u8();
    let offsetSize: number, lengthSize: number, base: number | undefined, root: number | undefined, eof: number | undefined;
    if (version === 0 || version === 1) {
      c.skip(4); // free-space, root symbol table, reserved, shared header versions
      offsetSize = c.u8();
      lengthSize = c.u8();
      checkSizes(offsetSize, lengthSize);
      c.skip(1 + 2 + 2 + 4 + (version === 1 ? 4 : 0));
      const o = new Cursor(head, offsetSize, lengthSize, c.pos);
      base = o.address();
      o.address(); // free-space info
      eof = o.address();
      o.address(); // driver info block
      o.address(); // root entry: link name offset
      root = o.address();
    } else if (version === 2 || version === 3) {
      offsetSize = c.u8();
      lengthSize = c.u8();
      checkSizes(offsetSize, lengthSize);
      c.skip(1);
      const o = new Cursor(head, offsetSize, lengthSize, c.pos);
      base = o.address();
      o.address(); // superblock extension
      eof = o.address();
      root = o.address();
    } else {
      throw unsupported(`superblock version ${version}`);
    }
    if (root === undefined) throw corrupt('the root group has no address');
    // A source that could not tell the size learns it here (the end-of-file address is relative to the base).
    if (eof !== undefined) cache.setSize((base ?? at) + eof);
    // The base address is absolute; where a user block precedes the superblock it equals its position.
    return new Hdf5File(cache, { version, offsetSize, lengthSize, base: base ?? at, root });
  }

  cursor(bytes: Uint8Array, pos = 0): Cursor {
    return new Cursor(bytes, this.offsetSize, this.lengthSize, pos);
  }

  /** `length` bytes at file address `address` (relative to the base address). */
  read(address: number, length: number): Promise<Uint8Array> {
    return this.cache.read(this.base + address, length);
  }

  /** Up to `length` bytes at `address`, fewer at the end of the object. */
  readUpTo(address: number, length: number): Promise<Uint8Array> {
    const abs = this.base + address;
    if (abs >= this.cache.size) throw corrupt(`address ${address} lies beyond the end of the object`);
    return this.cache.read(abs, Math.min(length, this.cache.size - abs));
  }

  /** The messages of the object header at `address` (cached). */
  messages(address: number): Promise<Message[]> {
    let p = this.#headers.get(address);
    if (!p) {
      p = this.#readHeader(address);
      this.#headers.set(address, p);
    }
    return p;
  }

  async #readHeader(address: number): Promise<Message[]> {
    const prefix = await this.readUpTo(address, 64);
    const out: Message[] = [];
    const seen = new Set<number>();
    let total = 0;
    const blocks: Blocks = [];
    let v2: { creationOrder: boolean } | undefined;
    const sizes = { o: this.offsetSize, l: this.lengthSize };
    if (prefix[0] === 1) {
      const c = this.cursor(prefix, 2);
      c.u16(); // number of messages
      c.u32(); // reference count
      const size = c.u32();
      if (size > MAX_HEADER_BYTES) throw corrupt(`object header at ${address} claims ${size} bytes`);
      const body = await this.read(address + 16, size);
      total += size;
      parseV1Messages(body, sizes, out, blocks);
    } else if (prefix[0] === 0x4f && prefix[1] === 0x48 && prefix[2] === 0x44 && prefix[3] === 0x52) {
      const c = this.cursor(prefix, 4);
      const version = c.u8();
      if (version !== 2) throw unsupported(`object header version ${version}`);
      const flags = c.u8();
      if (flags & 0x20) c.skip(16);
      if (flags & 0x10) c.skip(4);
      const size = c.uint(1 << (flags & 3));
      if (size > MAX_HEADER_BYTES) throw corrupt(`object header at ${address} claims ${size} bytes`);
      v2 = { creationOrder: (flags & 0x04) !== 0 };
      const body = await this.read(address + c.pos, size);
      total += size;
      parseV2Messages(body, v2.creationOrder, sizes, out, blocks);
    } else {
      throw corrupt(`no object header at address ${address}`);
    }
    while (blocks.length) {
      const b = blocks.shift()!;
      if (seen.has(b.address)) throw corrupt(`object header at ${address} continues into itself`);
      seen.add(b.address);
      total += b.length;
      if (total > MAX_HEADER_BYTES || out.length > MAX_MESSAGES) throw corrupt(`object header at ${address} is too large`);
      const body = await this.read(b.address, b.length);
      if (v2) {
        const c = this.cursor(body);
        c.signature('OCHK', 'object header continuation');
        parseV2Messages(body.subarray(4, body.length - 4), v2.creationOrder, sizes, out, blocks);
      } else parseV1Messages(body, sizes, out, blocks);
    }
    return out;
  }

}

function checkSizes(o: number, l: number): void {
  if (![2, 4, 8].includes(o) || ![2, 4, 8].includes(l)) throw corrupt(`offset/length sizes ${o}/${l} are not 2, 4 or 8`);
}

async function findSignature(cache: RangeCache): Promise<number | undefined> {
  for (let at = 0; at + 8 <= cache.size && at <= MAX_SIGNATURE_OFFSET; at = at === 0 ? 512 : at * 2) {
    const b = await cache.read(at, 8);
    if (HDF5_SIGNATURE.every((v, i) => b[i] === v)) return at;
  }
  return undefined;
}

type Blocks = { address: number; length: number }[];
type Sizes = { o: number; l: number };

function pushMessage(type: number, flags: number, data: Uint8Array, sizes: Sizes, out: Message[], blocks: Blocks): void {
  if (type === MSG.continuation) {
    const c = new Cursor(data, sizes.o, sizes.l);
    const address = c.address();
    const length = c.length();
    if (address === undefined || length > MAX_HEADER_BYTES) throw corrupt('a continuation message is invalid');
    blocks.push({ address, length });
    return;
  }
  if (type === 0) return; // NIL
  out.push({ type, flags, data });
}

function parseV1Messages(body: Uint8Array, sizes: Sizes, out: Message[], blocks: Blocks): void {
  const c = new Cursor(body);
  while (c.remaining >= 8) {
    const type = c.u16();
    const size = c.u16();
    const flags = c.u8();
    c.skip(3);
    if (size > c.remaining) throw corrupt('an object header message runs past its block');
    pushMessage(type, flags, c.take(size), sizes, out, blocks);
    if (out.length > MAX_MESSAGES) throw corrupt('too many object header messages');
  }
}

function parseV2Messages(body: Uint8Array, creationOrder: boolean, sizes: Sizes, out: Message[], blocks: Blocks): void {
  const c = new Cursor(body);
  const headerSize = creationOrder ? 6 : 4;
  while (c.remaining >= headerSize) {
    const type = c.u8();
    const size = c.u16();
    const flags = c.u8();
    if (creationOrder) c.skip(2);
    if (size > c.remaining) throw corrupt('an object header message runs past its block');
    pushMessage(type, flags, c.take(size), sizes, out, blocks);
    if (out.length > MAX_MESSAGES) throw corrupt('too many object header messages');
  }
}

