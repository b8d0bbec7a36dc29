/**
 * A Zarr key source made of kerchunk references: each key is inline bytes,
 * a whole object, or a byte range of one, read through the source that its
 * URL resolves to (see resolve.ts). Reads of different keys run in parallel
 * (the Zarr store's prefetch decides how many), and each read keeps the
 * target source's retries and cancellation.
 *
 * Unlike `@zarrita/storage`'s ReferenceStore, a whole-object reference
 * (`[url]`) is read with a plain GET rather than a range it does not have.
 */
import { ZarrError } from '../zarr/errors';
import type { ByteRange, KeySource, ListLevel } from '../zarr/source';
import { inlineBytes } from './parse';
import type { ReferenceLookup } from './lookup';
import type { UrlResolver } from './resolve';
import type { Reference, References } from './types';

/** Cut `range` out of bytes already in memory. */
function sliceRange(bytes: Uint8Array, range: ByteRange | undefined): Uint8Array {
  if (!range) return bytes;
  if ('suffixLength' in range) return bytes.subarray(Math.max(0, bytes.length - range.suffixLength));
  return bytes.subarray(range.offset, range.offset + range.length);
}

export class ReferenceSource implements KeySource {
  readonly label: string;
  readonly anonymous: boolean;
  /** Variables a file scanner left out of the references, and why (shown with the dataset). */
  problems: { path: string; message: string }[] = [];
  readonly #lookup: ReferenceLookup;
  readonly #resolve: UrlResolver;
  #zmetadata: Uint8Array | undefined;

  /**
   * @param label where the references came from (the reference file's address)
   * @param anonymous whether the reference file was read without keys
   */
  constructor(lookup: ReferenceLookup, resolve: UrlResolver, label: string, anonymous: boolean) {
    this.#lookup = lookup;
    this.#resolve = resolve;
    this.label = label;
    this.anonymous = anonymous;
  }

  /**
   * Consolidated metadata made from the references' own metadata keys, so the
   * dataset opens in one step whatever the layout (kerchunk JSON has no `.zmetadata`).
   */
  #consolidated(): Uint8Array | undefined {
    if (!this.#zmetadata) {
      const metadata = this.#lookup.metadata();
      if (!Object.keys(metadata).length) return undefined;
      this.#zmetadata = new TextEncoder().encode(JSON.stringify({ zarr_consolidated_format: 1, metadata }));
    }
    return this.#zmetadata;
  }

  async get(key: string, range?: ByteRange, signal?: AbortSignal): Promise<Uint8Array | undefined> {
    const ref = await this.#lookup.get(key, signal);
    if (ref === undefined) {
      const made = key === '.zmetadata' ? this.#consolidated() : undefined;
      return made && sliceRange(made, range);
    }
    return this.read(key, ref, range, signal);
  }

  /** Read what one reference points at (optionally a range within it). */
  async read(key: string, ref: Reference, range?: ByteRange, signal?: AbortSignal): Promise<Uint8Array | undefined> {
    if (typeof ref === 'string') return sliceRange(inlineBytes(ref), range);
    const [url, offset, length] = ref;
    const target = await this.#resolve(url);
    let want: ByteRange | undefined = range;
    if (offset !== undefined && length !== undefined) {
      if (length === 0) return new Uint8Array();
      if (!range) want = { offset, length };
      else if ('suffixLength' in range) want = { offset: offset + Math.max(0, length - range.suffixLength), length: Math.min(length, range.suffixLength) };
      else want = { offset: offset + range.offset, length: Math.max(0, Math.min(range.length, length - range.offset)) };
    }
    let bytes: Uint8Array | undefined;
    try {
      bytes = await target.source.get(target.key, want, signal);
    } catch (e) {
      // A 403 here is a referenced object that cannot be read, never a chunk
      // that was not written (the references list exactly what exists).
      if (e instanceof ZarrError && e.kind === 'access-denied') {
        throw new ZarrError('fetch-failed', `Access denied (403) reading ${url}, which "${key}" refers to.`, { path: key, cause: e });
      }
      throw e;
    }
    if (bytes === undefined) throw new ZarrError('fetch-failed', `"${key}" refers to ${url}, which does not exist.`, { path: key });
    if (want && 'length' in want && bytes.length < want.length) {
      throw new ZarrError('truncated-chunk', `"${key}" refers to bytes ${want.offset}-${want.offset + want.length - 1} of ${url}, which is shorter.`, { path: key });
    }
    // A server that ignores Range answers 200 with the whole object.
    if (want && 'length' in want && bytes.length > want.length) return bytes.subarray(want.offset, want.offset + want.length);
    return bytes;
  }

  /** Every reference of this source (to write them as a kerchunk JSON file). */
  references(signal?: AbortSignal): Promise<References> {
    return this.#lookup.all(signal);
  }

  /** Presign ahead, in one batch per target source, the objects these keys refer to. */
  prepare(keys: string[]): void {
    const peek = this.#lookup.peek?.bind(this.#lookup);
    if (!peek) return;
    void Promise.all(
      keys.map(async (k) => {
        const ref = peek(k);
        return typeof ref === 'object' ? this.#resolve(ref[0]).catch(() => undefined) : undefined;
      }),
    ).then((targets) => {
      const bySource = new Map<KeySource, string[]>();
      for (const t of targets) if (t) bySource.set(t.source, [...(bySource.get(t.source) ?? []), t.key]);
      for (const [source, ks] of bySource) source.prepare?.(ks);
    });
  }

  async list(prefix: string): Promise<ListLevel> {
    if (!this.#lookup.entries) throw new ZarrError('access-denied', 'These references are read lazily; they cannot be listed.');
    const level: ListLevel = { keys: [], prefixes: [], truncated: false };
    const seen = new Set<string>();
    for (const [k, size] of this.#lookup.entries()) {
      if (!k.startsWith(prefix)) continue;
      const rest = k.slice(prefix.length);
      const slash = rest.indexOf('/');
      if (slash < 0) level.keys.push({ key: k, size });
      else if (!seen.has(rest.slice(0, slash))) {
        seen.add(rest.slice(0, slash));
        level.prefixes.push(`${prefix}${rest.slice(0, slash + 1)}`);
      }
    }
    return level;
  }
}
