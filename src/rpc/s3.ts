/**
 * The page's handle on the S3 worker. The worker alone holds the secret; this
 * façade only ever sees connection info with the access key hint.
 */
import * as Comlink from 'comlink';
import type { S3WorkerApi } from '../../workers/s3.worker';
import { installErrorTransfer } from './errors';
import type { InputOf, OutputOf, SendableName } from '../lib/s3/service';

export type S3WorkerRemote = Comlink.Remote<S3WorkerApi>;

installErrorTransfer();

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
 * Typed `send` through the worker: comlink's `Remote` mapping loses the
 * generic signature of `S3Service.send`, so we restore it here.
 */
export function sendOp<N extends SendableName>(remote: S3WorkerRemote, name: N, input: InputOf<N>, opId?: string): Promise<OutputOf<N>> {
  return remote.s3.send(name, input as never, opId) as Promise<OutputOf<N>>;
}
