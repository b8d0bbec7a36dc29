/**
 * A KeySource over a Map (a seam inside Tessera: the real stores are covered
 * by the integration tests on the RGW). `denied` keys answer 403 and
 * `listable: false` refuses listing, like a public JASMIN bucket.
 */
import { ZarrError } from '../../../src/lib/zarr/errors';
import type { ByteRange, KeySource, ListLevel } from '../../../src/lib/zarr/source';

export class MemorySource implements KeySource {
  readonly label = 'memory://test.zarr';
  readonly anonymous: boolean;
  readonly files = new Map<string, Uint8Array>();
  readonly reads: string[] = [];
  /** Byte ranges asked for, by key (suffix ranges included). */
  readonly ranges: { key: string; range: ByteRange }[] = [];
  list?: (prefix: string) => Promise<ListLevel>;
  /** Missing keys answer 403 instead of 404 (anonymous S3 on an unlistable bucket). */
  missingIs403 = false;

  constructor(options: { anonymous?: boolean; listable?: boolean } = {}) {
    this.anonymous = options.anonymous ?? false;
    if (options.listable ?? true) this.list = async (prefix) => this.#list(prefix);
  }

  json(key: string, doc: unknown): this {
    this.files.set(key, new TextEncoder().encode(JSON.stringify(doc)));
    return this;
  }

  async get(key: string, range?: ByteRange): Promise<Uint8Array | undefined> {
    this.reads.push(key);
    const b = this.files.get(key);
    if (!b) {
      if (this.missingIs403) throw new ZarrError('access-denied', `Access denied (403) reading ${key}.`, { path: key });
      return undefined;
    }
    if (!range) return b;
    this.ranges.push({ key, range });
    if ('suffixLength' in range) return b.subarray(b.length - range.suffixLength);
    return b.subarray(range.offset, range.offset + range.length);
  }

  #list(prefix: string): ListLevel {
    const keys = new Map<string, number>();
    const prefixes = new Set<string>();
    for (const [k, v] of this.files) {
      if (!k.startsWith(prefix)) continue;
      const rest = k.slice(prefix.length);
      const slash = rest.indexOf('/');
      if (slash < 0) keys.set(k, v.length);
      else prefixes.add(prefix + rest.slice(0, slash + 1));
    }
    return { keys: [...keys].map(([key, size]) => ({ key, size })), prefixes: [...prefixes], truncated: false };
  }
}

/** Bytes of a little-endian typed array. */
export function le(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** A v2 array written by hand (no compressor) with xarray's dimension names. */
export function v2Array(src: MemorySource, path: string, opts: { shape: number[]; chunks: number[]; dtype: string; dims?: string[]; attrs?: Record<string, unknown>; fill?: unknown; compressor?: unknown; filters?: unknown }): void {
  const p = path ? `${path}/` : '';
  src.json(`${p}.zarray`, {
    zarr_format: 2, shape: opts.shape, chunks: opts.chunks, dtype: opts.dtype, compressor: opts.compressor ?? null,
    fill_value: opts.fill ?? null, order: 'C', filters: opts.filters ?? null,
  });
  src.json(`${p}.zattrs`, { ...(opts.dims ? { _ARRAY_DIMENSIONS: opts.dims } : {}), ...(opts.attrs ?? {}) });
}
