/**
 * `connection.*`: set, check, replace and drop the connection, and cancel
 * what runs on it. Keys go in and never come back: only `ConnectionInfo`
 * (endpoint, anonymous or not, a key hint) is returned.
 */
import type { CheckedConnection, ConnectionInfo, ConnectionSettings, S3Service } from '../../src/lib/s3/service';
import { unseal, type SealedSecret } from '../../src/lib/creds/vault';
import type { OpOptions } from './options';
import { connectionChanged } from '../upload-api';

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
}

export function connectionApi(s3: S3Service) {
  return {
    /** Set (or replace) the connection without checking it. */
    connect({ settings }: { settings: ConnectionSettings }): ConnectionInfo {
      return changed(s3.connect(settings));
    },

    /** Check with one cheap request, and set the connection unless the check proves it cannot work. */
    async connectChecked({ settings, opId }: { settings: ConnectionSettings } & OpOptions): Promise<CheckedConnection> {
      return changed(await s3.connectChecked(settings, opId));
    },

    /** Connect with keys saved encrypted: they are decrypted here, never in the page. */
    async connectSealed({ settings, sealed, passphrase }: SealedConnect): Promise<ConnectionInfo> {
      const keys = await unseal(sealed, passphrase);
      return changed(s3.connect({ ...settings, ...keys }));
    },

    /** `connectSealed`, checked like `connectChecked`. */
    async connectSealedChecked({ settings, sealed, passphrase, opId }: SealedConnect & OpOptions): Promise<CheckedConnection> {
      const keys = await unseal(sealed, passphrase);
      return changed(await s3.connectChecked({ ...settings, ...keys }, opId));
    },

    /** Drop the connection (and its keys), stopping whatever runs on it. */
    disconnect(): void {
      s3.disconnect();
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

    /** Milliseconds the store's clock is ahead of ours (learned from a skew error). */
    clockOffset(): number {
      return s3.clockOffset();
    },
  };
}
