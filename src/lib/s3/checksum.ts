/** Digests S3 wants in headers, computed with hash-wasm (WASM, works in workers and Node). */
import { createCRC32, createCRC64, md5, type IHasher } from 'hash-wasm';

export function hexToBase64(hex: string): string {
  let bin = '';
  for (let i = 0; i < hex.length; i += 2) bin += String.fromCharCode(parseInt(hex.slice(i, i + 2), 16));
  return btoa(bin);
}

export function base64ToHex(b64: string): string {
  return Array.from(atob(b64), (c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join('');
}

/** Base64 MD5, as the `Content-MD5` header wants it. */
export async function contentMd5(data: string | Uint8Array): Promise<string> {
  return hexToBase64(await md5(data));
}

/**
 * The newer `x-amz-checksum-*` algorithms Tessera can compute. Stores differ
 * (FIELD-NOTES §3): send one only where a probe showed the store checks it.
 */
export type ChecksumAlgorithm = 'CRC32C' | 'CRC64NVME';

/** `x-amz-checksum-crc32c` etc.: the header carrying an object's or part's checksum. */
export function checksumHeader(algorithm: ChecksumAlgorithm): string {
  return `x-amz-checksum-${algorithm.toLowerCase()}`;
}

/** Headers that announce the algorithm on CreateMultipartUpload (AWS requires it before checksummed parts). */
export function checksumAlgorithmHeaders(algorithm: ChecksumAlgorithm): Record<string, string> {
  return { 'x-amz-checksum-algorithm': algorithm };
}

/** The checksum header of one request body. */
export function checksumHeaders(algorithm: ChecksumAlgorithm, base64: string): Record<string, string> {
  return { [checksumHeader(algorithm)]: base64 };
}

/*
 * One WASM instance per algorithm (each holds its own WASM memory, see
 * upload/hashing.ts); every use is synchronous between init and digest.
 */
const instances = new Map<ChecksumAlgorithm, Promise<IHasher>>();

/** A new incremental hasher for `algorithm` (for callers that feed it across awaits). */
export function createChecksumHasher(algorithm: ChecksumAlgorithm): Promise<IHasher> {
  // CRC32C is CRC32 with the Castagnoli polynomial; S3's CRC64 is the NVME variant, not hash-wasm's default.
  return algorithm === 'CRC32C' ? createCRC32(0x82f63b78) : createCRC64('9a6c9329ac4bc9b5');
}

function hasher(algorithm: ChecksumAlgorithm): Promise<IHasher> {
  let h = instances.get(algorithm);
  if (!h) {
    h = createChecksumHasher(algorithm);
    instances.set(algorithm, h);
  }
  return h;
}

/** Base64 of digest bytes, as `x-amz-checksum-*` headers want them. */
export function toBase64(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** Base64 of the big-endian digest bytes, as `x-amz-checksum-*` wants it. */
export async function checksumBase64(algorithm: ChecksumAlgorithm, data: Uint8Array | Uint8Array[]): Promise<string> {
  const h = await hasher(algorithm);
  h.init();
  for (const chunk of Array.isArray(data) ? data : [data]) h.update(chunk);
  return toBase64(h.digest('binary'));
}
