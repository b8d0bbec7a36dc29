/**
 * Secrets at rest, encrypted with a passphrase only the user knows (WebCrypto:
 * PBKDF2-SHA-256 with 310,000 iterations, AES-256-GCM). What is stored is the
 * ciphertext, salt and IV; the passphrase and plaintext are never stored.
 * Decryption happens in the S3 worker, so the page never holds a saved secret.
 */

export interface SealedSecret {
  v: 1;
  /** base64 */
  salt: string;
  iv: string;
  data: string;
  iterations: number;
}

export interface SecretPayload {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

const ITERATIONS = 310_000;

function b64(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function unb64(s: string): Uint8Array<ArrayBuffer> {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

async function keyFrom(passphrase: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey('raw', new TextEncoder().encode(passphrase), 'PBKDF2', false, ['deriveKey']);
  return crypto.subtle.deriveKey({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, base, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
}

export async function seal(payload: SecretPayload, passphrase: string): Promise<SealedSecret> {
  if (passphrase.length < 8) throw new TypeError('Choose a passphrase of at least 8 characters.');
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const key = await keyFrom(passphrase, salt, ITERATIONS);
  const data = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, new TextEncoder().encode(JSON.stringify(payload))));
  return { v: 1, salt: b64(salt), iv: b64(iv), data: b64(data), iterations: ITERATIONS };
}

export async function unseal(sealed: SealedSecret, passphrase: string): Promise<SecretPayload> {
  const key = await keyFrom(passphrase, unb64(sealed.salt), sealed.iterations);
  let plain: ArrayBuffer;
  try {
    plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: unb64(sealed.iv) }, key, unb64(sealed.data));
  } catch {
    // AES-GCM authenticates: a wrong passphrase fails here rather than giving garbage.
    throw new TypeError('Wrong passphrase for the saved keys.');
  }
  const p = JSON.parse(new TextDecoder().decode(plain)) as SecretPayload;
  if (typeof p.accessKeyId !== 'string' || typeof p.secretAccessKey !== 'string') throw new TypeError('The saved keys are damaged.');
  return p;
}

export function isSealedSecret(x: unknown): x is SealedSecret {
  const s = x as SealedSecret;
  return !!s && s.v === 1 && typeof s.salt === 'string' && typeof s.iv === 'string' && typeof s.data === 'string' && typeof s.iterations === 'number';
}
