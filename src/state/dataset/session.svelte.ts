/**
 * One opened dataset: the Zarr worker lent to the view, what opening found
 * (its variables, coordinates, whether its consolidated metadata is stale),
 * and how long the first picture took. The slice, playback and probe parts
 * read and draw through the worker this holds.
 */
import { Comlink, prewarmZarrWorker, takeZarrWorker, zarrWorkerWaiting, type ZarrWorker, type ZarrWorkerHint, type ZarrWorkerRemote } from '../../rpc/zarr';
import { session } from '../session.svelte';
import type { S3WorkerRemote } from '../../rpc/s3';
import type { DatasetSource } from '../../lib/zarr/address';
import type { CoordValues } from '../../lib/zarr/open';
import type { DatasetInfo } from '../../lib/zarr/dataset';
import type { StaleReport } from '../../lib/zarr/discover';
import { mark } from '../../lib/zarr/trace';

export type DatasetStatus = 'idle' | 'opening' | 'ready' | 'error';

/** Time from asking to open until the dataset was open, its first chunk drawn, and its whole first slice (ms). */
export interface Timings {
  opened?: number;
  firstTile?: number;
  full?: number;
}

/** The text of anything thrown, for the page to show. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * A dataset is about to be opened (its route was entered): start a Zarr
 * worker now, so its decoders are compiled by the time the dataset is asked
 * for, and the S3 worker, which connecting and presigning the dataset's reads
 * need (its script loads while the page starts, not when the keys are given).
 * `source` (where the address tells it): a NetCDF file warms its own codecs.
 * Nothing more is started while an open sent ahead waits for its view.
 */
export function prewarmDataset(source?: Pick<DatasetSource, 'refs'>): void {
  if (typeof Worker === 'undefined') return;
  if (!ahead) prewarmZarrWorker(hintOf(source));
  void session.worker;
}

function hintOf(source?: Pick<DatasetSource, 'refs'>): ZarrWorkerHint {
  return source?.refs === 'scan' || source?.refs === 'combine' ? 'netcdf' : undefined;
}

/**
 * Whether a dataset can be opened at once, while its view is still being set
 * up: a Zarr worker is waiting, or the open was sent ahead (`openDatasetAhead`).
 * A view that replaces another (another group) waits instead until that one
 * has closed and handed its worker back.
 */
export function datasetWorkerWaiting(): boolean {
  return typeof Worker !== 'undefined' && (ahead !== null || zarrWorkerWaiting());
}

type OpenReply = Awaited<ReturnType<ZarrWorkerRemote['open']>>;

/** An open sent to a Zarr worker, by a view or ahead of it. */
interface SentOpen {
  worker: ZarrWorker;
  reply: Promise<OpenReply>;
  /** Rejects when the S3 worker could not take the port the chunk reads are signed through. */
  attached: Promise<void>;
  /** When it was sent (`performance.now()`): the view's timings count from here. */
  t0: number;
}

function sendOpen(worker: ZarrWorker, source: DatasetSource, s3: S3WorkerRemote | null, extraNames: string[], group: string): SentOpen {
  const t0 = performance.now();
  mark('page:open');
  let port: MessagePort | null = null;
  let attached = Promise.resolve();
  if (source.kind === 's3' && s3) {
    const channel = new MessageChannel();
    // Not awaited: messages on the other end wait in the port until the S3
    // worker serves it, so the open starts one round trip sooner.
    attached = s3.attachReader(Comlink.transfer(channel.port1, [channel.port1]));
    attached.catch(() => undefined);
    port = channel.port2;
  }
  const reply = worker.remote.open(source, port ? Comlink.transfer(port, [port]) : null, extraNames, group);
  reply.catch(() => undefined);
  return { worker, reply, attached, t0 };
}

/** The open sent ahead of its view (at most one), with what it opens. */
let ahead: { key: string; sent: SentOpen } | null = null;
const aheadKey = (source: DatasetSource, group: string) => JSON.stringify([source, group]);

/**
 * Send the open of the dataset the page was opened at before its view exists:
 * while the connection's keys are checked (`session.connect`'s `alongside`),
 * the file is read with them instead of after the check. The view that then
 * shows the same `source` and `group` takes the open over (its worker, its
 * reply, its start time). Returns how to cancel it: the worker goes, with
 * whatever it read with keys the check refused, and a fresh one warms up for
 * the next try.
 */
export function openDatasetAhead(from: DatasetSource, s3: S3WorkerRemote | null, group = ''): () => void {
  dropAhead();
  // A route's parts (files to combine) may be reactive proxies, which cannot be posted to a worker.
  const source = $state.snapshot(from) as DatasetSource;
  if (typeof Worker === 'undefined' || (source.kind === 's3' && !s3)) return () => undefined;
  const mine = { key: aheadKey(source, group), sent: sendOpen(takeZarrWorker(), source, s3, [], group) };
  ahead = mine;
  return () => {
    if (ahead !== mine) return;
    ahead = null;
    mine.sent.worker.release(false);
    prewarmZarrWorker(hintOf(source));
  };
}

/** The open sent ahead for this dataset, taken over by its view; any other is dropped. */
function takeAhead(source: DatasetSource, group: string): SentOpen | null {
  const a = ahead;
  if (!a || a.key !== aheadKey(source, group)) return (dropAhead(), null);
  ahead = null;
  return a.sent;
}

function dropAhead(): void {
  ahead?.sent.worker.release(false);
  ahead = null;
}

export class DatasetSession {
  readonly source: DatasetSource;
  /** The group shown ("a/b"; "" for the store root). */
  readonly group: string;
  readonly #take: () => ZarrWorker;
  #worker: ZarrWorker | null = null;
  #closed = false;
  /** Counts opens, so an open that was asked again ("Try again") does not land over the newer one. */
  #openId = 0;
  #t0 = 0;
  #staleChecked = false;
  #coordsRead: Promise<void> = Promise.resolve();
  /** Some coordinates could not be read (tried again after the next slice drawn, see `drew`). */
  #coordsMissing = false;
  #status = $state<DatasetStatus>('idle');
  #error = $state<string | null>(null);
  #info = $state.raw<DatasetInfo | null>(null);
  #coords = $state.raw<Record<string, CoordValues>>({});
  #stale = $state.raw<StaleReport | null>(null);
  #notices = $state.raw<string[]>([]);
  #timings = $state.raw<Timings>({});

  /** `take` lends the worker when the dataset is opened (tests hand in one over a `SliceSession`). */
  constructor(source: DatasetSource, group = '', take: () => ZarrWorker = takeZarrWorker) {
    this.source = source;
    this.group = group;
    this.#take = take;
  }

  get status(): DatasetStatus {
    return this.#status;
  }
  /** Why the dataset could not be opened. */
  get error(): string | null {
    return this.#error;
  }
  get info(): DatasetInfo | null {
    return this.#info;
  }
  /** Values and labels of each dimension's coordinate, once read (empty until then). */
  get coords(): Record<string, CoordValues> {
    return this.#coords;
  }
  /** What the consolidated metadata leaves out or has wrong (null: up to date, or not checked yet). */
  get stale(): StaleReport | null {
    return this.#stale;
  }
  /**
   * Settles once the coordinates are read (or could not be). Just after opening
   * they may still be on their way (the first picture's chunks go first), and
   * a position named by index would not match the one named by coordinate.
   */
  get coordsRead(): Promise<void> {
    return this.#coordsRead;
  }
  /** Things read alongside the picture that failed (coordinates, the staleness check). */
  get notices(): readonly string[] {
    return this.#notices;
  }
  get timings(): Timings {
    return this.#timings;
  }
  /** The worker's remote while the dataset is open (null before, and once closed). */
  get remote(): ZarrWorkerRemote | null {
    return this.#status === 'idle' || this.#closed ? null : (this.#worker?.remote ?? null);
  }

  /**
   * Open the dataset in the worker (started now, or the spare one). `s3` is
   * the S3 worker, which presigns the chunk reads of a private bucket.
   * Resolves with what was found, or null (the reason is in `error`); never rejects.
   */
  async open(s3: S3WorkerRemote | null, extraNames: string[] = []): Promise<DatasetInfo | null> {
    if (this.#closed) return null;
    const openId = ++this.#openId;
    this.#status = 'opening';
    this.#error = null;
    this.#timings = {};
    const source = $state.snapshot(this.source) as DatasetSource;
    // The first open of the page's own worker may have been sent ahead, while the connection was checked.
    let sent = !this.#worker && !extraNames.length && this.#take === takeZarrWorker ? takeAhead(source, this.group) : null;
    if (!sent) {
      if (source.kind === 's3' && !s3) return this.#fail(openId, 'Connect to the store first to open a dataset in a bucket.');
      sent = sendOpen((this.#worker ??= this.#take()), source, s3, extraNames, this.group);
    }
    this.#worker = sent.worker;
    this.#t0 = sent.t0;
    sent.attached.catch((e: unknown) => {
      this.#fail(openId, `The signing worker could not serve chunk reads: ${messageOf(e)}`);
    });
    const remote = sent.worker.remote;
    let r: OpenReply;
    try {
      r = await sent.reply;
    } catch (e) {
      return this.#fail(openId, `The Zarr worker failed while opening the dataset: ${messageOf(e)}`);
    }
    if (this.#closed || openId !== this.#openId) return null;
    if ('error' in r) return this.#fail(openId, r.error.message);
    this.#timings = { opened: performance.now() - this.#t0 };
    mark('page:opened');
    this.#info = r.info;
    this.#coords = {};
    this.#status = 'ready';
    this.#coordsRead = this.#loadCoords(remote, openId);
    return r.info;
  }

  #fail(openId: number, message: string): null {
    if (this.#closed || openId !== this.#openId) return null;
    this.#status = 'error';
    this.#error = message;
    return null;
  }

  /** Coordinates are read alongside the first picture (the worker puts its chunks first). */
  async #loadCoords(remote: ZarrWorkerRemote, openId: number): Promise<void> {
    try {
      const { coords, warnings, missing } = await remote.coords();
      if (this.#closed || openId !== this.#openId) return;
      mark('page:coords');
      this.#coords = coords;
      this.#coordsMissing = missing;
      const info = this.#info;
      if (info && warnings.join('\n') !== info.warnings.join('\n')) this.#info = { ...info, warnings };
    } catch (e) {
      if (this.#closed || openId !== this.#openId) return;
      this.notice(`The coordinates could not be read, so positions are shown as indices: ${messageOf(e)}`);
    }
  }

  /**
   * Is the consolidated metadata stale? This lists and reads every metadata
   * key, so it runs once, after the first picture is done (or failed), and
   * never competes with its chunks.
   */
  checkStale(): void {
    const remote = this.remote;
    if (this.#staleChecked || !remote) return;
    this.#staleChecked = true;
    remote.checkConsolidated().then(
      (s) => {
        if (!this.#closed) this.#stale = s && (s.unlisted.length || s.changed.length) ? s : null;
      },
      (e: unknown) => {
        if (!this.#closed) this.notice(`Tessera could not check whether the consolidated metadata is up to date: ${messageOf(e)}`);
      },
    );
  }

  /** Something read alongside the picture failed: say so next to the dataset's summary. */
  notice(message: string): void {
    if (!this.#notices.includes(message)) this.#notices = [...this.#notices, message];
  }

  /** The first chunk of the first picture is on screen. */
  firstTile(): void {
    if (this.#timings.firstTile === undefined) this.#timings = { ...this.#timings, firstTile: performance.now() - this.#t0 };
  }

  /** The first whole picture is on screen. */
  firstFull(): void {
    if (this.#timings.full === undefined) this.#timings = { ...this.#timings, full: performance.now() - this.#t0 };
  }

  /**
   * A slice was drawn: coordinates whose read failed earlier (the network
   * dropped, a decoder could not be fetched) are read again, so positions get
   * their labels back without reopening the dataset.
   */
  drew(): void {
    const remote = this.remote;
    if (!this.#coordsMissing || !remote || this.#closed) return;
    this.#coordsMissing = false;
    const openId = this.#openId;
    this.#coordsRead = this.#coordsRead.then(() => this.#loadCoords(remote, openId));
  }

  /**
   * The view is gone. Its worker becomes the spare unless an open is in
   * flight (a late open would replace the next view's dataset); `drawId`, the
   * draw it may still be reading, is cancelled first so the next view's
   * chunks do not queue behind it.
   */
  close(drawId: number): void {
    if (this.#closed) return;
    this.#closed = true;
    const worker = this.#worker;
    this.#worker = null;
    if (!worker) return;
    const reusable = this.#status !== 'opening';
    if (reusable) worker.remote.cancel(drawId).catch(() => undefined);
    worker.release(reusable);
  }
}
