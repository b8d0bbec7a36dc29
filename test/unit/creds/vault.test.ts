import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ARGON2, ARGON2_MIN, PBKDF2_MIN, isSealedSecret, seal, unseal, unsealRecord, type SealedSecret, type SealedSecretV1 } from '../../../src/lib/creds/vault';

const keys = { accessKeyId: 'AKVAULT00001', secretAccessKey: 'vault/secret+Key=0001' };

/** A record written by the earlier vault (PBKDF2-SHA-256, 310,000 iterations), kept as it was stored. */
const legacy = JSON.parse(readFileSync(new URL('../../fixtures/creds/legacy-pbkdf2-310k.json', import.meta.url), 'utf8')) as SealedSecretV1;

/** PBKDF2 record sealed as the earlier vault did, with any iteration count (for the minimum checks). */
async function pbkdf2Record(iterations: number, passphrase: string): Promise<SealedSecretV1> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const base = await crypto.subtle.importKey('raw', new TextEncoder().encode(passphrase), 'PBKDF2', false, ['deriveKey']);
  const key = await crypto.subtle.deriveKey({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, base, { name: 'AES-GCM', length: 256 }, false, ['encrypt']);
  const data = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, new TextEncoder().encode(JSON.stringify(keys))));
  const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');
  return { v: 1, salt: b64(salt), iv: b64(iv), data: b64(data), iterations };
}

describe('vault', { timeout: 60_000 }, () => {
  it('seals with Argon2id (64 MiB) + AES-GCM and opens only with the passphrase', async () => {
    const sealed = await seal(keys, 'correct horse');
    expect(isSealedSecret(sealed)).toBe(true);
    expect(sealed).toMatchObject({ v: 2, kdf: 'argon2id', m: ARGON2.m, t: ARGON2.t, p: ARGON2.p });
    expect(ARGON2.m).toBe(64 * 1024);
    expect(JSON.stringify(sealed)).not.toContain(keys.secretAccessKey);
    expect(JSON.stringify(sealed)).not.toContain('correct horse');
    expect(await unsealRecord(sealed, 'correct horse')).toEqual({ keys, outdated: false });
    await expect(unseal(sealed, 'wrong horse!')).rejects.toThrow(/Wrong passphrase/);
    await expect(seal(keys, 'short')).rejects.toThrow(/8 characters/);
  });

  it('uses a fresh salt and IV on every write', async () => {
    const a = await seal(keys, 'correct horse');
    const b = await seal(keys, 'correct horse');
    expect(a.iv).not.toBe(b.iv);
    expect(a.salt).not.toBe(b.salt);
    expect(a.data).not.toBe(b.data);
    expect(Buffer.from(a.iv, 'base64')).toHaveLength(12);
  });

  it('refuses records claiming weaker (or absurd) Argon2id settings before spending work on them', async () => {
    const good = await seal(keys, 'correct horse');
    for (const weaker of [{ m: ARGON2_MIN.m - 1024 }, { t: ARGON2_MIN.t - 1 }, { m: 19 * 1024, t: 2 }, { t: 0 }, { m: 1.5 }]) {
      await expect(unseal({ ...good, ...weaker } as SealedSecret, 'correct horse')).rejects.toMatchObject({ reason: 'weak' });
    }
    for (const absurd of [{ m: 8 * 1024 * 1024 }, { t: 1000 }, { p: 64 }]) {
      await expect(unseal({ ...good, ...absurd } as SealedSecret, 'correct horse')).rejects.toMatchObject({ reason: 'damaged' });
    }
  });

  it('an edited ciphertext or IV is refused (AES-GCM authenticates)', async () => {
    const good = await seal(keys, 'correct horse');
    const data = Buffer.from(good.data, 'base64');
    data[0]! ^= 1;
    await expect(unseal({ ...good, data: data.toString('base64') }, 'correct horse')).rejects.toThrow(/Wrong passphrase/);
    const iv = Buffer.from(good.iv, 'base64');
    iv[0]! ^= 1;
    await expect(unseal({ ...good, iv: iv.toString('base64') }, 'correct horse')).rejects.toThrow(/Wrong passphrase/);
  });

  it('opens a record sealed by the earlier vault (PBKDF2, 310,000 iterations) once, marked outdated for re-sealing', async () => {
    expect(legacy.iterations).toBe(310_000);
    const r = await unsealRecord(legacy, 'old passphrase 310k');
    expect(r).toEqual({ keys: { accessKeyId: 'AKLEGACY0001', secretAccessKey: 'legacy-secret/Key+0001' }, outdated: true });
    const resealed = await seal(r.keys, 'old passphrase 310k');
    expect(resealed.v).toBe(2);
    expect(await unsealRecord(resealed, 'old passphrase 310k')).toEqual({ keys: r.keys, outdated: false });
  });

  it('refuses PBKDF2 records below 600,000 iterations (other than the legacy count) and accepts those above', async () => {
    await expect(unseal(await pbkdf2Record(100_000, 'correct horse'), 'correct horse')).rejects.toThrow(/600,000/);
    await expect(unseal(await pbkdf2Record(599_999, 'correct horse'), 'correct horse')).rejects.toMatchObject({ reason: 'weak' });
    expect(await unsealRecord(await pbkdf2Record(PBKDF2_MIN, 'correct horse'), 'correct horse')).toEqual({ keys, outdated: true });
  });

  it('tells records apart from anything else', () => {
    expect(isSealedSecret(legacy)).toBe(true);
    expect(isSealedSecret({ v: 2, kdf: 'scrypt', m: 1, t: 1, p: 1, salt: '', iv: '', data: '' })).toBe(false);
    expect(isSealedSecret({ accessKeyId: 'x', secretAccessKey: 'y' })).toBe(false);
    expect(isSealedSecret(null)).toBe(false);
  });
});
