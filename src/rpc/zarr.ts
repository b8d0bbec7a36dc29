/**
 * The page's handle on the Zarr worker, which opens datasets, reads chunks and
 * colours them. A worker is started only when a dataset is about to be opened
 * (nothing is paid on a page that never shows one), and a view that closes
 * hands its worker back so the next view (another group of the same store)
 * does not compile blosc and warm its decoders again (see lib/zarr/warm.ts).
 */
import * as Comlink from 'comlink';
import type { ZarrWorkerApi } from '../../workers/zarr.worker';
import { installErrorTransfer } from './errors';
import { NETCDF_WORKER_SUFFIX } from './zarr-hint';

export type ZarrWorkerRemote = Comlink.Remote<ZarrWorkerApi>;

/** A Zarr worker lent to one dataset view until it calls `release`. */
export interface ZarrWorker {
  readonly remote: ZarrWorkerRemote;
  /**
   * The view is done with the worker. A `reusable` one (no open in flight
   * that could land in the next view's dataset) is kept warm for the next
   * view; otherwise it is terminated. Later calls do nothing.
   */
  release(reusable: boolean): void;
}

export { Comlink };

installErrorTransfer();

interface Started {
  worker: Worker;
  remote: ZarrWorkerRemote;
  /** Set once the worker could not start; its calls then fail at once. */
  failed: Error | null;
}

/**
 * A worker whose script cannot load (a static host redeployed the app while
 * this page was open, so the worker's hashed file is gone; a network drop)
 * never answers, and every call to it would wait for ever ("Drawing..." that
 * never ends). The browser tells with a plain `error` event (an uncaught
 * exception inside a running worker is an `ErrorEvent` and leaves it running),
 * so from then on every call, pending or new, fails with a message that says
 * what to do.
 */
function guard(started: Omit<Started, 'remote'> & { remote: ZarrWorkerRemote }): Started {
  let fail: (e: Error) => void = () => undefined;
  const dead = new Promise<never>((_, reject) => (fail = reject));
  dead.catch(() => undefined);
  started.worker.addEventListener('error', (event) => {
    if (event instanceof ErrorEvent && event.message) return;
    started.failed ??= new Error('The dataset reader (a background worker) could not start: the app may have been updated since this page was loaded, or the network dropped. Reload the page.');
    fail(started.failed);
  });
  const remote = new Proxy(started.remote, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      // Symbols (comlink's releaseProxy) and `then` pass through untouched.
      if (typeof prop === 'symbol' || prop === 'then' || typeof value !== 'function') return value;
      return (...args: unknown[]) => (started.failed ? Promise.reject(started.failed) : Promise.race([(value as (...a: unknown[]) => unknown)(...args), dead]));
    },
  });
  return Object.assign(started, { remote });
}

/** At most one idle worker: warmed ahead of an open, or handed back by a closed view. */
let spare: Started | null = null;

/** What the next dataset is, where the page knows it: a NetCDF/HDF5 file read through references made on the fly. */
export type ZarrWorkerHint = 'netcdf' | undefined;

function start(hint?: ZarrWorkerHint): Started {
  const name = `tessera-zarr${hint === 'netcdf' ? NETCDF_WORKER_SUFFIX : ''}`;
  const worker = new Worker(new URL('../../workers/zarr.worker.ts', import.meta.url), { type: 'module', name });
  return guard({ worker, remote: Comlink.wrap<ZarrWorkerApi>(worker), failed: null });
}

/**
 * A dataset is about to be opened: start a worker now, so its code loads and
 * blosc compiles (100-500 ms under load) while the page gets ready to ask.
 * Does nothing when a spare is already waiting.
 */
export function prewarmZarrWorker(hint?: ZarrWorkerHint): void {
  spare ??= start(hint);
}

/** Whether a started worker waits to be taken (warmed ahead, or handed back by a closed view). */
export function zarrWorkerWaiting(): boolean {
  return !!spare && !spare.failed;
}

/** A worker for one dataset view: the spare if there is one (and it started), else a new one. */
export function takeZarrWorker(): ZarrWorker {
  if (spare?.failed) {
    spare.worker.terminate();
    spare = null;
  }
  const w = spare ?? start();
  spare = null;
  let held = true;
  return {
    remote: w.remote,
    release(reusable) {
      if (!held) return;
      held = false;
      if (reusable && !spare && !w.failed) {
        spare = w;
        return;
      }
      w.remote[Comlink.releaseProxy]();
      w.worker.terminate();
    },
  };
}
