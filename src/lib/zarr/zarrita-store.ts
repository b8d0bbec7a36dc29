/**
 * The store zarrita reads through. Metadata keys are answered from the
 * discovered hierarchy (no second fetch); chunk keys go to the source.
 *
 * Missing chunks: a 404 is a chunk that was never written (Zarr then means
 * the fill value). A 403 means the same only on an anonymous store that
 * cannot be listed (S3 hides missing keys behind 403 there); those chunks
 * are counted so the page can say so. Anywhere else a 403 is an error.
 */
import type { AbsolutePath, AsyncReadable, RangeQuery } from 'zarrita';
import { ZarrError } from './errors';
import { mark } from './trace';
import { float16AsUint16, hasFloat16Array } from './float16';
import type { Hierarchy } from './discover';
import type { KeySource } from './source';

/** An object fetched ahead of its read. */
interface Prefetched {
  bytes: Promise<Uint8Array | undefined>;
  controller: AbortController;
  /** The read that wants these bytes; cancelling it cancels the fetch unless another read adopted it. */
  owner: AbortSignal | undefined;
}

export class ZarritaStore implements AsyncReadable {
  readonly #source: KeySource;
  readonly #meta = new Map<string, Uint8Array>();
  readonly #deniedIsMissing: boolean;
  readonly #prefetched = new Map<string, Prefetched>();
  /** Keys that answered 403 and were taken as missing. */
  readonly deniedAsMissing = new Set<string>();

  readonly #sizeOf: (key: string) => number | undefined;

  /** `sizeOf` gives an object's stored size when a listing told it (store-relative key). */
  constructor(source: KeySource, h: Hierarchy, sizeOf: (key: string) => number | undefined = () => undefined) {
    this.#source = source;
    this.#sizeOf = sizeOf;
    this.#deniedIsMissing = source.anonymous && h.listable !== true;
    const enc = new TextEncoder();
    for (const node of h.nodes.values()) {
      const raw = node.array?.dtype === 'float16' && !hasFloat16Array ? float16AsUint16(node.raw, node.zarrFormat) : node.raw;
      const at = (f: string) => `/${node.path ? `${node.path}/` : ''}${f}`;
      if (node.zarrFormat === 3) this.#meta.set(at('zarr.json'), enc.encode(JSON.stringify(raw)));
      else {
        this.#meta.set(at(node.kind === 'array' ? '.zarray' : '.zgroup'), enc.encode(JSON.stringify(raw)));
        this.#meta.set(at('.zattrs'), enc.encode(JSON.stringify(node.attrs)));
      }
    }
  }

  /**
   * Start fetching whole objects now, `concurrency` at a time, so the network
   * never waits for decoding (which runs on one thread). `get` then takes the
   * bytes from here. Holds compressed bytes of one selection at most.
   *
   * Each object's fetch has its own controller, owned by the read that wants
   * it (`signal`). Moving a slider cancels the read of the old position and
   * starts the next one at once; where both need the same objects (chunks
   * that span the slider's dimension), the new read adopts the fetches in
   * flight instead of inheriting the old read's cancellation. Only fetches no
   * read adopted are cancelled, once the cancelling call has returned.
   */
  prefetch(keys: string[], concurrency: number, signal?: AbortSignal): void {
    // Keys already on their way (e.g. prefetched when the dataset opened) are
    // kept; bytes of an earlier selection are dropped (a read still waiting
    // for one of them simply fetches it again).
    const wanted = new Set(keys.map((k) => `/${k}`));
    for (const [k, e] of this.#prefetched) {
      if (!wanted.has(k) || e.controller.signal.aborted) this.#prefetched.delete(k);
      else e.owner = signal;
    }
    const fresh = keys.filter((k) => !this.#prefetched.has(`/${k}`));
    let next = 0;
    const slots: (() => void)[] = [];
    const gates = fresh.map(() => new Promise<void>((resolve) => slots.push(resolve)));
    const open = () => slots[next++]?.();
    fresh.forEach((k, i) => {
      const controller = new AbortController();
      const bytes = gates[i]!.then(() => this.#fetch(`/${k}`, undefined, controller.signal)).finally(open);
      bytes.catch(() => undefined);
      this.#prefetched.set(`/${k}`, { bytes, controller, owner: signal });
    });
    for (let i = 0; i < concurrency; i++) open();
    signal?.addEventListener(
      'abort',
      // A microtask later: the read that replaces this one (started in the
      // same call that aborted it) has adopted what it still wants by then.
      () =>
        queueMicrotask(() => {
          for (const [k, e] of this.#prefetched) {
            if (e.owner !== signal) continue;
            e.controller.abort();
            this.#prefetched.delete(k);
          }
        }),
      { once: true },
    );
  }

  /**
   * Settles when a prefetched object's bytes are here (or failed); undefined
   * when `key` is not being prefetched.
   */
  ready(key: string): Promise<unknown> | undefined {
    return this.#prefetched.get(`/${key}`)?.bytes.then(
      () => undefined,
      () => undefined,
    );
  }

  async #read(key: AbsolutePath, range: RangeQuery | undefined, signal: AbortSignal | undefined): Promise<Uint8Array | undefined> {
    const early = range ? undefined : this.#prefetched.get(key);
    if (early && !early.controller.signal.aborted) {
      this.#prefetched.delete(key);
      // The fetch is this read's now: cancelling the read cancels it.
      if (signal?.aborted) early.controller.abort();
      else signal?.addEventListener('abort', () => early.controller.abort(), { once: true });
      try {
        const bytes = await early.bytes;
        mark(`bytes:ready ${key.slice(1)}`);
        return bytes;
      } catch (e) {
        // Cancelled with an earlier read while this one still wants the bytes: fetch them again.
        if (!(e instanceof ZarrError && e.kind === 'aborted') || signal?.aborted) throw e;
      }
    }
    return this.#fetch(key, range, signal);
  }

  async #fetch(key: AbsolutePath, range: RangeQuery | undefined, signal: AbortSignal | undefined): Promise<Uint8Array | undefined> {
    const meta = this.#meta.get(key);
    if (meta && !range) return meta;
    // Metadata of a known node that is absent (e.g. no .zattrs) is simply missing.
    if (/(^|\/)(\.zattrs|\.zgroup|\.zarray|zarr\.json)$/.test(key)) return undefined;
    const rel = key.slice(1);
    try {
      return await this.#source.get(rel, range, signal);
    } catch (e) {
      if (e instanceof ZarrError && e.kind === 'access-denied' && this.#deniedIsMissing) {
        this.deniedAsMissing.add(rel);
        return undefined;
      }
      throw e;
    }
  }

  get(key: AbsolutePath, opts?: { signal?: AbortSignal }): Promise<Uint8Array | undefined> {
    return this.#read(key, undefined, opts?.signal);
  }

  getRange(key: AbsolutePath, range: RangeQuery, opts?: { signal?: AbortSignal }): Promise<Uint8Array | undefined> {
    // A suffix range (the shard index at the end) is not a CORS-safelisted
    // Range value, so it costs a preflight per shard (neuroglancer#651);
    // with the object's size known, the same bytes are asked for by offset.
    if ('suffixLength' in range) {
      const size = this.#sizeOf(key.slice(1));
      if (size !== undefined && size >= range.suffixLength) range = { offset: size - range.suffixLength, length: range.suffixLength };
    }
    return this.#read(key, range, opts?.signal);
  }
}
