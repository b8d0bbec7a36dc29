/**
 * An opened dataset: the discovered hierarchy, its xarray-like description,
 * and reads of slices and series through zarrita. DOM-free: it runs in the
 * Zarr worker and in Node tests alike.
 *
 * @example
 * const ds = await ZarrDataset.open(new UrlSource('https://host/bucket/era5.zarr'));
 * const tas = ds.variable('tas');
 * const slice = await ds.read('tas', { index: [5, 0, 0], free: [1, 2] });
 */
import * as zarr from 'zarrita';
import { timeLabels } from '../cf/time';
import { checkConsolidated, discover, type DiscoverOptions, type Hierarchy, type StaleReport } from './discover';
import { allVariables, datasetInfo, type DatasetInfo, type VariableInfo } from './dataset';
import { supportedCodecs, toZarrError, ZarrError, type ZarrErrorKind } from './errors';
import { planSelection, validateSelection, type ChunkPlan, type Selection } from './plan';
import { readSelection, type ReadOptions, type ReadResult } from './read';
import { CHUNK_LANES } from '../s3/protocol';
import type { KeySource } from './source';
import { ZarritaStore } from './zarrita-store';
import './bounded-codecs';
import './shuffle';
import { valueText } from './float-text';
import { isBlosc, startBlosc } from './blosc';
import { formatNumber } from '../format';

/** Coordinates longer than this are not read up front (labels fall back to indices). */
const MAX_COORD_LENGTH = 100_000;

export interface CoordValues {
  /** Decoded numbers (CF-unpacked); times as their raw numbers. */
  values: number[];
  /** Text labels: dates for CF time, else the numbers (short, for display). */
  labels: string[];
  /** Exact text of each value (for files): dates for CF time, else the shortest round-trip form for its type. */
  text: string[];
}

type AnyArray = zarr.Array<zarr.DataType, zarr.Readable>;

export class ZarrDataset {
  readonly source: KeySource;
  readonly hierarchy: Hierarchy;
  readonly info: DatasetInfo;
  readonly #store: ZarritaStore;
  readonly #arrays = new Map<string, Promise<AnyArray>>();
  readonly #coords = new Map<string, CoordValues>();
  /** Why a coordinate could not be read, by name (gone once it is read). */
  readonly #coordFailures = new Map<string, ZarrErrorKind>();
  readonly #sizes = new Map<string, Map<string, number>>();

  private constructor(source: KeySource, hierarchy: Hierarchy, group: string) {
    this.source = source;
    this.hierarchy = hierarchy;
    this.info = datasetInfo(hierarchy, source.label, group);
    this.#store = new ZarritaStore(source, hierarchy, (key) => this.#objectSize(key));
  }

  /** Discover the store and read the 1-D coordinates (for labels). */
  static async open(source: KeySource, options: DiscoverOptions & { coords?: boolean } = {}): Promise<ZarrDataset> {
    let h: Hierarchy;
    try {
      h = await discover(source, options);
    } catch (e) {
      throw toZarrError(e, source.label);
    }
    const group = (options.group ?? '').replace(/^\/+|\/+$/g, '');
    const node = h.nodes.get(group);
    if (!node) {
      const why = h.method === 'known-keys' ? ' (the store cannot be listed, so Tessera looked for its .zgroup or zarr.json by name and found none)' : '';
      throw new ZarrError('not-found', `There is no group "${group}" in ${source.label}${why}.`);
    }
    if (group && node.kind !== 'group') throw new ZarrError('not-found', `"${group}" in ${source.label} is an array, not a group: open the group that holds it.`);
    const ds = new ZarrDataset(source, h, group);
    if (options.coords ?? true) await ds.loadCoords(options.signal);
    return ds;
  }

  /**
   * Read the 1-D coordinates (for labels); done by `open` unless told not to.
   * Called again, it reads only those that could not be read before (a chunk
   * that failed: the network dropped, a decoder could not be fetched), and
   * their warnings go once they are read.
   */
  async loadCoords(signal?: AbortSignal): Promise<void> {
    await Promise.all(
      this.info.coords
        .filter((v) => v.shape.length === 1 && v.shape[0]! <= MAX_COORD_LENGTH && v.unsupportedCodecs.length === 0 && !this.#coords.has(v.name))
        .map(async (v) => {
          const said = `The coordinate "${v.name}" could not be read: `;
          this.info.warnings = this.info.warnings.filter((w) => !w.startsWith(said));
          try {
            const r = await this.read(v.name, { index: [0], free: [0] }, { signal });
            // A chunk left blank would label positions "NaN" or "NaT": no labels rather than wrong ones.
            const failed = r.failures[0];
            if (failed) throw new ZarrError(failed.kind, failed.message, { path: v.path });
            const values = Array.from(r.values);
            const labels = v.time ? timeLabels(values, v.time) : values.map(formatNumber);
            const text = v.time ? labels : values.map(valueText(r.values));
            this.#coords.set(v.name, { values, labels, text });
            this.#coordFailures.delete(v.name);
          } catch (e) {
            const err = toZarrError(e, v.path);
            this.#coordFailures.set(v.name, err.kind);
            this.info.warnings.push(said + err.message);
          }
        }),
    );
  }

  /**
   * Whether a coordinate is missing for a reason that may pass (the network,
   * a decoder that could not be fetched), so that reading it again may work.
   */
  get coordsMissing(): boolean {
    return [...this.#coordFailures.values()].some((kind) => kind === 'fetch-failed' || kind === 'decoder-unavailable');
  }

  variable(name: string): VariableInfo {
    const v = allVariables(this.info).find((x) => x.name === name);
    if (!v) throw new ZarrError('not-found', `There is no variable "${name}" in this dataset.`);
    return v;
  }

  /** Values and labels of the coordinate for dimension `dim`, if it has one that could be read. */
  coord(dim: string): CoordValues | undefined {
    return this.#coords.get(dim);
  }

  #array(v: VariableInfo): Promise<AnyArray> {
    let p = this.#arrays.get(v.path);
    if (!p) {
      const node = this.hierarchy.nodes.get(v.path)!;
      const loc = new zarr.Location(this.#store as zarr.Readable, `/${v.path}` as zarr.AbsolutePath);
      p = (node.zarrFormat === 3 ? zarr.open.v3(loc, { kind: 'array' }) : zarr.open.v2(loc, { kind: 'array' })) as Promise<AnyArray>;
      p.catch(() => this.#arrays.delete(v.path));
      this.#arrays.set(v.path, p);
    }
    return p;
  }

  /** Stored size of an object from a listing already made (store-relative key). */
  #objectSize(key: string): number | undefined {
    for (const [path, sizes] of this.#sizes) {
      const size = path ? (key.startsWith(`${path}/`) ? sizes.get(key.slice(path.length + 1)) : undefined) : sizes.get(key);
      if (size !== undefined) return size;
    }
    return undefined;
  }

  /** Stored sizes of a variable's objects, from a listing (null when the store cannot be listed). */
  async objectSizes(name: string, maxPages = 20): Promise<Map<string, number> | null> {
    const v = this.variable(name);
    const cached = this.#sizes.get(v.path);
    if (cached) return cached;
    if (!this.source.list || this.hierarchy.listable === false) return null;
    const sizes = new Map<string, number>();
    const walk = async (prefix: string, depth: number): Promise<void> => {
      const level = await this.source.list!(prefix, maxPages);
      for (const k of level.keys) sizes.set(v.path ? k.key.slice(v.path.length + 1) : k.key, k.size);
      if (depth < v.shape.length + 1 && sizes.size < 100_000) for (const p of level.prefixes) await walk(p, depth + 1);
    };
    try {
      await walk(v.path ? `${v.path}/` : '', 0);
    } catch {
      return null;
    }
    this.#sizes.set(v.path, sizes);
    return sizes;
  }

  /** Plan a selection without reading it (chunk inspector). */
  plan(name: string, sel: Selection, sizes?: Map<string, number> | null): ChunkPlan {
    const v = this.variable(name);
    const meta = this.hierarchy.nodes.get(v.path)!.array!;
    const problem = validateSelection(meta, sel);
    if (problem) throw new ZarrError('bad-selection', problem);
    return planSelection(meta, sel, sizes ?? this.#sizes.get(v.path));
  }

  /**
   * Start fetching the stored objects of a selection without decoding them
   * (used to get the first picture's bytes moving while the page renders).
   */
  // Few at a time: the first chunk then arrives after a few chunks' worth of
  // bytes instead of sharing the link with all of them (first picture sooner).
  // Six is Chromium's limit of connections per host over HTTP/1.1; in a probe
  // of 16 chunks of 556 KB from the RGW, 6 in flight beat 4 (and 16, which
  // only queue behind the six). Over HTTP/2 too (see CHUNK_LANES).
  //
  // Settles when the prefetched objects have all arrived (or failed).
  prefetch(name: string, sel: Selection, concurrency = CHUNK_LANES, signal?: AbortSignal): Promise<void> {
    const v = this.variable(name);
    const meta = this.hierarchy.nodes.get(v.path)!.array!;
    if (v.unsupportedCodecs.length || validateSelection(meta, sel)) return Promise.resolve();
    const plan = planSelection(meta, sel);
    const keys = plan.objects.map((k) => (v.path ? `${v.path}/${k}` : k));
    // The first requests' URLs in a batch of their own: presigning 16 URLs
    // took 20-35 ms in the S3 worker under load, one or two take a few.
    this.source.prepare?.(keys.slice(0, 2));
    this.source.prepare?.(keys.slice(2));
    // Shards are read by byte ranges; whole-object prefetch is for plain chunks.
    if (meta.sharded || keys.length <= 1) return Promise.resolve();
    this.#store.prefetch(keys, concurrency, signal);
    return Promise.all(keys.map((k) => this.#store.ready(k))).then(() => undefined);
  }

  /** Read a selection: the decoded, CF-unpacked values (NaN = no data). */
  async read(name: string, sel: Selection, options: ReadOptions = {}): Promise<ReadResult> {
    const v = this.variable(name);
    if (v.unsupportedCodecs.length) {
      throw new ZarrError('unknown-codec', `"${name}" uses the codec ${v.unsupportedCodecs.map((c) => `"${c}"`).join(', ')}, which Tessera cannot decode. Tessera decodes: ${supportedCodecs().join(', ')}.`, { codec: v.unsupportedCodecs[0] });
    }
    const plan = this.plan(name, sel);
    const meta = this.hierarchy.nodes.get(v.path)!.array!;
    void this.prefetch(name, sel, options.concurrency, options.signal);
    // The chunks' requests are out: blosc compiles while their bytes travel (see startBlosc).
    if (meta.codecs.some((c) => isBlosc(c.name) || c.label.includes('blosc'))) startBlosc();
    // Shard indexes are read by suffix ranges unless the shard sizes are known:
    // one listing of the array saves a CORS preflight per shard.
    if (meta.sharded) await this.objectSizes(name).catch(() => null);
    let arr: AnyArray;
    try {
      arr = await this.#array(v);
    } catch (e) {
      throw toZarrError(e, v.path);
    }
    const ready = (c: { objectKey: string }) => this.#store.ready(v.path ? `${v.path}/${c.objectKey}` : c.objectKey);
    return readSelection(arr, meta, v.packing, sel, plan, { ready, ...options });
  }

  /** Chunks read as fill value because an anonymous, unlistable store answered 403. */
  get deniedAsMissing(): number {
    return this.#store.deniedAsMissing.size;
  }

  /** Is the consolidated metadata out of date? (null: not consolidated or not listable) */
  checkConsolidated(signal?: AbortSignal): Promise<StaleReport | null> {
    return checkConsolidated(this.source, this.hierarchy, signal);
  }
}
