/**
 * Decoders that stop at the size a chunk can have. A chunk's decoded size is
 * known from the metadata (its shape times the bytes of its data type), so a
 * compressed chunk that would inflate past it, a "compression bomb" of a few
 * kilobytes that expands to gigabytes, is refused before (zstd, blosc, lz4:
 * their headers declare the size) or while (zlib, gzip: streamed) it is
 * decoded, never after. A chunk whose bytes do not fill its shape is refused
 * too, rather than read as the wrong numbers.
 *
 * zarrita's codec registry is patched once, on import: each compressor entry
 * is wrapped, the codec itself is unchanged (blosc's is Tessera's wrapper of
 * numcodecs' decoder, see blosc.ts).
 */
import * as zarr from 'zarrita';
import { bytesPerElement } from './metadata';
import { concatBytes } from '../s3/body';
import { loadBlosc } from './blosc';
import { DECODER_UNAVAILABLE, decoderUnavailable } from './errors';

/** What zarrita hands a codec: the chunk's (on-disk) data type and shape. */
interface ChunkMeta {
  dataType: string;
  shape: number[];
}
interface Codec {
  kind: string;
  decode(bytes: Uint8Array): Promise<Uint8Array> | Uint8Array;
  [k: string]: unknown;
}
interface CodecClass {
  fromConfig(config: unknown, meta: ChunkMeta): Codec;
}

/** Room for what codecs add to a chunk's own bytes (a crc32c checksum, a shard index). */
const SLACK = 1024;

/** Bytes of a chunk of this shape and type, as stored before compression. */
export function chunkBytes(meta: ChunkMeta): number {
  return meta.shape.reduce((a, b) => a * b, 1) * bytesPerElement(String(meta.dataType));
}

export class DecodeBoundError extends Error {
  override readonly name = 'DecodeBoundError';
}

function tooBig(codec: string, declared: number | undefined, bound: number): DecodeBoundError {
  const d = declared === undefined ? 'more than' : `${declared} bytes, more than`;
  return new DecodeBoundError(`the ${codec} data would decode to ${d} the ${bound} bytes a chunk of this shape and type can hold: refused as a compression bomb or corrupt chunk`);
}

/** Inflate zlib or gzip as a stream, stopping as soon as the output passes `bound`. */
export async function inflateBounded(bytes: Uint8Array, format: 'deflate' | 'gzip', bound: number): Promise<Uint8Array> {
  // The bytes are written into the stream as they are: a Blob would copy them
  // into the browser's blob storage first and read them back as a stream.
  const stream = new DecompressionStream(format);
  const writer = stream.writable.getWriter();
  writer
    .write(bytes as Uint8Array<ArrayBuffer>)
    .then(() => writer.close())
    .catch(() => undefined);
  const reader = stream.readable.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > bound) {
        await reader.cancel().catch(() => undefined);
        throw tooBig(format === 'gzip' ? 'gzip' : 'zlib', undefined, bound);
      }
      parts.push(value);
    }
  } catch (e) {
    if (e instanceof DecodeBoundError) throw e;
    throw new Error(`Failed to decode ${format}`, { cause: e });
  }
  return concatBytes(parts, total);
}

/**
 * The decoded size a zstd stream declares: the sum of its frames' content
 * sizes, walking the block headers from frame to frame. Undefined when a
 * frame does not declare its size (then nothing bounds the decoder).
 */
export function zstdDeclaredSize(b: Uint8Array): number | undefined {
  let pos = 0;
  let total = 0;
  const u32 = (at: number) => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16)) + b[at + 3]! * 2 ** 24;
  while (pos < b.length) {
    if (pos + 4 > b.length) return undefined;
    const magic = u32(pos);
    if (magic >= 0x184d2a50 && magic <= 0x184d2a5f) {
      pos += 8 + u32(pos + 4); // skippable frame
      continue;
    }
    if (magic !== 0xfd2fb528) return undefined;
    const fhd = b[pos + 4]!;
    const fcsFlag = fhd >> 6;
    const single = (fhd >> 5) & 1;
    const checksum = (fhd >> 2) & 1;
    const didSize = [0, 1, 2, 4][fhd & 3]!;
    const fcsSize = [single ? 1 : 0, 2, 4, 8][fcsFlag]!;
    let at = pos + 5 + (single ? 0 : 1) + didSize;
    if (fcsSize === 0 || at + fcsSize > b.length) return undefined;
    let fcs = 0;
    for (let i = fcsSize - 1; i >= 0; i--) fcs = fcs * 256 + b[at + i]!;
    if (fcsSize === 2) fcs += 256;
    total += fcs;
    at += fcsSize;
    for (;;) {
      if (at + 3 > b.length) return undefined;
      const h = b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16);
      const last = h & 1;
      const type = (h >> 1) & 3;
      const size = h >>> 3;
      at += 3 + (type === 1 ? 1 : size);
      if (last) break;
    }
    pos = at + (checksum ? 4 : 0);
  }
  return total;
}

/** The decoded size in a blosc header (bytes 4-7, little-endian). */
function bloscDeclaredSize(b: Uint8Array): number | undefined {
  if (b.length < 16) return undefined;
  return new DataView(b.buffer, b.byteOffset, 16).getUint32(4, true);
}

/** numcodecs' LZ4 writes the decoded size first (4 bytes, little-endian). */
function lz4DeclaredSize(b: Uint8Array): number | undefined {
  if (b.length < 4) return undefined;
  return new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true);
}

type Check = (bytes: Uint8Array, bound: number) => void;

function declared(name: string, size: (b: Uint8Array) => number | undefined): Check {
  return (bytes, bound) => {
    const n = size(bytes);
    if (n === undefined) throw new DecodeBoundError(`the ${name} data does not declare its decoded size, so Tessera cannot bound it`);
    if (n > bound) throw tooBig(name, n, bound);
  };
}

function wrap(name: string, load: () => Promise<CodecClass> | CodecClass, decode: (inner: Codec, bytes: Uint8Array, bound: number) => Promise<Uint8Array> | Uint8Array): () => Promise<CodecClass> {
  return async () => {
    const Inner = await load();
    return {
      fromConfig(config: unknown, meta: ChunkMeta): Codec {
        const inner = Inner.fromConfig(config, meta);
        const bound = chunkBytes(meta) + SLACK;
        return new Proxy(inner, {
          get(target, prop, receiver) {
            if (prop === 'decode') return (bytes: Uint8Array) => decode(target, bytes, bound);
            const v = Reflect.get(target, prop, receiver) as unknown;
            return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
          },
        });
      },
    } satisfies CodecClass;
  };
}

let installed = false;

/** Wrap zarrita's compressors (idempotent). */
export function installBoundedCodecs(): void {
  if (installed) return;
  installed = true;
  const registry = zarr.registry as unknown as Map<string, () => Promise<CodecClass> | CodecClass>;
  const checks: Record<string, Check | 'deflate' | 'gzip'> = {
    zlib: 'deflate',
    gzip: 'gzip',
    zstd: declared('zstd', zstdDeclaredSize),
    blosc: declared('blosc', bloscDeclaredSize),
    lz4: declared('lz4', lz4DeclaredSize),
  };
  for (const [base, check] of Object.entries(checks)) {
    for (const name of [base, `numcodecs.${base}`]) {
      // Blosc is numcodecs' decoder with one copy less (blosc.ts), bounded like the others.
      const load = base === 'blosc' ? (loadBlosc as unknown as () => Promise<CodecClass>) : registry.get(name);
      if (!load) continue;
      registry.set(name, wrap(name, load, async (inner, bytes, bound) => {
        if (check === 'deflate' || check === 'gzip') return inflateBounded(bytes, check, bound);
        check(bytes, bound);
        try {
          return await inner.decode(bytes);
        } catch (e) {
          // numcodecs' WebAssembly could not be fetched or compiled (its loader, scripts/numcodecs-blosc.ts, names the error).
          throw e instanceof Error && e.name === DECODER_UNAVAILABLE ? decoderUnavailable(base, e) : e;
        }
      }));
    }
  }
  // The array's bytes must fill its chunk exactly: fewer or more is a dtype or codec that does not match the data.
  const bytesCodec = registry.get('bytes');
  if (bytesCodec) {
    registry.set('bytes', async () => {
      const Inner = await bytesCodec();
      return {
        fromConfig(config: unknown, meta: ChunkMeta): Codec {
          const inner = Inner.fromConfig(config, meta);
          const want = chunkBytes(meta);
          return new Proxy(inner, {
            get(target, prop, receiver) {
              if (prop === 'decode') {
                return (bytes: Uint8Array) => {
                  if (bytes.byteLength !== want) throw new DecodeBoundError(`the chunk holds ${bytes.byteLength} bytes, but ${meta.shape.join(' × ')} values of ${meta.dataType} need ${want}: its data type or codecs do not match the data`);
                  return target.decode(bytes);
                };
              }
              const v = Reflect.get(target, prop, receiver) as unknown;
              return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
            },
          });
        },
      };
    });
  }
}

installBoundedCodecs();
