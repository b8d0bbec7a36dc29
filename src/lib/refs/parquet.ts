/**
 * The Parquet layout of kerchunk references that fsspec's
 * `LazyReferenceMapper` (and CEDA's padocc) write: a folder with
 * `.zmetadata` (`{"metadata": {...Zarr metadata...}, "record_size": N}`) and,
 * for each array, files `<array>/refs.<i>.parq` of N rows each with the
 * columns `path`, `offset`, `size` and `raw`. Chunk `c` of an array (its
 * index in C order over the chunk grid) is row `c % N` of file
 * `refs.<c // N>.parq`. A row with `raw` holds the chunk inline; one with
 * neither `raw` nor `path` is a chunk that was never written; `offset` and
 * `size` both 0 mean the whole object at `path`.
 *
 * Record files are read when a key in them is first asked for, and kept
 * (a few hundred kB each), so a reference set of millions of chunks opens
 * by reading `.zmetadata` only.
 */
import { parquetReadObjects, type Compressors } from 'hyparquet';
import { decompress as zstdDecompress } from 'fzstd';
import type { KeySource } from '../zarr/source';
import { RefsError } from './errors';
import { isMetadataKey, type ReferenceLookup } from './lookup';
import type { Reference, References } from './types';

// fsspec writes record files with zstd by default; snappy is built into hyparquet.
const compressors: Compressors = { ZSTD: (input, outputLength) => zstdDecompress(input, new Uint8Array(outputLength)) };

interface ArrayMeta {
  shape: number[];
  chunks: number[];
  separator: string;
}

interface Row {
  path?: string | Uint8Array | null;
  offset?: number | bigint | null;
  size?: number | bigint | null;
  raw?: Uint8Array | string | null;
}

const base64 = (bytes: Uint8Array) => {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return `base64:${btoa(s)}`;
};

export class ParquetLookup implements ReferenceLookup {
  readonly #folder: KeySource;
  readonly #meta: Record<string, unknown>;
  readonly #recordSize: number;
  readonly #files = new Map<string, Promise<Row[] | undefined>>();
  readonly #arrays = new Map<string, ArrayMeta>();

  private constructor(folder: KeySource, meta: Record<string, unknown>, recordSize: number) {
    this.#folder = folder;
    this.#meta = meta;
    this.#recordSize = recordSize;
    for (const [k, v] of Object.entries(meta)) {
      const m = /^(?:(.*)\/)?\.zarray$/.exec(k);
      if (!m || typeof v !== 'object' || v === null) continue;
      const a = v as { shape?: number[]; chunks?: number[]; dimension_separator?: string };
      if (Array.isArray(a.shape) && Array.isArray(a.chunks)) this.#arrays.set(m[1] ?? '', { shape: a.shape, chunks: a.chunks, separator: a.dimension_separator ?? '.' });
    }
  }

  /** Open the layout in `folder` (a source rooted at the `.parq` folder) by reading its `.zmetadata`. */
  static async open(folder: KeySource, signal?: AbortSignal): Promise<ParquetLookup> {
    const raw = await folder.get('.zmetadata', undefined, signal);
    if (!raw) throw new RefsError('not-references', `${folder.label} has no .zmetadata: it is not a Parquet reference folder.`);
    let doc: { metadata?: unknown; record_size?: unknown };
    try {
      doc = JSON.parse(new TextDecoder().decode(raw)) as typeof doc;
    } catch (e) {
      throw new RefsError('malformed', `${folder.label}/.zmetadata is not JSON.`, { cause: e });
    }
    if (typeof doc.metadata !== 'object' || doc.metadata === null || !Number.isSafeInteger(doc.record_size) || (doc.record_size as number) <= 0) {
      throw new RefsError('not-references', `${folder.label}/.zmetadata has no "metadata" and "record_size": it is not a Parquet reference folder.`);
    }
    return new ParquetLookup(folder, doc.metadata as Record<string, unknown>, doc.record_size as number);
  }

  metadata(): Record<string, unknown> {
    return this.#meta;
  }

  peek(key: string): Reference | undefined {
    return isMetadataKey(key) && key in this.#meta ? JSON.stringify(this.#meta[key]) : undefined;
  }

  /** Every reference: the metadata, then each array's chunks (reads every record file). */
  async all(signal?: AbortSignal): Promise<References> {
    const refs: Record<string, Reference> = {};
    for (const [k, v] of Object.entries(this.#meta)) refs[k] = JSON.stringify(v);
    for (const [path, a] of this.#arrays) {
      const grid = a.shape.map((s, d) => Math.ceil(s / a.chunks[d]!));
      const total = grid.reduce((x, y) => x * y, 1);
      const keys: string[] = [];
      for (let n = 0; n < total; n++) {
        const idx: number[] = [];
        let r = n;
        for (let d = grid.length - 1; d >= 0; d--) {
          idx.unshift(r % grid[d]!);
          r = Math.floor(r / grid[d]!);
        }
        keys.push(`${path ? `${path}/` : ''}${grid.length ? idx.join(a.separator) : '0'}`);
      }
      const found = await Promise.all(keys.map((k) => this.get(k, signal)));
      keys.forEach((k, i) => found[i] !== undefined && (refs[k] = found[i]!));
    }
    return { version: 1, refs };
  }

  /** Row number of chunk key `rest` ("2.0.1") in the array's chunk grid, or undefined if it is not a chunk key. */
  #chunkIndex(a: ArrayMeta, rest: string): number | undefined {
    const parts = a.shape.length === 0 ? (rest === '0' ? [] : null) : rest.split(a.separator);
    if (!parts || parts.length !== a.shape.length) return undefined;
    let index = 0;
    for (let d = 0; d < parts.length; d++) {
      const n = Math.ceil(a.shape[d]! / a.chunks[d]!);
      const i = Number(parts[d]);
      if (!Number.isSafeInteger(i) || i < 0 || i >= n) return undefined;
      index = index * n + i;
    }
    return index;
  }

  #file(key: string, signal?: AbortSignal): Promise<Row[] | undefined> {
    let p = this.#files.get(key);
    if (!p) {
      p = this.#folder.get(key, undefined, signal).then(async (bytes) => {
        if (!bytes) return undefined;
        const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
        return (await parquetReadObjects({ file, columns: ['path', 'offset', 'size', 'raw'], compressors, utf8: false })) as Row[];
      });
      p.catch(() => this.#files.delete(key));
      this.#files.set(key, p);
    }
    return p;
  }

  async get(key: string, signal?: AbortSignal): Promise<Reference | undefined> {
    const known = this.peek(key);
    if (known !== undefined || isMetadataKey(key)) return known;
    const slash = key.lastIndexOf('/');
    const array = slash < 0 ? '' : key.slice(0, slash);
    let a = this.#arrays.get(array);
    let rest = key.slice(slash + 1);
    // "/"-separated chunk keys: find the array whose path is a prefix.
    if (!a) {
      for (const [p, m] of this.#arrays) {
        if (m.separator === '/' && key.startsWith(`${p}/`)) {
          a = m;
          rest = key.slice(p.length + 1);
          break;
        }
      }
      if (!a) return undefined;
    }
    const path = [...this.#arrays].find(([, m]) => m === a)![0];
    const index = this.#chunkIndex(a, rest);
    if (index === undefined) return undefined;
    const rows = await this.#file(`${path ? `${path}/` : ''}refs.${Math.floor(index / this.#recordSize)}.parq`, signal);
    const row = rows?.[index % this.#recordSize];
    if (!row) return undefined;
    if (row.raw != null) return typeof row.raw === 'string' ? row.raw : base64(row.raw);
    if (row.path == null) return undefined;
    const url = typeof row.path === 'string' ? row.path : new TextDecoder().decode(row.path);
    const offset = Number(row.offset ?? 0);
    const size = Number(row.size ?? 0);
    // fsspec: offset and size both 0 mean the whole object.
    if (offset === 0 && size === 0) return [url];
    return [url, offset, size];
  }
}
