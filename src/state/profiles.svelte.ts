/**
 * Saved connection profiles (localStorage; keys only sealed with a passphrase).
 * Switching profile replaces the connection in the S3 worker: no reload.
 */
import { session } from './session.svelte';
import { loadProfiles, removeProfile, upsertProfile, type Profile } from '../lib/creds/profiles';
import { seal } from '../lib/creds/vault';
import type { ConnectionInfo } from '../rpc/s3';
import { keyHint } from '../lib/s3/key-hint';

export interface NewProfile {
  name: string;
  endpoint: string;
  region?: string;
  keyExpiresAt?: string;
  /** Present for keyed profiles; sealed at once and dropped. */
  keys?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Required to keep keys; without it only the endpoint is kept. */
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

  async save(p: NewProfile): Promise<Profile> {
    const name = p.name.trim();
    if (!name) throw new TypeError('Give the profile a name.');
    const existing = this.#list.find((x) => x.name === name);
    const profile: Profile = { id: existing?.id ?? crypto.randomUUID(), name, endpoint: p.endpoint.trim(), anonymous: !p.keys };
    if (p.region?.trim()) profile.region = p.region.trim();
    if (p.keyExpiresAt) profile.keyExpiresAt = p.keyExpiresAt;
    if (p.keys) {
      profile.accessKeyHint = keyHint(p.keys.accessKeyId);
      if (p.passphrase) profile.sealed = await seal(p.keys, p.passphrase);
    }
    this.#list = upsertProfile(localStorage, profile);
    return profile;
  }

  remove(id: string): void {
    this.#list = removeProfile(localStorage, id);
    if (this.#current === id) this.#current = null;
  }

  /** Connect with a profile; sealed keys are opened in the worker with the passphrase. */
  async connect(p: Profile, passphrase?: string): Promise<ConnectionInfo> {
    const settings = { endpoint: p.endpoint, region: p.region };
    let info: ConnectionInfo;
    if (p.anonymous) info = await session.connect(settings);
    else if (p.sealed) {
      if (!passphrase) throw new TypeError(`Enter the passphrase of "${p.name}".`);
      info = await session.connectSealed(settings, p.sealed, passphrase);
    } else throw new TypeError(`"${p.name}" has no saved keys: enter them in the form.`);
    this.#current = p.id;
    return info;
  }

  /** Remember which profile the form connected with (or none). */
  markCurrent(id: string | null): void {
    this.#current = id;
  }
}

export const profiles = new Profiles();
