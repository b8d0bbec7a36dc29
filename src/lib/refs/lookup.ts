/**
 * Where a reference store finds each key's reference. A JSON file is read
 * whole into memory (`MemoryLookup`); the Parquet layout is read one record
 * file at a time, when a key in it is first asked for (`ParquetLookup`).
 */
import { inlineBytes } from './parse';
import type { Reference, References } from './types';

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
