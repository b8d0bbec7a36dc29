/** Digests S3 wants in headers, computed with hash-wasm (WASM, works in workers and Node). */
import { md5 } from 'hash-wasm';

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
