/**
 * What the dataset view shows, in four parts (under ./dataset/): the opened
 * dataset and its worker (`DatasetSession`), the slice on screen with its
 * colours and CSV (`SliceView`), Play (`Playback`), and the read-out under
 * the pointer with the series under a click (`Probe`). This class ties them
 * together for the view: opening shows the variable the address names,
 * choosing a variable resets what the other parts read of the last one.
 * All reading, decoding and colouring happens in the Zarr worker; the parts
 * only hold small results.
 */
import type { S3WorkerRemote } from '../rpc/s3';
import type { ZarrWorker } from '../rpc/zarr';
import type { DatasetSource } from '../lib/zarr/address';
import type { CoordValues } from '../lib/zarr/open';
import type { DatasetInfo } from '../lib/zarr/dataset';
import type { StaleReport } from '../lib/zarr/discover';
import { defaultView } from '../lib/zarr/slice-session';
import type { DatasetView } from '../lib/zarr/view-state';
import { formatNumber } from '../lib/format';
import { pythonSnippet } from '../lib/zarr/python';
import { DatasetSession, type DatasetStatus, type Timings } from './dataset/session.svelte';
import { SliceView } from './dataset/slice.svelte';
import { Playback } from './dataset/playback.svelte';
import { Probe } from './dataset/probe.svelte';
import { MapView } from './dataset/map.svelte';

export type { DatasetSource, DatasetStatus, Timings };
export { prewarmDataset, datasetWorkerWaiting, openDatasetAhead } from './dataset/session.svelte';
export type { TileSink } from './dataset/slice.svelte';
export type { Hover, Series } from './dataset/probe.svelte';
export type { SliceView, Playback, Probe, MapView };

export interface OpenOptions {
  /** The S3 worker, which presigns chunk reads (a store in a bucket); null for a store read by its URL. */
  s3: S3WorkerRemote | null;
  /** Array names to try when the store can be neither listed nor read by its consolidated metadata. */
  extraNames?: string[];
  /** What to show first (from the address); what does not fit the dataset is left at its default. */
  view?: DatasetView;
  /** Endpoint named in the "reproduce in xarray" snippet (read when shown: the view may open before the connection's check answers). */
  endpoint?: string | (() => string | undefined);
}

export class DatasetState {
  readonly #session: DatasetSession;
  readonly slice: SliceView;
  readonly playback: Playback;
  readonly probe: Probe;
  /** The map of a lon/lat slice: projection, coastlines, graticule. */
  readonly map: MapView;
  #endpoint = $state.raw<string | (() => string | undefined) | undefined>(undefined);

  /** `worker` lends the Zarr worker when the dataset is opened (by default the page's: see rpc/zarr.ts). */
  constructor(source: DatasetSource, group = '', worker?: () => ZarrWorker) {
    this.#session = new DatasetSession(source, group, worker);
    this.slice = new SliceView(this.#session, {
      line: () => this.probe.seriesAt(0, 0),
      drawn: (ok) => {
        if (!ok) this.probe.clearHover();
        this.playback.drawn(ok);
      },
    });
    this.playback = new Playback(this.slice);
    this.probe = new Probe(this.#session, this.slice);
    this.map = new MapView(this.#session, this.slice);
  }

  get source(): DatasetSource {
    return this.#session.source;
  }
  /** The group shown ("a/b"; "" for the store root). */
  get group(): string {
    return this.#session.group;
  }
  get status(): DatasetStatus {
    return this.#session.status;
  }
  get error(): string | null {
    return this.#session.error;
  }
  get info(): DatasetInfo | null {
    return this.#session.info;
  }
  get coords(): Record<string, CoordValues> {
    return this.#session.coords;
  }
  get stale(): StaleReport | null {
    return this.#session.stale;
  }
  get notices(): readonly string[] {
    return this.#session.notices;
  }
  get timings(): Timings {
    return this.#session.timings;
  }

  /** What the view shows, for its address. */
  get view(): DatasetView {
    return this.slice.view;
  }

  /** The Python that opens the same data and selection in xarray. */
  get python(): string {
    const s = this.slice;
    const endpoint = typeof this.#endpoint === 'function' ? this.#endpoint() : this.#endpoint;
    return this.info ? pythonSnippet(this.source, s.variable, [...s.index], [s.yDim, s.xDim], endpoint, this.group) : '';
  }

  /** Open the dataset, then show the variable `view` names (else the default one). Never rejects. */
  async open({ s3, extraNames = [], view = {}, endpoint }: OpenOptions): Promise<void> {
    this.#endpoint = endpoint;
    const info = await this.#session.open(s3, extraNames);
    if (!info) return;
    const first = defaultView(info);
    const wanted = view.var !== undefined && [...info.dataVars, ...info.coords].some((x) => x.name === view.var) ? view.var : first?.name;
    if (wanted !== undefined) this.selectVariable(wanted, view);
    if (!first || first.sel.free.length < 2) this.#session.checkStale();
  }

  /**
   * Write the references this dataset is read through as a kerchunk JSON
   * object at `key` in `bucket` (made by the Zarr worker, sent by the S3 worker).
   */
  async saveReferences(s3: S3WorkerRemote, bucket: string, key: string): Promise<{ key: string; bytes: number }> {
    const remote = this.#session.remote;
    if (!remote) throw new Error('The dataset is not open.');
    const body = await remote.referencesJson(bucket, key);
    await s3.objects.putObject({ bucket, key, body, contentType: 'application/json' });
    return { key, bytes: body.length };
  }

  /** Show variable `name`, at `view`'s axes, positions, colours and range where they fit it. */
  selectVariable(name: string, view: DatasetView = {}): void {
    const v = this.slice.select(name, view);
    if (!v) return;
    this.playback.choose(v.dims, this.slice.yDim, this.slice.xDim);
    this.probe.reset(Math.max(0, this.playback.dim));
    void this.slice.draw();
  }

  formatValue(value: number | null): string {
    if (value === null) return '';
    if (Number.isNaN(value)) return 'no data';
    return formatNumber(value);
  }

  close(): void {
    this.playback.stop();
    this.#session.close(this.slice.drawId);
  }
}
