/**
 * `connection.*`: set, check, replace and drop the connection, and cancel
 * what runs on it. Keys go in and never come back: only `ConnectionInfo`
 * (endpoint, anonymous or not, a key hint) and, for saved keys, a re-sealed
 * record are returned. The keys a connection uses are kept in the worker's
 * key ring (vault.ts), which the idle lock and "forget all keys" empty.
 */
import type { CheckedConnection, ConnectionInfo, ConnectionSettings, S3Service } from '../../src/lib/s3/service';
import { blocksConnect } from '../../src/lib/s3/diagnose';
import { seal, unsealRecord, type SealedSecret, type SecretPayload } from '../../src/lib/creds/vault';
import type { OpOptions } from './options';
import type { KeyRing } from './vault';
import { connectionChanged, keepUploadState } from '../upload-api';
import { mark } from '../../src/lib/zarr/trace';

/** Uploads waiting for keys go on as soon as new ones are set (they are told, not polling). */
function changed<T>(value: T): T {
  connectionChanged();
  return value;
}

/** Connection settings without the keys, for keys saved sealed in a profile. */
export type SealedSettings = Omit<ConnectionSettings, 'accessKeyId' | 'secretAccessKey' | 'sessionToken'>;

export interface SealedConnect {
  settings: SealedSettings;
  sealed: SealedSecret;
  passphrase: string;
  /** The key's expiry date (YYYY-MM-DD), when known: presigned links cannot outlive it. */
  keyExpiresAt?: string;
}

/** A checked connection made with saved keys; `resealed` replaces a record sealed with outdated settings. */
export interface SealedCheckedConnection extends CheckedConnection {
  resealed?: SealedSecret;
}

function keysOf(settings: ConnectionSettings): SecretPayload | null {
  if (!settings.accessKeyId || !settings.secretAccessKey) return null;
  const keys: SecretPayload = { accessKeyId: settings.accessKeyId.trim(), secretAccessKey: settings.secretAccessKey.trim() };
  if (settings.sessionToken?.trim()) keys.sessionToken = settings.sessionToken.trim();
  return keys;
}

export function connectionApi(s3: S3Service, ring: KeyRing) {
  /** Connect checked, and hold the keys when the connection is set. */
  async function checked(settings: ConnectionSettings, keyExpiresAt: string | undefined, opId?: string, early = false): Promise<CheckedConnection> {
    mark('check:sent');
    const r = await s3.connectChecked(settings, opId, { early });
    mark('check:answered');
    if (!blocksConnect(r.check)) ring.hold(keysOf(settings), keyExpiresAt);
    return changed(r);
  }

  async function sealed({ settings, sealed, passphrase, keyExpiresAt, opId }: SealedConnect & OpOptions): Promise<SealedCheckedConnection> {
    const { keys, outdated } = await unsealRecord(sealed, passphrase);
    const r: SealedCheckedConnection = await checked({ ...settings, ...keys }, keyExpiresAt, opId);
    // Records from earlier versions (PBKDF2 at 310,000 iterations) are opened once and re-sealed with Argon2id.
    if (outdated) r.resealed = await seal(keys, passphrase);
    return r;
  }

  return {
    /** Set (or replace) the connection without checking it. */
    connect({ settings, keyExpiresAt }: { settings: ConnectionSettings; keyExpiresAt?: string }): ConnectionInfo {
      const info = s3.connect(settings);
      ring.hold(keysOf(settings), keyExpiresAt);
      return changed(info);
    },

    /**
     * Check with one cheap request, and set the connection unless the check proves it cannot work.
     * `early`: with no connection to keep, reads are signed with it while the check runs (see `S3Service.connectChecked`).
     */
    connectChecked({ settings, keyExpiresAt, opId, early }: { settings: ConnectionSettings; keyExpiresAt?: string; early?: boolean } & OpOptions): Promise<CheckedConnection> {
      return checked(settings, keyExpiresAt, opId, early);
    },

    /** Connect with keys saved encrypted: they are decrypted here, never in the page. */
    connectSealed(options: SealedConnect & OpOptions): Promise<SealedCheckedConnection> {
      return sealed(options);
    },

    /** `connectSealed` (kept for callers of the earlier name: it was always checked). */
    connectSealedChecked(options: SealedConnect & OpOptions): Promise<SealedCheckedConnection> {
      return sealed(options);
    },

    /** Connect with keys read from a pasted file (`vault.importText`); the staged keys are dropped. */
    connectStaged({ stagedId, settings, keyExpiresAt, opId }: { stagedId: string; settings: SealedSettings; keyExpiresAt?: string } & OpOptions): Promise<CheckedConnection> {
      return checked({ ...settings, ...ring.takeStaged(stagedId) }, keyExpiresAt, opId);
    },

    /** Drop the connection (and its keys), stopping whatever runs on it. */
    disconnect(): void {
      ring.forget();
      connectionChanged();
    },

    /** Stop the operation started with this `opId`; it fails with an `Aborted` S3Error. */
    cancel({ opId }: { opId: string }): void {
      s3.cancel(opId);
    },

    isAnonymous(): boolean {
      return s3.isAnonymous();
    },

    endpointUrl(): string {
      return s3.endpointUrl();
    },

    /** Keep upload state in IndexedDB, or (false) only in memory: on an origin shared with the store's objects. */
    keepUploadState({ persist }: { persist: boolean }): Promise<void> {
      return keepUploadState(persist);
    },

    /** Milliseconds the store's clock is ahead of ours (learned from a skew error). */
    clockOffset(): number {
      return s3.clockOffset();
    },
  };
}
