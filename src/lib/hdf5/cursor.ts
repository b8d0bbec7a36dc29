/**
 * A little-endian reader over one structure's bytes. HDF5 stores every
 * metadata number little-endian; addresses and lengths take the sizes the
 * superblock gives ("size of offsets", "size of lengths"). Numbers above 2^53
 * cannot be byte offsets of a real object, so they are refused rather than
 * rounded; an all-ones address is HDF5's "undefined address" and reads as
 * `undefined`.
 */
import { corrupt } from './errors';

export class Cursor {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  pos: number;
  readonly offsetSize: number;
  readonly lengthSize: number;

  constructor(bytes: Uint8Array, offsetSize = 8, lengthSize = 8, pos = 0) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.offsetSize = offsetSize;
    this.lengthSize = lengthSize;
    this.pos = pos;
  }

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  #need(n: number): void {
    if (n < 0 || this.pos + n > this.bytes.length) throw corrupt(`a structure ends early (needs ${n} bytes at ${this.pos} of ${this.bytes.length})`);
  }

  skip(n: number): this {
    this.#need(n);
    this.pos += n;
    return this;
  }

  u8(): number {
    this.#need(1);
    return this.bytes[this.pos++]!;
  }

  u16(): number {
    this.#need(2);
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.#need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** An unsigned integer of `n` bytes (1-8), refused above 2^53. */
  uint(n: number): number {
    this.#need(n);
    let v = 0;
    for (let i = n - 1; i >= 0; i--) v = v * 256 + this.bytes[this.pos + i]!;
    this.pos += n;
    if (!Number.isSafeInteger(v)) throw corrupt(`a ${n}-byte number is too large (${v})`);
    return v;
  }

  /** An unsigned integer of `n` bytes, or `undefined` when every byte is 0xff. */
  #maybe(n: number): number | undefined {
    this.#need(n);
    let ones = true;
    for (let i = 0; i < n; i++) if (this.bytes[this.pos + i] !== 0xff) ones = false;
    if (ones) {
      this.pos += n;
      return undefined;
    }
    return this.uint(n);
  }

  /** A file address (relative to the base address), `undefined` when undefined. */
  address(): number | undefined {
    return this.#maybe(this.offsetSize);
  }

  length(): number {
    return this.uint(this.lengthSize);
  }

  /** A length that may be "undefined" (all ones), e.g. an unlimited maximum dimension. */
  maybeLength(): number | undefined {
    return this.#maybe(this.lengthSize);
  }

  take(n: number): Uint8Array {
    this.#need(n);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  ascii(n: number): string {
    return new TextDecoder().decode(this.take(n));
  }

  /** A NUL-terminated string, then padding to a multiple of `pad` from `from`. */
  cstring(pad = 1, from = this.pos): string {
    const end = this.bytes.indexOf(0, this.pos);
    if (end < 0) throw corrupt('a name is not terminated');
    const s = new TextDecoder().decode(this.bytes.subarray(this.pos, end));
    this.pos = end + 1;
    if (pad > 1) this.pos = from + Math.ceil((this.pos - from) / pad) * pad;
    return s;
  }

  signature(expected: string, what: string): void {
    const got = this.ascii(4);
    if (got !== expected) throw corrupt(`${what}: expected signature ${expected}, found ${JSON.stringify(got)}`);
  }
}

/** Bytes needed to encode `n` (HDF5's H5VM_limit_enc_size). */
export function encodedSize(n: number): number {
  return Math.floor(Math.log2(Math.max(n, 1)) / 8) + 1;
}
