/**
 * Saved connection profiles (localStorage; keys only sealed with a passphrase).
 * Switching profile replaces the connection in the S3 worker: no reload.
 * Keys are sealed and opened in the worker: the page passes the passphrase
 * once and gets back only the sealed record.
 */
import { session } from './session.svelte';
import { loadProfiles, removeProfile, saveProfiles, upsertProfile, type Profile } from '../lib/creds/profiles';
import type { ConnectionInfo } from '../rpc/s3';

export interface NewProfile {
  name: string;
  endpoint: string;
  region?: string;
  keyExpiresAt?: string;
  /**
   * Seal the keys the current connection holds with this passphrase (in the
   * worker). Without it only the endpoint is kept.
   */
  passphrase?: string;
}

class Profiles {
  #list = $state.raw<Profile[]>(typeof localStorage === 'undefined' ? [] : loadProfiles(localStorage));
  #current = $state<string | null>(null);

  get list(): Profile[] {
    return this.#list;
  }

  get current(): Profile | null {
    return this.#list.find((p) => p.id === this.#current) ?? null;
  }

  /**
   * Whether sealed keys may be kept in this browser: always on an origin of
   * Tessera's own; on an origin shared with the store only after the user
   * read the warning and insisted.
   */
  get mayKeepKeys(): boolean {
    return session.mayKeepState;
  }

  /** Save a profile; with a passphrase, the current connection's keys are sealed in the worker and stored. */
  async save(p: NewProfile): Promise<Profile> {
    const name = p.name.trim();
    if (!name) throw new TypeError('Give the profile a name.');
    const existing = this.#list.find((x) => x.name === name);
    const info = session.info;
    const keyed = !!info && !info.anonymous;
    const profile: Profile = { id: existing?.id ?? crypto.randomUUID(), name, endpoint: p.endpoint.trim(), anonymous: !keyed };
    if (p.region?.trim()) profile.region = p.region.trim();
    if (p.keyExpiresAt) profile.keyExpiresAt = p.keyExpiresAt;
    if (keyed) {
      if (info.accessKeyHint) profile.accessKeyHint = info.accessKeyHint;
      if (p.passphrase && this.mayKeepKeys) profile.sealed = await session.worker.vault.sealCurrent({ passphrase: p.passphrase });
      if (p.keyExpiresAt) await session.worker.vault.setKeyExpiry({ keyExpiresAt: p.keyExpiresAt });
    }
    this.#list = upsertProfile(localStorage, profile);
    return profile;
  }

  remove(id: string): void {
    this.#list = removeProfile(localStorage, id);
    if (this.#current === id) this.#current = null;
  }

  /** Connect with a profile; sealed keys are opened in the worker with the passphrase (and re-sealed there when outdated). */
  async connect(p: Profile, passphrase?: string): Promise<ConnectionInfo> {
    const settings = { endpoint: p.endpoint, region: p.region };
    let info: ConnectionInfo;
    if (p.anonymous) info = await session.connect(settings);
    else if (p.sealed) {
      if (!passphrase) throw new TypeError(`Enter the passphrase of "${p.name}".`);
      const r = await session.connectSealed(settings, p.sealed, passphrase, p.keyExpiresAt);
      info = r.info;
      if (r.resealed) this.#list = upsertProfile(localStorage, { ...p, sealed: r.resealed });
    } else throw new TypeError(`"${p.name}" has no saved keys: enter them in the form.`);
    this.#current = p.id;
    return info;
  }

  /** Remember which profile the form connected with (or none). */
  markCurrent(id: string | null): void {
    this.#current = id;
  }

  /**
   * Forget all keys: the worker drops the keys it holds and every sealed
   * record is removed from this browser (profiles keep their name and endpoint).
   */
  async forgetAllKeys(): Promise<void> {
    await session.forgetKeys();
    const kept = loadProfiles(localStorage).map(({ sealed: _sealed, accessKeyHint: _hint, ...rest }) => rest);
    saveProfiles(localStorage, kept);
    this.#list = kept;
  }
}

export const profiles = new Profiles();
