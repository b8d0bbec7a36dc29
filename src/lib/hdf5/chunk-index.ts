/**
 * Where each chunk of a chunked dataset is: its position in the chunk grid,
 * its address, its stored size and which filters were skipped for it. Every
 * chunk index of both eras (spec III.A.1, VII):
 * - version-1 B-tree (layout 3, what netCDF-4 and most files use),
 * - single chunk, implicit, fixed array, extensible array and version-2
 *   B-tree (layout 4, written with `libver="latest"` / HDF5 1.10+).
 * Checksums of the layout-4 structures are not verified: a corrupt index
 * gives wrong offsets, which the chunk's own decoding then refuses.
 */
import { btree2Records } from './btree2';
import type { Cursor } from './cursor';
import { corrupt, unsupported } from './errors';
import type { Hdf5File } from './file';
import type { ChunkIndex } from './messages';

export interface ChunkLocation {
  /** Index of the chunk along each dimension. */
  coords: number[];
  /** File address (relative to the base address). */
  address: number;
  size: number;
  filterMask: number;
}

export interface ChunkGeometry {
  shape: number[];
  /** Maximum shape; `undefined` for unlimited. */
  maxShape: (number | undefined)[];
  chunks: number[];
  elementSize: number;
  filtered: boolean;
}

/** Guard: no dataset may claim more chunks than this. */
const MAX_CHUNKS = 10_000_000;
const MAX_DEPTH = 64;

export async function listChunks(file: Hdf5File, index: ChunkIndex, g: ChunkGeometry, reader?: Btree1Reader): Promise<ChunkLocation[]> {
  if (index.address === undefined) return []; // nothing written yet
  const grid = g.shape.map((s, i) => Math.ceil(s / g.chunks[i]!));
  const total = grid.reduce((a, b) => a * b, 1);
  if (total > MAX_CHUNKS) throw corrupt(`${total} chunks is more than Tessera reads`);
  const rawSize = g.chunks.reduce((a, b) => a * b, g.elementSize);
  switch (index.type) {
    case 'btree1':
      return btree1(file, index.address, g, reader);
    case 'single':
      return [{ coords: g.shape.map(() => 0), address: index.address, size: index.filteredSize ?? rawSize, filterMask: index.filterMask ?? 0 }];
    case 'implicit': {
      const down = maxDown(g);
      const out: ChunkLocation[] = [];
      forEachCoord(grid, (coords) => out.push({ coords, address: index.address! + linear(coords, down) * rawSize, size: rawSize, filterMask: 0 }));
      return out;
    }
    case 'fixed-array':
      return fixedArray(file, index.address, g, grid, rawSize);
    case 'extensible-array':
      return extensibleArray(file, index.address, g, grid, rawSize);
    case 'btree2':
      return btree2(file, index.address, g, rawSize);
  }
}

function forEachCoord(grid: number[], f: (c: number[]) => void): void {
  const n = grid.reduce((a, b) => a * b, 1);
  for (let i = 0; i < n; i++) {
    const c: number[] = new Array<number>(grid.length);
    let r = i;
    for (let d = grid.length - 1; d >= 0; d--) {
      c[d] = r % grid[d]!;
      r = Math.floor(r / grid[d]!);
    }
    f(c);
  }
}

/** Row-major strides of the chunk grid at the maximum shape (HDF5's `max_down_chunks`). */
function maxDown(g: ChunkGeometry, dims = g.shape.map((_, i) => i)): number[] {
  const maxChunks = dims.map((d) => Math.ceil((g.maxShape[d] ?? g.shape[d]!) / g.chunks[d]!));
  const down = new Array<number>(dims.length).fill(1);
  for (let i = dims.length - 2; i >= 0; i--) down[i] = down[i + 1]! * maxChunks[i + 1]!;
  return down;
}

function linear(coords: number[], down: number[]): number {
  return coords.reduce((a, c, i) => a + c * down[i]!, 0);
}

// ─── Version-1 B-tree, node type 1 (III.A.1) ───────────────────────────────

interface Btree1Entry {
  /** The chunk offsets of the key on the left of the child (in elements, one per dimension). */
  offsets: number[];
  size: number;
  filterMask: number;
  child: number;
}

interface Btree1Node {
  level: number;
  entries: Btree1Entry[];
}

/** Reads the nodes of one chunk B-tree, each once (a lookup and the full walk share them). */
class Btree1Reader {
  readonly #file: Hdf5File;
  readonly #rank: number;
  readonly #nodes = new Map<number, Promise<Btree1Node>>();

  constructor(file: Hdf5File, rank: number) {
    this.#file = file;
    this.#rank = rank;
  }

  node(address: number): Promise<Btree1Node> {
    let p = this.#nodes.get(address);
    if (!p) this.#nodes.set(address, (p = this.#read(address)));
    return p;
  }

  async #read(address: number): Promise<Btree1Node> {
    const file = this.#file;
    const rank = this.#rank;
    const keySize = 8 + 8 * (rank + 1);
    const headSize = 8 + 2 * file.offsetSize;
    const head = await file.read(address, headSize);
    const h = file.cursor(head);
    h.signature('TREE', 'chunk B-tree node');
    const type = h.u8();
    const level = h.u8();
    const count = h.u16();
    if (type !== 1) throw corrupt(`B-tree node at ${address} has type ${type}, expected chunk index`);
    const body = await file.read(address + headSize, count * (keySize + file.offsetSize) + keySize);
    const c = file.cursor(body);
    const entries: Btree1Entry[] = [];
    for (let i = 0; i < count; i++) {
      const size = c.u32();
      const filterMask = c.u32();
      const offsets: number[] = [];
      for (let d = 0; d <= rank; d++) offsets.push(c.uint(8));
      const child = c.address();
      if (child === undefined) continue;
      entries.push({ offsets: offsets.slice(0, rank), size, filterMask, child });
    }
    return { level, entries };
  }
}

const location = (e: Btree1Entry, g: ChunkGeometry): ChunkLocation => ({ coords: e.offsets.map((o, d) => Math.floor(o / g.chunks[d]!)), address: e.child, size: e.size, filterMask: e.filterMask });

async function btree1(file: Hdf5File, root: number, g: ChunkGeometry, reader = new Btree1Reader(file, g.shape.length)): Promise<ChunkLocation[]> {
  const out: ChunkLocation[] = [];
  const seen = new Set<number>();
  const visit = async (address: number, depth: number): Promise<void> => {
    if (seen.has(address) || depth > MAX_DEPTH) throw corrupt('the chunk B-tree has a cycle or is too deep');
    seen.add(address);
    const node = await reader.node(address);
    const children: Promise<void>[] = [];
    for (const e of node.entries) {
      if (node.level === 0) {
        out.push(location(e, g));
        if (out.length > MAX_CHUNKS) throw corrupt('the chunk B-tree lists too many chunks');
      } else children.push(visit(e.child, depth + 1));
    }
    await Promise.all(children);
  };
  await visit(root, 0);
  return out;
}

/** -1, 0 or 1 as chunk offsets `a` sort before, equal or after `b` (dimension 0 first, as HDF5 orders its keys). */
function compareOffsets(a: number[], b: number[]): number {
  for (let d = 0; d < a.length; d++) if (a[d] !== b[d]) return a[d]! < b[d]! ? -1 : 1;
  return 0;
}

/**
 * Find one chunk by walking down from the root: in a node, the child whose
 * left key is the last one not past the chunk (spec III.A.1: the keys of a
 * node's children are in increasing order). A lookup reads one node per level
 * (the first picture of a 1 GiB netCDF-4 file: one leaf instead of all 21).
 */
async function btree1Find(reader: Btree1Reader, root: number, g: ChunkGeometry, coords: number[]): Promise<ChunkLocation | undefined> {
  const want = coords.map((c, d) => c * g.chunks[d]!);
  let address = root;
  for (let depth = 0; ; depth++) {
    if (depth > MAX_DEPTH) throw corrupt('the chunk B-tree has a cycle or is too deep');
    const node = await reader.node(address);
    if (node.level === 0) {
      const hit = node.entries.find((e) => compareOffsets(e.offsets, want) === 0);
      return hit && location(hit, g);
    }
    let next: Btree1Entry | undefined;
    for (const e of node.entries) {
      if (compareOffsets(e.offsets, want) > 0) break;
      next = e;
    }
    if (!next) return undefined;
    address = next.child;
  }
}

/** Looks chunks up one at a time, reading only what each needs, or lists them all. */
export interface ChunkFinder {
  /** The chunk at `coords` (indices in the chunk grid), or undefined where none is stored. */
  find(coords: number[]): Promise<ChunkLocation | undefined>;
  /** Every chunk, as `listChunks` gives them. */
  all(): Promise<ChunkLocation[]>;
}

/**
 * A `ChunkFinder` over a dataset's chunk index. The version-1 B-tree (what
 * netCDF-4 writes) is walked down to the one leaf a chunk is in; the other
 * indexes are small or read in one go, so they are listed whole on first use.
 */
export function chunkFinder(file: Hdf5File, index: ChunkIndex, g: ChunkGeometry): ChunkFinder {
  let listed: Promise<ChunkLocation[]> | undefined;
  let byCoords: Promise<Map<string, ChunkLocation>> | undefined;
  const reader = new Btree1Reader(file, g.shape.length);
  const all = () => (listed ??= listChunks(file, index, g, reader));
  return {
    all,
    async find(coords) {
      if (index.address === undefined) return undefined;
      if (index.type === 'btree1') return btree1Find(reader, index.address, g, coords);
      byCoords ??= all().then((list) => new Map(list.map((c) => [c.coords.join(','), c])));
      return (await byCoords).get(coords.join(','));
    },
  };
}

// ─── Layout-4 element encodings ─────────────────────────────────────────────

function readElement(c: Cursor, g: ChunkGeometry, elementSize: number, rawSize: number): { address: number | undefined; size: number; filterMask: number } {
  const address = c.address();
  if (!g.filtered) return { address, size: rawSize, filterMask: 0 };
  const size = c.uint(elementSize - c.offsetSize - 4);
  return { address, size, filterMask: c.u32() };
}

// ─── Fixed array (VII.B) ────────────────────────────────────────────────────

async function fixedArray(file: Hdf5File, address: number, g: ChunkGeometry, grid: number[], rawSize: number): Promise<ChunkLocation[]> {
  const hb = await file.read(address, 4 + 1 + 1 + 1 + 1 + file.lengthSize + file.offsetSize + 4);
  const h = file.cursor(hb);
  h.signature('FAHD', 'fixed array header');
  h.skip(2);
  const elementSize = h.u8();
  const pageBits = h.u8();
  const n = h.length();
  const dataBlock = h.address();
  if (dataBlock === undefined) return [];
  if (n > MAX_CHUNKS) throw corrupt(`fixed array of ${n} chunks`);
  const prefix = 4 + 1 + 1 + file.offsetSize;
  const pageSize = 2 ** pageBits;
  const paged = n > pageSize;
  const pages = Math.ceil(n / pageSize);
  const bitmap = paged ? Math.ceil(pages / 8) : 0;
  const total = prefix + bitmap + 4 + (paged ? n * elementSize + pages * 4 : n * elementSize);
  const body = await file.read(dataBlock, Math.min(total, file.cache.size - file.base - dataBlock));
  const c = file.cursor(body);
  c.signature('FADB', 'fixed array data block');
  c.skip(prefix - 4 + bitmap);
  if (paged) c.skip(4); // checksum of the data block prefix; the pages follow
  const elements: ReturnType<typeof readElement>[] = [];
  for (let i = 0; i < n; i++) {
    if (paged && i > 0 && i % pageSize === 0) c.skip(4); // each page ends with a checksum
    elements.push(readElement(c, g, elementSize, rawSize));
  }
  return byLinearIndex(elements, g, grid, maxDown(g));
}

function byLinearIndex(elements: { address: number | undefined; size: number; filterMask: number }[], _g: ChunkGeometry, grid: number[], down: number[], order?: number[]): ChunkLocation[] {
  const out: ChunkLocation[] = [];
  forEachCoord(grid, (coords) => {
    const swz = order ? order.map((d) => coords[d]!) : coords;
    const e = elements[linear(swz, down)];
    if (e && e.address !== undefined) out.push({ coords, address: e.address, size: e.size, filterMask: e.filterMask });
  });
  return out;
}

// ─── Extensible array (VII.C) ───────────────────────────────────────────────

async function extensibleArray(file: Hdf5File, address: number, g: ChunkGeometry, grid: number[], rawSize: number): Promise<ChunkLocation[]> {
  const O = file.offsetSize;
  const L = file.lengthSize;
  const hb = await file.read(address, 4 + 2 + 6 + 6 * L + O + 4);
  const h = file.cursor(hb);
  h.signature('EAHD', 'extensible array header');
  h.skip(2);
  const elementSize = h.u8();
  const maxBits = h.u8();
  const iblockElements = h.u8();
  const dblockMin = h.u8();
  const sblockMinPtrs = h.u8();
  const pageBits = h.u8();
  h.skip(4 * L); // secondary block / data block statistics
  const maxIndex = h.length();
  h.length(); // elements realized
  const iblockAddress = h.address();
  if (iblockAddress === undefined) return [];
  if (maxIndex > MAX_CHUNKS || maxBits > 64 || !dblockMin || !sblockMinPtrs) throw corrupt('extensible array header is invalid');
  const log2 = (x: number) => Math.floor(Math.log2(x));
  const nsblks = 1 + (maxBits - log2(dblockMin));
  const sblk: { ndblks: number; dblkElements: number; startIdx: number; startDblk: number }[] = [];
  for (let u = 0, idx = 0, dblk = 0; u < nsblks; u++) {
    const ndblks = 2 ** Math.floor(u / 2);
    const dblkElements = 2 ** Math.floor((u + 1) / 2) * dblockMin;
    sblk.push({ ndblks, dblkElements, startIdx: idx, startDblk: dblk });
    idx += ndblks * dblkElements;
    dblk += ndblks;
  }
  const iblockSblks = 2 * log2(sblockMinPtrs);
  const ndblkAddrs = 2 * (sblockMinPtrs - 1);
  const nsblkAddrs = nsblks - iblockSblks;
  const arrOffSize = Math.ceil(maxBits / 8);
  const ib = await file.read(iblockAddress, 4 + 2 + O + iblockElements * elementSize + (ndblkAddrs + nsblkAddrs) * O + 4);
  const ic = file.cursor(ib);
  ic.signature('EAIB', 'extensible array index block');
  ic.skip(2 + O);
  const elements: ReturnType<typeof readElement>[] = [];
  for (let i = 0; i < iblockElements; i++) elements.push(readElement(ic, g, elementSize, rawSize));
  const dblkAddrs: (number | undefined)[] = [];
  for (let i = 0; i < ndblkAddrs; i++) dblkAddrs.push(ic.address());
  const sblkAddrs: (number | undefined)[] = [];
  for (let i = 0; i < nsblkAddrs; i++) sblkAddrs.push(ic.address());

  const pageElements = 2 ** pageBits;
  const readDataBlock = async (at: number, n: number): Promise<ReturnType<typeof readElement>[]> => {
    const paged = n > pageElements;
    const pages = Math.ceil(n / pageElements);
    const prefix = 4 + 2 + O + arrOffSize;
    const bytes = await file.read(at, prefix + 4 + n * elementSize + (paged ? pages * 4 : 0));
    const c = file.cursor(bytes);
    c.signature('EADB', 'extensible array data block');
    c.skip(prefix - 4);
    if (paged) c.skip(4);
    const out: ReturnType<typeof readElement>[] = [];
    for (let i = 0; i < n; i++) {
      if (paged && i > 0 && i % pageElements === 0) c.skip(4);
      out.push(readElement(c, g, elementSize, rawSize));
    }
    return out;
  };
  const missing = (n: number) => new Array(n).fill({ address: undefined, size: 0, filterMask: 0 }) as ReturnType<typeof readElement>[];
  // Walk super blocks in order until every index up to the largest set one is covered.
  for (let s = 0; s < nsblks && elements.length <= maxIndex; s++) {
    const info = sblk[s]!;
    let addrs: (number | undefined)[];
    if (s < iblockSblks) addrs = dblkAddrs.slice(info.startDblk, info.startDblk + info.ndblks);
    else {
      const sa = sblkAddrs[s - iblockSblks];
      if (sa === undefined) addrs = new Array<undefined>(info.ndblks).fill(undefined);
      else {
        const paged = info.dblkElements > pageElements;
        const bitmapBytes = paged ? info.ndblks * Math.ceil(info.dblkElements / pageElements / 8) : 0;
        const sb = await file.read(sa, 4 + 2 + O + arrOffSize + bitmapBytes + info.ndblks * O + 4);
        const sc = file.cursor(sb);
        sc.signature('EASB', 'extensible array super block');
        sc.skip(2 + O + arrOffSize + bitmapBytes);
        addrs = [];
        for (let i = 0; i < info.ndblks; i++) addrs.push(sc.address());
      }
    }
    for (const a of addrs) {
      elements.push(...(a === undefined ? missing(info.dblkElements) : await readDataBlock(a, info.dblkElements)));
      if (elements.length > MAX_CHUNKS) throw corrupt('extensible array too large');
    }
  }
  // Chunks are indexed with the unlimited dimension first ("swizzled", H5Dearray.c).
  const unlim = g.maxShape.findIndex((m) => m === undefined);
  const order = g.shape.map((_, i) => i);
  if (unlim > 0) {
    order.splice(unlim, 1);
    order.unshift(unlim);
  }
  return byLinearIndex(elements, g, grid, maxDown(g, order), order);
}

// ─── Version-2 B-tree, record types 10 and 11 (III.A.2) ────────────────────

async function btree2(file: Hdf5File, address: number, g: ChunkGeometry, rawSize: number): Promise<ChunkLocation[]> {
  const tree = await btree2Records(file, address);
  if (tree.records.length && tree.type !== 10 && tree.type !== 11) throw unsupported(`version-2 B-tree of record type ${tree.type} as a chunk index`);
  const rank = g.shape.length;
  const O = file.offsetSize;
  const out: ChunkLocation[] = [];
  for (const r of tree.records) {
    const c = file.cursor(r);
    const a = c.address();
    let size = rawSize;
    let filterMask = 0;
    if (tree.type === 11) {
      size = c.uint(tree.recordSize - O - 4 - 8 * rank);
      filterMask = c.u32();
    }
    const coords: number[] = [];
    for (let d = 0; d < rank; d++) coords.push(c.uint(8));
    if (a !== undefined) out.push({ coords, address: a, size, filterMask });
  }
  return out;
}
