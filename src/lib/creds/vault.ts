/**
 * Secrets at rest, encrypted with a passphrase only the user knows: the key
 * is stretched with Argon2id (hash-wasm; 64 MiB, 3 passes, about 0.4 s on
 * this 2-core machine when idle, see scripts/vault-cost.mjs) and the keys are
 * encrypted with AES-256-GCM under a fresh random IV (and salt) on every
 * write. What is stored is the ciphertext, the KDF parameters, salt and IV;
 * the passphrase and plaintext never are. Sealing and unsealing run in the
 * S3 worker (workers/s3-api/vault.ts), so the page never holds a saved secret.
 *
 * A record names its own parameters, so unsealing checks them before use: a
 * record edited down to a cheap KDF (or up to an absurd one, to hang the tab)
 * is refused. Records written by earlier versions (PBKDF2-SHA-256 at 310,000
 * iterations) are opened once and reported `outdated`, so the caller re-seals
 * them with Argon2id at once; any other PBKDF2 record needs 600,000
 * iterations or more (OWASP's figure for PBKDF2-SHA-256).
 */
import { argon2id } from 'hash-wasm';

/** PBKDF2-SHA-256 record (earlier versions wrote 310,000 iterations). */
export interface SealedSecretV1 {
  v: 1;
  /** base64 */
  salt: string;
  iv: string;
  data: string;
  iterations: number;
}

/** Argon2id record: `m` KiB of memory, `t` passes, `p` lanes. */
export interface SealedSecretV2 {
  v: 2;
  kdf: 'argon2id';
  m: number;
  t: number;
  p: number;
  /** base64 */
  salt: string;
  iv: string;
  data: string;
}

export type SealedSecret = SealedSecretV1 | SealedSecretV2;

export interface SecretPayload {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** What sealing uses now. Memory in KiB. */
export const ARGON2 = { m: 64 * 1024, t: 3, p: 1 } as const;
/**
 * The least a record may claim (a weaker record was tampered with). Records of 2 passes, written by
 * earlier builds, still open and are re-sealed with 3.
 */
export const ARGON2_MIN = { m: 64 * 1024, t: 2, p: 1 } as const;
/** The most a record may claim before it is taken for an attempt to hang the tab. */
export const ARGON2_MAX = { m: 1024 * 1024, t: 16, p: 8 } as const;
/** PBKDF2-SHA-256: the least accepted, and the legacy count opened once then re-sealed. */
export const PBKDF2_MIN = 600_000;
export const PBKDF2_LEGACY = 310_000;
const PBKDF2_MAX = 10_000_000;
export const MIN_PASSPHRASE = 8;

export class VaultError extends Error {
  constructor(
    message: string,
    readonly reason: 'passphrase' | 'weak' | 'damaged',
  ) {
    super(message);
    this.name = 'VaultError';
  }
}

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

async function aesKey(raw: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', raw, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
}

async function argonKey(passphrase: string, salt: Uint8Array<ArrayBuffer>, k: { m: number; t: number; p: number }): Promise<CryptoKey> {
  const raw = (await argon2id({ password: passphrase, salt, parallelism: k.p, iterations: k.t, memorySize: k.m, hashLength: 32, outputType: 'binary' })) as Uint8Array<ArrayBuffer>;
  try {
    return await aesKey(raw);
  } finally {
    raw.fill(0);
  }
}

async function pbkdf2Key(passphrase: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey('raw', new TextEncoder().encode(passphrase), 'PBKDF2', false, ['deriveKey']);
  return crypto.subtle.deriveKey({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, base, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
}

/** Seal keys with Argon2id + AES-GCM; a fresh salt and IV each time. */
export async function seal(payload: SecretPayload, passphrase: string, params: { m: number; t: number; p: number } = ARGON2): Promise<SealedSecretV2> {
  if (passphrase.length < MIN_PASSPHRASE) throw new VaultError(`Choose a passphrase of at least ${MIN_PASSPHRASE} characters.`, 'weak');
  checkArgon(params);
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const key = await argonKey(passphrase, salt, params);
  const plain = new TextEncoder().encode(JSON.stringify(payload));
  const data = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, plain));
  plain.fill(0);
  return { v: 2, kdf: 'argon2id', m: params.m, t: params.t, p: params.p, salt: b64(salt), iv: b64(iv), data: b64(data) };
}

function checkArgon(k: { m: number; t: number; p: number }): void {
  const ints = [k.m, k.t, k.p].every((x) => Number.isSafeInteger(x) && x > 0);
  if (!ints || k.m < ARGON2_MIN.m || k.t < ARGON2_MIN.t || k.p < ARGON2_MIN.p) {
    throw new VaultError(`These saved keys were sealed with weaker settings than Tessera accepts (Argon2id needs at least ${ARGON2_MIN.m / 1024} MiB and ${ARGON2_MIN.t} passes): they cannot be opened. Enter the keys again.`, 'weak');
  }
  if (k.m > ARGON2_MAX.m || k.t > ARGON2_MAX.t || k.p > ARGON2_MAX.p || k.m < 8 * k.p) {
    throw new VaultError('These saved keys claim settings too costly to open in a browser tab: the record is damaged.', 'damaged');
  }
}

function checkPbkdf2(iterations: number): void {
  if (!Number.isSafeInteger(iterations) || iterations > PBKDF2_MAX) throw new VaultError('These saved keys are damaged (impossible key-stretching settings).', 'damaged');
  if (iterations !== PBKDF2_LEGACY && iterations < PBKDF2_MIN) {
    throw new VaultError(`These saved keys were sealed with only ${iterations.toLocaleString('en-GB')} PBKDF2 iterations (at least ${PBKDF2_MIN.toLocaleString('en-GB')} are needed): they cannot be opened. Enter the keys again.`, 'weak');
  }
}

export interface Unsealed {
  keys: SecretPayload;
  /** Sealed with settings below today's: re-seal it (with `seal`) and store the new record. */
  outdated: boolean;
}

/** Open a record, refusing parameters below the minimum before spending any work on them. */
export async function unsealRecord(sealed: SealedSecret, passphrase: string): Promise<Unsealed> {
  if (!isSealedSecret(sealed)) throw new VaultError('These saved keys are damaged.', 'damaged');
  let key: CryptoKey;
  let outdated: boolean;
  if (sealed.v === 2) {
    checkArgon(sealed);
    key = await argonKey(passphrase, unb64(sealed.salt), sealed);
    outdated = sealed.m < ARGON2.m || sealed.t < ARGON2.t;
  } else {
    checkPbkdf2(sealed.iterations);
    key = await pbkdf2Key(passphrase, unb64(sealed.salt), sealed.iterations);
    outdated = true;
  }
  let plain: Uint8Array;
  try {
    plain = new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: unb64(sealed.iv) }, key, unb64(sealed.data)));
  } catch {
    // AES-GCM authenticates: a wrong passphrase (or an edited record) fails here rather than giving garbage.
    throw new VaultError('Wrong passphrase for the saved keys.', 'passphrase');
  }
  let p: SecretPayload;
  try {
    p = JSON.parse(new TextDecoder().decode(plain)) as SecretPayload;
  } catch {
    throw new VaultError('The saved keys are damaged.', 'damaged');
  } finally {
    plain.fill(0);
  }
  if (typeof p?.accessKeyId !== 'string' || typeof p.secretAccessKey !== 'string') throw new VaultError('The saved keys are damaged.', 'damaged');
  const keys: SecretPayload = { accessKeyId: p.accessKeyId, secretAccessKey: p.secretAccessKey };
  if (typeof p.sessionToken === 'string' && p.sessionToken) keys.sessionToken = p.sessionToken;
  return { keys, outdated };
}

/** `unsealRecord` without the re-seal hint. */
export async function unseal(sealed: SealedSecret, passphrase: string): Promise<SecretPayload> {
  return (await unsealRecord(sealed, passphrase)).keys;
}

export function isSealedSecret(x: unknown): x is SealedSecret {
  const s = x as SealedSecret;
  if (!s || typeof s !== 'object' || typeof s.salt !== 'string' || typeof s.iv !== 'string' || typeof s.data !== 'string') return false;
  if (s.v === 1) return typeof s.iterations === 'number';
  return s.v === 2 && s.kdf === 'argon2id' && typeof s.m === 'number' && typeof s.t === 'number' && typeof s.p === 'number';
}
