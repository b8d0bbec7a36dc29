/**
 * Write references in fsspec's Parquet layout (as `LazyReferenceMapper` /
 * `kerchunk.df.refs_to_parquet` do): `.zmetadata` with the metadata and
 * `record_size`, and per array `refs.<i>.parq` files of `record_size` rows
 * (`path`, `offset`, `size`, `raw`; chunk number = C-order index over the
 * chunk grid). Neither pyarrow nor fastparquet is packaged in Debian 12, so
 * the files are written by hyparquet-writer, with the layout's rules taken
 * from fsspec's documentation.
 */
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { References } from '../../../src/lib/refs/types';

const META = /(^|\/)(\.zgroup|\.zarray|\.zattrs)$/;

export function parquetLayout(refs: References, recordSize: number, codec: 'SNAPPY' | 'UNCOMPRESSED' = 'SNAPPY'): Map<string, Uint8Array> {
  const metadata: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(refs.refs)) if (META.test(k) && typeof v === 'string') metadata[k] = JSON.parse(v);
  const files = new Map<string, Uint8Array>();
  files.set('.zmetadata', new TextEncoder().encode(JSON.stringify({ metadata, record_size: recordSize })));
  for (const [k, v] of Object.entries(metadata)) {
    const m = /^(?:(.*)\/)?\.zarray$/.exec(k);
    if (!m) continue;
    const path = m[1] ?? '';
    const { shape, chunks } = v as { shape: number[]; chunks: number[] };
    const grid = shape.map((s, i) => Math.ceil(s / chunks[i]!));
    const total = grid.reduce((a, b) => a * b, 1);
    const rows = Array.from({ length: total }, () => ({ path: null as string | null, offset: 0n, size: 0n, raw: null as Uint8Array | null }));
    for (let n = 0; n < total; n++) {
      const idx: number[] = [];
      let r = n;
      for (let d = grid.length - 1; d >= 0; d--) {
        idx.unshift(r % grid[d]!);
        r = Math.floor(r / grid[d]!);
      }
      const ref = refs.refs[`${path ? `${path}/` : ''}${shape.length ? idx.join('.') : '0'}`];
      if (ref === undefined) continue;
      if (typeof ref === 'string') rows[n]!.raw = ref.startsWith('base64:') ? Uint8Array.from(atob(ref.slice(7)), (c) => c.charCodeAt(0)) : new TextEncoder().encode(ref);
      else {
        rows[n]!.path = ref[0];
        if (ref.length === 3) {
          rows[n]!.offset = BigInt(ref[1]);
          rows[n]!.size = BigInt(ref[2]);
        }
      }
    }
    for (let f = 0; f * recordSize < total; f++) {
      const part = rows.slice(f * recordSize, (f + 1) * recordSize);
      const buf = parquetWriteBuffer({
        codec,
        columnData: [
          { name: 'path', data: part.map((r) => r.path), type: 'STRING', nullable: true },
          { name: 'offset', data: part.map((r) => r.offset), type: 'INT64', nullable: false },
          { name: 'size', data: part.map((r) => r.size), type: 'INT64', nullable: false },
          { name: 'raw', data: part.map((r) => r.raw), type: 'BYTE_ARRAY', nullable: true },
        ],
      });
      files.set(`${path ? `${path}/` : ''}refs.${f}.parq`, new Uint8Array(buf));
    }
  }
  return files;
}
