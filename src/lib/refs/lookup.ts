/**
 * Where a reference store finds each key's reference. A JSON file is read
 * whole into memory (`MemoryLookup`); the Parquet layout is read one record
 * file at a time, when a key in it is first asked for (`ParquetLookup`).
 */
import { inlineBytes } from './parse';
import type { LazyChunks, Reference, References } from './types';

export interface ReferenceLookup {
  /** The reference for `key` (store-relative, no leading "/"), or undefined when there is none. */
  get(key: string, signal?: AbortSignal): Promise<Reference | undefined>;
  /** Already known without any read (lets a store presign a batch ahead), else undefined. */
  peek?(key: string): Reference | undefined;
  /** Zarr metadata documents by key (".zgroup", "a/.zarray"...): what consolidated metadata holds. */
  metadata(): Record<string, unknown>;
  /** Every reference (reads what a lazy layout has not read yet). */
  all(signal?: AbortSignal): Promise<References>;
  /** Every key with the size of what it points at, where the layout knows them cheaply. */
  entries?(): Iterable<[string, number]>;
}

const METADATA_KEY = /(^|\/)(\.zgroup|\.zarray|\.zattrs)$/;

export function isMetadataKey(key: string): boolean {
  return METADATA_KEY.test(key);
}

/** The size of what a reference points at (undefined: a whole object of unknown size). */
export function referenceSize(ref: Reference): number | undefined {
  if (typeof ref === 'string') return ref.startsWith('base64:') ? Math.floor(((ref.length - 7) * 3) / 4) : new TextEncoder().encode(ref).length;
  return ref.length === 3 ? ref[2] : undefined;
}

/** References held in memory (a parsed JSON file, or references made by a file scanner). */
export class MemoryLookup implements ReferenceLookup {
  readonly #refs: Record<string, Reference>;
  #meta: Record<string, unknown> | undefined;

  constructor(refs: References) {
    this.#refs = refs.refs;
  }

  get(key: string): Promise<Reference | undefined> {
    return Promise.resolve(this.peek(key));
  }

  all(): Promise<References> {
    return Promise.resolve({ version: 1, refs: this.#refs });
  }

  peek(key: string): Reference | undefined {
    return Object.hasOwn(this.#refs, key) ? this.#refs[key] : undefined;
  }

  metadata(): Record<string, unknown> {
    if (!this.#meta) {
      this.#meta = {};
      for (const [k, v] of Object.entries(this.#refs)) {
        if (!isMetadataKey(k) || typeof v !== 'string') continue;
        try {
          this.#meta[k] = JSON.parse(new TextDecoder().decode(inlineBytes(v)));
        } catch {
          // A malformed document is reported when the node itself is read.
        }
      }
    }
    return this.#meta;
  }

  *entries(): Iterable<[string, number]> {
    for (const [k, v] of Object.entries(this.#refs)) yield [k, referenceSize(v) ?? 0];
  }
}

/**
 * References made by a file scanner, some arrays of which have their chunks
 * found when asked for (`lazy`, by array key): a chunk's reference is looked
 * up on its first read and kept. Such references cannot be listed (no
 * `entries`): what the file holds is only known by reading its whole index.
 */
export class ScannedLookup implements ReferenceLookup {
  readonly #memory: MemoryLookup;
  readonly #lazy: Map<string, LazyChunks>;
  readonly #found = new Map<string, Promise<Reference | undefined>>();
  readonly #known = new Map<string, Reference>();

  constructor(refs: References, lazy: Map<string, LazyChunks>) {
    this.#memory = new MemoryLookup(refs);
    this.#lazy = lazy;
  }

  /** The array a chunk key belongs to, and the chunk's key within it ("t/0.1.2" -> ["t", "0.1.2"]). */
  #split(key: string): [LazyChunks, string] | undefined {
    const slash = key.lastIndexOf('/');
    const chunks = this.#lazy.get(slash < 0 ? '' : key.slice(0, slash));
    return chunks && !isMetadataKey(key) ? [chunks, key.slice(slash + 1)] : undefined;
  }

  get(key: string): Promise<Reference | undefined> {
    const known = this.#memory.peek(key);
    if (known !== undefined) return Promise.resolve(known);
    const lazy = this.#split(key);
    if (!lazy) return Promise.resolve(undefined);
    let p = this.#found.get(key);
    if (!p) {
      p = lazy[0].get(lazy[1]).then((ref) => {
        if (ref !== undefined) this.#known.set(key, ref);
        return ref;
      });
      // A failed lookup (a read that broke) is tried again on the next read.
      p.catch(() => this.#found.delete(key));
      this.#found.set(key, p);
    }
    return p;
  }

  peek(key: string): Reference | undefined {
    return this.#memory.peek(key) ?? this.#known.get(key);
  }

  metadata(): Record<string, unknown> {
    return this.#memory.metadata();
  }

  async all(): Promise<References> {
    const refs = { ...(await this.#memory.all()).refs };
    for (const [array, chunks] of this.#lazy) for (const [k, ref] of Object.entries(await chunks.all())) refs[array ? `${array}/${k}` : k] = ref;
    return { version: 1, refs };
  }
}
