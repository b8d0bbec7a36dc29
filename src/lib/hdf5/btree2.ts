/**
 * Version-2 B-trees (spec III.A.2): every record, in key order. Used for chunk
 * indexes (record types 10, 11) and for the name indexes of dense links
 * (type 5) and dense attributes (type 8).
 */
import { encodedSize } from './cursor';
import { corrupt } from './errors';
import type { Hdf5File } from './file';

const MAX_DEPTH = 64;
const MAX_RECORDS = 10_000_000;

export interface Btree2 {
  type: number;
  recordSize: number;
  records: Uint8Array[];
}

export async function btree2Records(file: Hdf5File, address: number): Promise<Btree2> {
  const O = file.offsetSize;
  const hb = await file.read(address, 4 + 2 + 4 + 2 + 2 + 2 + O + 2 + file.lengthSize + 4);
  const h = file.cursor(hb);
  h.signature('BTHD', 'version-2 B-tree header');
  h.u8();
  const type = h.u8();
  const nodeSize = h.u32();
  const recordSize = h.u16();
  const depth = h.u16();
  h.skip(2);
  const root = h.address();
  const rootRecords = h.u16();
  const records: Uint8Array[] = [];
  if (root === undefined || rootRecords === 0) return { type, recordSize, records };
  if (depth > MAX_DEPTH || nodeSize > 1 << 24 || nodeSize < 16 || recordSize === 0) throw corrupt('version-2 B-tree header is invalid');
  // Field widths of internal nodes (H5B2__hdr_init).
  const maxLeaf = Math.floor((nodeSize - 10) / recordSize);
  const maxNrecSize = encodedSize(maxLeaf);
  const info: { max: number; cumMax: number; cumSize: number }[] = [{ max: maxLeaf, cumMax: maxLeaf, cumSize: 0 }];
  for (let d = 1; d <= depth; d++) {
    const ptr = O + maxNrecSize + (d > 1 ? info[d - 1]!.cumSize : 0);
    const max = Math.floor((nodeSize - (10 + ptr)) / (recordSize + ptr));
    const cumMax = (max + 1) * info[d - 1]!.cumMax + max;
    info.push({ max, cumMax, cumSize: encodedSize(cumMax) });
  }
  const seen = new Set<number>();
  const visit = async (at: number, n: number, d: number): Promise<Uint8Array[]> => {
    if (seen.has(at)) throw corrupt('a version-2 B-tree has a cycle');
    seen.add(at);
    const bytes = await file.read(at, nodeSize);
    const c = file.cursor(bytes);
    c.signature(d === 0 ? 'BTLF' : 'BTIN', 'version-2 B-tree node');
    c.skip(2);
    if (n > info[d]!.max) throw corrupt('a version-2 B-tree node holds too many records');
    const own: Uint8Array[] = [];
    for (let i = 0; i < n; i++) own.push(c.take(recordSize));
    if (d === 0) return own;
    const kids: Promise<Uint8Array[]>[] = [];
    for (let i = 0; i <= n; i++) {
      const child = c.address();
      const cn = c.uint(maxNrecSize);
      if (d > 1) c.uint(info[d - 1]!.cumSize);
      kids.push(child === undefined ? Promise.resolve([]) : visit(child, cn, d - 1));
    }
    const sub = await Promise.all(kids);
    // In key order: child 0, record 0, child 1, record 1, ...
    const out: Uint8Array[] = [];
    for (let i = 0; i <= n; i++) {
      out.push(...sub[i]!);
      if (i < n) out.push(own[i]!);
    }
    if (out.length > MAX_RECORDS) throw corrupt('a version-2 B-tree holds too many records');
    return out;
  };
  records.push(...(await visit(root, rootRecords, depth)));
  return { type, recordSize, records };
}
