/**
 * The members of a group: old-style groups list them in a symbol table
 * (a version-1 B-tree of symbol nodes, names in a local heap; spec III.A.1,
 * III.B, III.C); new-style groups keep link messages in the object header
 * (compact storage) or, past a few links, in a fractal heap (dense storage).
 */
import { corrupt } from './errors';
import { type Hdf5File, MSG, type Message } from './file';
import { heapName, readLocalHeap } from './heaps';
import { type HardLink, parseLink, parseLinkInfo, parseSymbolTable } from './messages';
import { fractalHeapObjects } from './fractal-heap';

const MAX_DEPTH = 64;
const MAX_LINKS = 1_000_000;

export async function groupLinks(file: Hdf5File, messages: Message[]): Promise<HardLink[]> {
  const st = messages.find((m) => m.type === MSG.symbolTable);
  if (st) {
    const { btree, heap } = parseSymbolTable(file.cursor(st.data));
    if (btree === undefined || heap === undefined) return [];
    return symbolTable(file, btree, heap);
  }
  const links = messages.filter((m) => m.type === MSG.link).map((m) => parseLink(file.cursor(m.data)));
  const info = messages.find((m) => m.type === MSG.linkInfo);
  if (info) {
    const { heapAddress, nameIndexAddress } = parseLinkInfo(file.cursor(info.data));
    if (heapAddress !== undefined) {
      for (const obj of await fractalHeapObjects(file, heapAddress, nameIndexAddress)) links.push(parseLink(file.cursor(obj)));
    }
  }
  return links;
}

async function symbolTable(file: Hdf5File, root: number, heapAddress: number): Promise<HardLink[]> {
  const heap = await readLocalHeap(file, heapAddress);
  const O = file.offsetSize;
  const nodes: number[] = [];
  const seen = new Set<number>();
  const visit = async (address: number, depth: number): Promise<void> => {
    if (seen.has(address) || depth > MAX_DEPTH) throw corrupt('a group B-tree has a cycle or is too deep');
    seen.add(address);
    const headSize = 8 + 2 * O;
    const head = await file.read(address, headSize);
    const h = file.cursor(head);
    h.signature('TREE', 'group B-tree node');
    const type = h.u8();
    const level = h.u8();
    const entries = h.u16();
    if (type !== 0) throw corrupt(`B-tree node at ${address} has type ${type}, expected a group`);
    const body = await file.read(address + headSize, entries * (file.lengthSize + O) + file.lengthSize);
    const c = file.cursor(body);
    const kids: Promise<void>[] = [];
    for (let i = 0; i < entries; i++) {
      c.length();
      const child = c.address();
      if (child === undefined) continue;
      if (level === 0) nodes.push(child);
      else kids.push(visit(child, depth + 1));
    }
    await Promise.all(kids);
  };
  await visit(root, 0);
  const out: HardLink[] = [];
  const entrySize = 2 * O + 24;
  await Promise.all(
    nodes.map(async (address) => {
      const head = await file.read(address, 8);
      const h = file.cursor(head);
      h.signature('SNOD', 'symbol table node');
      h.skip(2);
      const n = h.u16();
      const body = await file.read(address + 8, n * entrySize);
      const c = file.cursor(body);
      for (let i = 0; i < n; i++) {
        const nameOffset = c.address() ?? 0;
        const obj = c.address();
        const cacheType = c.u32();
        c.skip(20);
        // Cache type 2 is a soft link (its value lives in the heap): not followed.
        out.push({ name: heapName(heap, nameOffset), address: cacheType === 2 ? undefined : obj, kind: cacheType === 2 ? 'soft' : 'hard' });
        if (out.length > MAX_LINKS) throw corrupt('a group has too many members');
      }
    }),
  );
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

