/**
 * Named connection profiles kept in the browser: endpoint, region, a name,
 * the key's expiry date, and the keys only as a passphrase-sealed blob (see
 * vault.ts). A profile never holds a secret in plain text: `saveProfiles`
 * refuses one that does.
 */
import { isSealedSecret, type SealedSecret } from './vault';
import type { KeyValueStore } from '../remembered';

export interface Profile {
  id: string;
  name: string;
  endpoint: string;
  region?: string;
  anonymous: boolean;
  /** Shown to tell keys apart, e.g. `AKIA…XYZ`. */
  accessKeyHint?: string;
  /** ISO date (YYYY-MM-DD) the access key expires, when the user knows it (JASMIN keys expire). */
  keyExpiresAt?: string;
  /** The keys, encrypted with the user's passphrase. Absent: the user types the keys when connecting. */
  sealed?: SealedSecret;
}

const KEY = 'tessera.profiles';
const ALLOWED = new Set(['id', 'name', 'endpoint', 'region', 'anonymous', 'accessKeyHint', 'keyExpiresAt', 'sealed']);

export function loadProfiles(store: KeyValueStore): Profile[] {
  try {
    const raw = JSON.parse(store.getItem(KEY) ?? '[]') as unknown;
    if (!Array.isArray(raw)) return [];
    return raw.filter((p): p is Profile => !!p && typeof p.id === 'string' && typeof p.name === 'string' && typeof p.endpoint === 'string');
  } catch {
    return [];
  }
}

/** Throws when a profile carries anything but the fields above (a stray secret must never be written). */
export function checkProfile(p: Profile): void {
  for (const k of Object.keys(p)) if (!ALLOWED.has(k)) throw new TypeError(`A profile cannot store "${k}".`);
  if (p.sealed !== undefined && !isSealedSecret(p.sealed)) throw new TypeError('Profile keys must be sealed with a passphrase.');
}

export function saveProfiles(store: KeyValueStore, profiles: Profile[]): void {
  profiles.forEach(checkProfile);
  store.setItem(KEY, JSON.stringify(profiles));
}

export function upsertProfile(store: KeyValueStore, profile: Profile): Profile[] {
  const list = loadProfiles(store).filter((p) => p.id !== profile.id);
  list.push(profile);
  list.sort((a, b) => a.name.localeCompare(b.name));
  saveProfiles(store, list);
  return list;
}

export function removeProfile(store: KeyValueStore, id: string): Profile[] {
  const list = loadProfiles(store).filter((p) => p.id !== id);
  saveProfiles(store, list);
  return list;
}

