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
}

/** At most one idle worker: warmed ahead of an open, or handed back by a closed view. */
let spare: Started | null = null;

function start(): Started {
  const worker = new Worker(new URL('../../workers/zarr.worker.ts', import.meta.url), { type: 'module', name: 'tessera-zarr' });
  return { worker, remote: Comlink.wrap<ZarrWorkerApi>(worker) };
}

/**
 * A dataset is about to be opened: start a worker now, so its code loads and
 * blosc compiles (100-500 ms under load) while the page gets ready to ask.
 * Does nothing when a spare is already waiting.
 */
export function prewarmZarrWorker(): void {
  spare ??= start();
}

/** A worker for one dataset view: the spare if there is one, else a new one. */
export function takeZarrWorker(): ZarrWorker {
  const w = spare ?? start();
  spare = null;
  let held = true;
  return {
    remote: w.remote,
    release(reusable) {
      if (!held) return;
      held = false;
      if (reusable && !spare) {
        spare = w;
        return;
      }
      w.remote[Comlink.releaseProxy]();
      w.worker.terminate();
    },
  };
}
