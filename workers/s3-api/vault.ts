/**
 * The worker's key ring and `vault.*`: the only place a secret key lives in
 * the tab. The page hands keys (typed, or a pasted credentials file) over
 * once and gets back only what is safe to show and store: a key hint,
 * endpoint notes, and records sealed with the user's passphrase
 * (src/lib/creds/vault.ts: Argon2id + AES-GCM).
 *
 * - Pasted files are read here (`importText`): the page keeps no copy and
 *   refers to the keys found by a staging id until it connects with them.
 * - The idle lock forgets the keys after a chosen time without activity and
 *   tells the page, which then asks for the passphrase again.
 * - `forgetAll` drops every key held here (the page wipes the stored records).
 * - A key's expiry date, when known, bounds every presigned link made with it.
 */
import { importCredentials, type ImportFormat } from '../../src/lib/creds/importers';
import { seal, type SealedSecret, type SecretPayload } from '../../src/lib/creds/vault';
import { keyHint } from '../../src/lib/s3/key-hint';
import { S3Error } from '../../src/lib/s3/errors';

/** A profile found in a pasted file, without its keys (those stay staged in the worker). */
export interface StagedProfile {
  stagedId: string;
  name: string;
  endpoint: string;
  region?: string;
  accessKeyHint: string;
  notes: string[];
}

export interface StagedImport {
  format: ImportFormat;
  profiles: StagedProfile[];
  warnings: string[];
}

export interface KeyStatus {
  /** Keys are held (a keyed connection is usable). */
  holding: boolean;
  /** Minutes of inactivity before the keys are forgotten (0: never). */
  idleMinutes: number;
  /** The held key's expiry date (YYYY-MM-DD), when known. */
  keyExpiresAt?: string;
}

/** The start (UTC) of the day a key expires: links must be dead by then. */
export function expiryInstant(date: string): number {
  const t = Date.parse(`${date}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(t)) throw new TypeError(`"${date}" is not a date (YYYY-MM-DD).`);
  return t;
}

function humanSpan(ms: number): string {
  const h = Math.floor(ms / 3_600_000);
  if (h >= 48) return `${Math.floor(h / 24)} days`;
  if (h >= 1) return `${h} hour${h === 1 ? '' : 's'}`;
  return `${Math.max(0, Math.floor(ms / 60_000))} minutes`;
}

export class KeyRing {
  #keys: SecretPayload | null = null;
  #expiresAt: string | undefined;
  #staged = new Map<string, SecretPayload>();
  #idleMs = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #onLock: (() => void) | null = null;
  /** What locking does besides forgetting (drop the signing client). */
  #lockHook: () => void;

  constructor(lockHook: () => void) {
    this.#lockHook = lockHook;
  }

  /** Keep the keys a connection was made with (null: anonymous). */
  hold(keys: SecretPayload | null, keyExpiresAt?: string): void {
    if (keyExpiresAt) expiryInstant(keyExpiresAt);
    this.#keys = keys ? { ...keys } : null;
    this.#expiresAt = keys ? keyExpiresAt : undefined;
    this.touch();
  }

  get keys(): SecretPayload | null {
    return this.#keys;
  }

  /** Set or clear the held key's expiry date. */
  setExpiry(keyExpiresAt: string | undefined): void {
    if (keyExpiresAt) expiryInstant(keyExpiresAt);
    this.#expiresAt = keyExpiresAt || undefined;
  }

  status(): KeyStatus {
    const s: KeyStatus = { holding: !!this.#keys, idleMinutes: this.#idleMs / 60_000 };
    if (this.#expiresAt) s.keyExpiresAt = this.#expiresAt;
    return s;
  }

  /** Stage keys read from a pasted file; returns their id. */
  stage(keys: SecretPayload): string {
    const id = crypto.randomUUID();
    this.#staged.set(id, keys);
    return id;
  }

  /** Take staged keys (they are removed from staging, as are all others). */
  takeStaged(id: string): SecretPayload {
    const keys = this.#staged.get(id);
    if (!keys) throw new TypeError('These imported keys are no longer held: read the file again.');
    this.#staged.clear();
    return keys;
  }

  dropStaged(): void {
    this.#staged.clear();
  }

  /** Forget the keys after `minutes` without activity (0: never); `onLock` is told when it happens. */
  setIdleLock(minutes: number, onLock?: () => void): void {
    if (!(minutes >= 0) || minutes > 24 * 60) throw new TypeError('Choose an idle lock between 0 (never) and 1,440 minutes.');
    this.#idleMs = minutes * 60_000;
    if (onLock) this.#onLock = onLock;
    this.touch();
  }

  /** Activity: restart the idle clock. */
  touch(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#idleMs > 0 && this.#keys) this.#timer = setTimeout(() => this.lock(), this.#idleMs);
  }

  /** Forget the held keys now (idle lock), and say so to the page. */
  lock(): void {
    const had = !!this.#keys;
    this.forget();
    if (had) this.#onLock?.();
  }

  /** Drop every key held here: the connection's and any staged. */
  forget(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#keys = null;
    this.#expiresAt = undefined;
    this.#staged.clear();
    this.#lockHook();
  }

  /**
   * Refuse a presigned link that would outlive the key it is signed with
   * (a link signed by an expired key stops working anyway, so the user
   * would share a link that dies early without knowing).
   */
  checkLinkExpiry(expiresInSeconds: number, now = Date.now()): void {
    if (!this.#expiresAt) return;
    const end = expiryInstant(this.#expiresAt);
    const left = end - now;
    const base = { operation: 'Presign', status: 0, code: 'KeyExpires', retryable: false } as const;
    if (left <= 0) throw new S3Error({ ...base, message: `The access key expired on ${this.#expiresAt}: make a new key (for JASMIN, in the Object Store Portal) before making links.` });
    if (now + expiresInSeconds * 1000 > end) {
      throw new S3Error({ ...base, message: `A link valid for ${humanSpan(expiresInSeconds * 1000)} would outlive the access key, which expires on ${this.#expiresAt} (${humanSpan(left)} from now). Choose a shorter expiry.` });
    }
  }
}

export function vaultApi(ring: KeyRing) {
  return {
    /** Seal the keys of the current connection with a passphrase; only the sealed record comes back. */
    async sealCurrent({ passphrase }: { passphrase: string }): Promise<SealedSecret> {
      const keys = ring.keys;
      if (!keys) throw new TypeError('No keys are held: connect with keys first.');
      return seal(keys, passphrase);
    },

    /** Read a pasted credentials file here: the keys stay staged, the page gets names and hints. */
    importText({ text }: { text: string }): StagedImport {
      ring.dropStaged();
      const r = importCredentials(text);
      return {
        format: r.format,
        warnings: r.warnings,
        profiles: r.profiles.map((p) => {
          const staged: StagedProfile = {
            stagedId: ring.stage({ accessKeyId: p.accessKeyId, secretAccessKey: p.secretAccessKey, ...(p.sessionToken ? { sessionToken: p.sessionToken } : {}) }),
            name: p.name,
            endpoint: p.endpoint,
            accessKeyHint: keyHint(p.accessKeyId),
            notes: p.notes,
          };
          if (p.region) staged.region = p.region;
          return staged;
        }),
      };
    },

    /** Drop keys read from a file and not used. */
    dropStaged(): void {
      ring.dropStaged();
    },

    /** The idle lock (0: never); `onLock` is called when the keys are forgotten. */
    setIdleLock({ minutes, onLock }: { minutes: number; onLock?: () => void }): void {
      ring.setIdleLock(minutes, onLock);
    },

    /** The user did something: restart the idle clock. */
    touch(): void {
      ring.touch();
    },

    /** Record the expiry date of the key in use (bounds presigned links). */
    setKeyExpiry({ keyExpiresAt }: { keyExpiresAt?: string }): void {
      ring.setExpiry(keyExpiresAt);
    },

    status(): KeyStatus {
      return ring.status();
    },

    /** Forget every key held in this worker and drop the connection. */
    forgetAll(): void {
      ring.forget();
    },
  };
}

export type VaultApi = ReturnType<typeof vaultApi>;
