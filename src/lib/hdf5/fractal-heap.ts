/**
 * Fractal heaps (spec III.G) hold the links of a group and the attributes of
 * an object once there are more than a few ("dense storage", which netCDF-4
 * files reach quickly because netCDF-C tracks creation order). The objects
 * are found through the heap's name index (a version-2 B-tree of heap IDs).
 * Managed and tiny objects are read; huge objects and filtered heaps are not.
 */
import { btree2Records } from './btree2';
import { Cursor } from './cursor';
import { corrupt, unsupported } from './errors';
import type { Hdf5File } from './file';

interface Heap {
  idLength: number;
  filtered: boolean;
  width: number;
  startBlock: number;
  maxDirectBlock: number;
  offBytes: number;
  lenBytes: number;
  root: number | undefined;
  rootRows: number;
}

interface DirectBlock {
  address: number;
  offset: number;
  size: number;
}

const log2 = (x: number) => Math.round(Math.log2(x));

async function readHeader(file: Hdf5File, address: number): Promise<Heap> {
  const O = file.offsetSize;
  const L = file.lengthSize;
  const bytes = await file.read(address, 4 + 1 + 2 + 2 + 1 + 4 + L + O + L + O + 8 * L + 2 + L + L + 2 + 2 + O + 2);
  const c = file.cursor(bytes);
  c.signature('FRHP', 'fractal heap header');
  c.u8();
  const idLength = c.u16();
  const filterLength = c.u16();
  c.u8(); // flags
  const maxManaged = c.u32();
  c.length();
  c.address();
  c.length();
  c.address();
  c.skip(8 * L); // managed space, allocated, iterator, managed count, huge size/count, tiny size/count
  const width = c.u16();
  const startBlock = c.length();
  const maxDirectBlock = c.length();
  const maxHeapBits = c.u16();
  c.u16(); // starting rows
  const root = c.address();
  const rootRows = c.u16();
  if (!width || !startBlock || !maxDirectBlock || maxHeapBits > 64 || width > 65536) throw corrupt('fractal heap header is invalid');
  const offBytes = Math.ceil(maxHeapBits / 8);
  const lenBytes = Math.min(Math.ceil(log2(maxDirectBlock) / 8), Math.floor(Math.log2(Math.max(maxManaged, 1)) / 8) + 1);
  return { idLength, filtered: filterLength > 0, width, startBlock, maxDirectBlock, offBytes, lenBytes, root, rootRows };
}

async function directBlocks(file: Hdf5File, h: Heap): Promise<DirectBlock[]> {
  if (h.root === undefined) return [];
  if (h.rootRows === 0) return [{ address: h.root, offset: 0, size: h.startBlock }];
  const O = file.offsetSize;
  const maxDirectRows = log2(h.maxDirectBlock) - log2(h.startBlock) + 2;
  const firstRowBits = log2(h.startBlock) + log2(h.width);
  const rowSize = (r: number) => (r === 0 ? h.startBlock : h.startBlock * 2 ** (r - 1));
  const out: DirectBlock[] = [];
  let budget = 100_000;
  const visit = async (address: number, rows: number, base: number, depth: number): Promise<void> => {
    if (depth > 32 || --budget < 0) throw corrupt('fractal heap is too deep or too large');
    const direct = Math.min(rows, maxDirectRows) * h.width;
    const indirect = Math.max(0, rows - maxDirectRows) * h.width;
    const bytes = await file.read(address, 4 + 1 + O + h.offBytes + direct * O + indirect * O + 4);
    const c = file.cursor(bytes);
    c.signature('FHIB', 'fractal heap indirect block');
    c.skip(1 + O + h.offBytes);
    let offset = base;
    const kids: Promise<void>[] = [];
    for (let r = 0; r < rows; r++) {
      const size = rowSize(r);
      for (let k = 0; k < h.width; k++) {
        const child = c.address();
        if (child !== undefined) {
          if (r < maxDirectRows) out.push({ address: child, offset, size });
          else kids.push(visit(child, log2(size) - firstRowBits + 1, offset, depth + 1));
        }
        offset += size;
      }
    }
    await Promise.all(kids);
  };
  await visit(h.root, h.rootRows, 0, 0);
  return out;
}

/** Every object of the heap named by its name index B-tree, in index order. */
export async function fractalHeapObjects(file: Hdf5File, heapAddress: number, index: number | undefined): Promise<Uint8Array[]> {
  const h = await readHeader(file, heapAddress);
  if (h.filtered) throw unsupported('a filtered fractal heap (dense links or attributes)');
  if (index === undefined) return [];
  const tree = await btree2Records(file, index);
  const ids = tree.records.map((r) => {
    if (tree.type === 5) return r.subarray(4, 4 + h.idLength);
    if (tree.type === 8) return r.subarray(0, h.idLength);
    throw corrupt(`version-2 B-tree record type ${tree.type} is not a name index`);
  });
  const blocks = await directBlocks(file, h);
  return Promise.all(
    ids.map(async (id) => {
      const kind = (id[0]! >> 4) & 3;
      if (kind === 2) return id.subarray(1, 1 + (id[0]! & 0x0f) + 1); // tiny: the data is in the ID
      if (kind !== 0) throw unsupported('a huge object in a fractal heap');
      const c = new Cursor(id, file.offsetSize, file.lengthSize, 1);
      const offset = c.uint(h.offBytes);
      const length = c.uint(h.lenBytes);
      const b = blocks.find((d) => d.offset <= offset && offset + length <= d.offset + d.size);
      if (!b) throw corrupt(`fractal heap object at offset ${offset} is in no block`);
      return file.read(b.address + (offset - b.offset), length);
    }),
  );
}

