/**
 * The HDF5 Fletcher-32 checksum filter as a Zarr v2 codec (numcodecs id
 * `fletcher32`): the chunk ends with a 4-byte little-endian checksum of the
 * bytes before it (H5checksum.c `H5_checksum_fletcher32`: 16-bit big-endian
 * words, sums folded every 360 words). Decoding verifies and strips it; a
 * mismatch rejects the chunk instead of drawing corrupt values. zarrita has
 * no such codec; `registerFletcher32` adds it to zarrita's registry.
 */
import * as zarr from 'zarrita';

export function fletcher32(data: Uint8Array): number {
  let sum1 = 0;
  let sum2 = 0;
  let words = data.length >> 1;
  let i = 0;
  while (words) {
    let t = words > 360 ? 360 : words;
    words -= t;
    do {
      sum1 += (data[i]! << 8) | data[i + 1]!;
      i += 2;
      sum2 += sum1;
    } while (--t);
    sum1 = (sum1 & 0xffff) + (sum1 >>> 16);
    sum2 = (sum2 & 0xffff) + (sum2 >>> 16);
  }
  if (data.length & 1) {
    sum1 += data[i]! << 8;
    sum2 += sum1;
    sum1 = (sum1 & 0xffff) + (sum1 >>> 16);
    sum2 = (sum2 & 0xffff) + (sum2 >>> 16);
  }
  sum1 = (sum1 & 0xffff) + (sum1 >>> 16);
  sum2 = (sum2 & 0xffff) + (sum2 >>> 16);
  return ((sum2 << 16) | sum1) >>> 0;
}

export class Fletcher32ChecksumError extends Error {
  override name = 'Fletcher32ChecksumError';
}

export class Fletcher32Codec {
  readonly kind = 'bytes_to_bytes' as const;
  static fromConfig(): Fletcher32Codec {
    return new Fletcher32Codec();
  }
  encode(data: Uint8Array): Uint8Array {
    const out = new Uint8Array(data.length + 4);
    out.set(data);
    new DataView(out.buffer).setUint32(data.length, fletcher32(data), true);
    return out;
  }
  decode(data: Uint8Array): Uint8Array {
    if (data.length < 4) throw new Fletcher32ChecksumError('a chunk is too short to hold its Fletcher-32 checksum');
    const body = data.subarray(0, data.length - 4);
    const stored = new DataView(data.buffer, data.byteOffset + body.length, 4).getUint32(0, true);
    const sum = fletcher32(body);
    // HDF5 before 1.6.3 stored the checksum byte-swapped; H5Zfletcher32.c accepts both.
    const swapped = (((sum & 0xff) << 24) | ((sum & 0xff00) << 8) | ((sum >>> 8) & 0xff00) | (sum >>> 24)) >>> 0;
    if (stored !== sum && stored !== swapped) throw new Fletcher32ChecksumError(`Fletcher-32 checksum mismatch: stored ${stored.toString(16)}, computed ${sum.toString(16)}`);
    // A copy, so the next codec may view it as any typed array (a subarray keeps an unaligned offset).
    return body.slice();
  }
}

/** Make zarrita decode `{"id": "fletcher32"}` filters (idempotent). */
export function registerFletcher32(): void {
  const registry = zarr.registry as Map<string, () => Promise<unknown>>;
  if (!registry.has('numcodecs.fletcher32')) registry.set('numcodecs.fletcher32', () => Promise.resolve(Fletcher32Codec));
}
