/**
 * The S3 worker's API, grouped by area, each call taking one options object.
 * Built on one `S3Service` (the connection, src/lib/s3) so the S3 core knows
 * nothing of the explorer, policy or vault areas these calls use.
 */
import * as Comlink from 'comlink';
import type { S3Service } from '../../src/lib/s3/service';
import { connectionApi } from './connection';
import { objectsApi } from './objects';
import { transfersApi } from './transfers';
import { walkApi } from './walk';
import { bucketSettingsApi } from './bucket-settings';
import { KeyRing, vaultApi } from './vault';
import { connectionChanged } from '../upload-api';

/**
 * Areas are wrapped in `Comlink.proxy` so their remote type is callable
 * (`remote.objects.list(...)`) rather than a promise of a clone.
 */
export function createS3Api(s3: S3Service) {
  // The keys live in this ring; forgetting them (idle lock, forget all, disconnect) drops the signing client too.
  const ring = new KeyRing(() => {
    s3.disconnect();
    connectionChanged();
  });
  return {
    connection: Comlink.proxy(connectionApi(s3, ring)),
    vault: Comlink.proxy(vaultApi(ring)),
    objects: Comlink.proxy(objectsApi(s3, ring)),
    transfers: Comlink.proxy(transfersApi(s3)),
    walk: Comlink.proxy(walkApi(s3)),
    bucketSettings: Comlink.proxy(bucketSettingsApi(s3)),
  };
}

export type S3Api = ReturnType<typeof createS3Api>;
export type { OpOptions, ProgressOptions } from './options';
export type { SendOptions, ListOptions, PresignOptions } from './objects';
export type { SealedConnect, SealedSettings, SealedCheckedConnection } from './connection';
export type { StagedImport, StagedProfile, KeyStatus } from './vault';
export type { SelectionOptions, TreeDownloadResult } from './transfers';
