/**
 * Reference files are often stored compressed, and catalogues do not say so
 * reliably (CEDA lists plain JSON as "application/zstd"): the bytes decide.
 * gzip uses the platform's DecompressionStream; zstd uses fzstd (pure
 * JavaScript, no WASM to load for a one-off decode).
 */
import { decompress as zstdDecompress } from 'fzstd';

export type Compression = 'zstd' | 'gzip' | 'none';

/** Recognise a compressed reference file by its magic bytes. */
export function sniffCompression(bytes: Uint8Array): Compression {
  if (bytes[0] === 0x28 && bytes[1] === 0xb5 && bytes[2] === 0x2f && bytes[3] === 0xfd) return 'zstd';
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return 'gzip';
  return 'none';
}

async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** The bytes with any zstd or gzip layer removed (several concatenated frames included). */
export async function decompressAny(bytes: Uint8Array): Promise<Uint8Array> {
  const kind = sniffCompression(bytes);
  if (kind === 'zstd') return zstdDecompress(bytes);
  if (kind === 'gzip') return gunzip(bytes);
  return bytes;
}
