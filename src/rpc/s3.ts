/**
 * The page's handle on the S3 worker. The worker alone holds the secret; this
 * client only ever sees connection info with the access key hint. Calls take
 * one options object; callbacks in it cross as proxies (callbacks.ts) and
 * S3 errors arrive with all their fields (errors.ts).
 */
import * as Comlink from 'comlink';
import type { S3WorkerApi } from '../../workers/s3.worker';
import type { SendOptions } from '../../workers/s3-api/index';
import { installErrorTransfer } from './errors';
import { installCallbackTransfer } from './callbacks';
import type { OutputOf, SendableName } from '../lib/s3/service';

export type S3WorkerRemote = Comlink.Remote<S3WorkerApi>;
export type { S3ReaderApi } from '../../workers/s3.worker';
export type { SealedSettings, SealedCheckedConnection, SelectionOptions, TreeDownloadResult, StagedImport, StagedProfile, KeyStatus } from '../../workers/s3-api/index';
export type { CheckedConnection, ConnectionInfo, ConnectionSettings, GetBytesResult } from '../lib/s3/service';

installErrorTransfer();
installCallbackTransfer();

/** Start an S3 worker and return its typed remote. */
export function startS3Worker(): { remote: S3WorkerRemote; terminate: () => void } {
  const worker = new Worker(new URL('../../workers/s3.worker.ts', import.meta.url), { type: 'module', name: 'tessera-s3' });
  const remote = Comlink.wrap<S3WorkerApi>(worker);
  return {
    remote,
    terminate: () => {
      remote[Comlink.releaseProxy]();
      worker.terminate();
    },
  };
}

export { Comlink };

/** A fresh id for a cancellable operation. */
export function newOpId(prefix = 'op'): string {
  return `${prefix}-${crypto.randomUUID()}`;
}

/**
 * Typed `objects.send` through the worker: comlink's `Remote` mapping loses
 * the generic signature, so it is restored here.
 */
export function sendOp<N extends SendableName>(remote: S3WorkerRemote, options: SendOptions<N>): Promise<OutputOf<N>> {
  return remote.objects.send(options as never) as Promise<OutputOf<N>>;
}
