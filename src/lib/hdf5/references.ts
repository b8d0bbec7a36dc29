/**
 * Kerchunk references for an HDF5 / netCDF-4 file, as `kerchunk.hdf.SingleHdf5ToZarr`
 * writes them: `.zgroup`/`.zattrs` per group, `.zarray`/`.zattrs` per variable
 * (with `_ARRAY_DIMENSIONS`), and each chunk as `[url, offset, length]` (or
 * inline base64 for compact data). The HDF5 filters become Zarr v2 filters in
 * pipeline order (so Zarr undoes them last to first) and the compressor is null.
 *
 * Why a reader of our own rather than h5wasm or jsfive: h5wasm reaches a remote
 * file only through synchronous XHR, one range at a time, and jsfive needs the
 * whole file. Walking the metadata by async ranges reads a few hundred KB of a
 * multi-GB file, and the chunks then go through the Zarr read path, several at
 * once (see test/integration/netcdf for the bytes and requests measured).
 *
 * netCDF-4 conventions (as netCDF-C, h5netcdf and kerchunk read them):
 * dimension scales name the dimensions (`DIMENSION_LIST` of a variable points
 * at them); a scale whose `NAME` says "This is a netCDF dimension but not a
 * netCDF variable" is a dimension only and is not a variable; variables
 * without dimension scales get `phony_dim_N`, reusing one per length within a
 * group as netCDF-C does; bookkeeping attributes are hidden.
 */
import type { LazyChunks, Reference, References } from '../refs/types';
import { attributeValue, decodeNumbers, type AttrValue } from './attributes';
import { type ChunkLocation, chunkFinder } from './chunk-index';
import { Hdf5Error, type SkippedObject } from './errors';
import { Hdf5File, MSG, type Message } from './file';
import { fractalHeapObjects } from './fractal-heap';
import { groupLinks } from './groups';
import {
  type Datatype,
  type Filter,
  type RawAttribute,
  datatypeName,
  parseAttribute,
  parseAttributeInfo,
  parseDatatype,
  parseDataspace,
  parseFillValue,
  parseFilters,
  parseLayout,
  zarrDtype,
} from './messages';
import { RangeCache, type RangeCacheOptions, type RangeStats, type ReadRange } from './range-cache';
import { mark } from '../zarr/trace';

/** Attributes netCDF-C and the HDF5 dimension scale API keep for themselves. */
const HIDDEN = new Set(['CLASS', 'NAME', 'DIMENSION_LIST', 'REFERENCE_LIST', '_Netcdf4Dimid', '_Netcdf4Coordinates', '_nc3_strict', '_NCProperties', '_FillValue', '_SuperblockVersion', '_IsNetcdf4', 'DIMENSION_LABELS']);
const DIM_ONLY = 'This is a netCDF dimension but not a netCDF variable';
const MAX_OBJECTS = 100_000;
/** Contiguous data is cut into chunks of about this size along its first dimension. */
const CONTIGUOUS_CHUNK_BYTES = 8 * 1024 * 1024;

export interface Hdf5References {
  refs: References;
  /** Variables and groups left out, with the reason (the rest opens). */
  skipped: SkippedObject[];
  stats: RangeStats;
  /**
   * With `lazyChunks`: the arrays whose chunk references are found when asked
   * for (by array key, "group/var"); their chunks are not in `refs`.
   */
  lazy?: Map<string, LazyChunks>;
}

export interface Hdf5Options extends RangeCacheOptions {
  /** Checked between steps; a cancelled scan rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * Leave the chunks of B-tree-indexed arrays out of `refs` and find each one
   * when it is asked for (`lazy`): opening a large netCDF-4 file then reads
   * no chunk index at all, and a picture reads only the B-tree leaves its
   * chunks are in (the whole index is spread over the file, one leaf per few
   * dozen chunks, each a request of its own).
   */
  lazyChunks?: boolean;
}

interface Obj {
  path: string;
  name: string;
  address: number;
  messages: Message[];
  parent: string;
}

/**
 * Read the metadata of the HDF5 file behind `read` (an object of `size`
 * bytes at `url`) and return its references.
 *
 * @example
 * const { refs } = await hdf5References((o, n) => getRange(key, o, n), size, 's3://bucket/file.nc');
 */
export async function hdf5References(read: ReadRange, size: number | undefined, url: string, opts: Hdf5Options = {}): Promise<Hdf5References> {
  const cache = new RangeCache(read, size, opts);
  const file = await Hdf5File.open(cache);
  const skipped: SkippedObject[] = [];
  const note = (path: string, e: unknown) => {
    if (e instanceof Hdf5Error && e.kind === 'read-failed') throw e;
    if (opts.signal?.aborted) throw opts.signal.reason;
    const he = e instanceof Hdf5Error ? e : undefined;
    skipped.push({ path, kind: he?.kind ?? 'corrupt', ...(he?.feature ? { feature: he.feature } : {}), message: (e as Error)?.message ?? String(e) });
  };

  // 1. Walk the groups (breadth first, each object once: links may form cycles).
  const groups: Obj[] = [];
  const datasets: Obj[] = [];
  const seen = new Set<number>();
  let level: Obj[] = [{ path: '', name: '', address: file.rootAddress, messages: await file.messages(file.rootAddress), parent: '' }];
  seen.add(file.rootAddress);
  while (level.length) {
    const next: Obj[] = [];
    for (const g of level) groups.push(g);
    await Promise.all(
      level.map(async (g) => {
        let links;
        try {
          links = await groupLinks(file, g.messages);
        } catch (e) {
          return note(g.path || '/', e);
        }
        await Promise.all(
          links.map(async (l) => {
            const path = `${g.path}/${l.name}`;
            if (l.address === undefined) return note(path, new Hdf5Error('unsupported', `${path} is a ${l.kind} link`, { feature: `${l.kind} link`, path }));
            if (seen.has(l.address)) return; // a second link to an object already seen
            seen.add(l.address);
            if (seen.size > MAX_OBJECTS) throw new Hdf5Error('corrupt', 'the file has too many objects');
            let messages: Message[];
            try {
              messages = await file.messages(l.address);
            } catch (e) {
              return note(path, e);
            }
            const o = { path, name: l.name, address: l.address, messages, parent: g.path };
            if (messages.some((m) => m.type === MSG.layout)) datasets.push(o);
            else if (messages.some((m) => m.type === MSG.symbolTable || m.type === MSG.linkInfo || m.type === MSG.link) || !messages.some((m) => m.type === MSG.datatype)) next.push(o);
          }),
        );
      }),
    );
    level = next.sort((a, b) => (a.path < b.path ? -1 : 1));
  }
  datasets.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  mark('scan:objects');

  // 2. Attributes of every object.
  const attrs = new Map<string, Map<string, AttrValue>>();
  await Promise.all(
    [...groups, ...datasets].map(async (o) => {
      try {
        attrs.set(o.path, await readAttributes(file, o, note));
      } catch (e) {
        note(o.path || '/', e);
        attrs.set(o.path, new Map());
      }
    }),
  );

  mark('scan:attributes');
  // 3. Dimension names: dimension scales by address, phony dimensions otherwise.
  const byAddress = new Map(datasets.map((d) => [d.address, d] as const));
  const phony = new Map<string, number[]>(); // group -> length of each phony dim, by number
  const phonyNames = new Map<string, string[]>();
  let phonyCount = 0;

  const refs: References['refs'] = {};
  const lazy = new Map<string, LazyChunks>();
  const zgroup = JSON.stringify({ zarr_format: 2 });
  for (const g of groups) {
    const prefix = g.path ? `${g.path.slice(1)}/` : '';
    refs[`${prefix}.zgroup`] = zgroup;
    refs[`${prefix}.zattrs`] = JSON.stringify(visibleAttrs(attrs.get(g.path)!));
  }

  for (const d of datasets) {
    try {
      const a = attrs.get(d.path)!;
      const cls = a.get('CLASS');
      const isScale = cls === 'DIMENSION_SCALE';
      const nameAttr = a.get('NAME');
      if (isScale && typeof nameAttr === 'string' && nameAttr.startsWith(DIM_ONLY)) continue;
      const v = await describeDataset(file, d, opts.lazyChunks === true);
      // Dimension names
      const dims: string[] = [];
      const list = a.get('DIMENSION_LIST');
      const scaleRefs = list && typeof list === 'object' && 'references' in list ? list.references : undefined;
      for (let i = 0; i < v.shape.length; i++) {
        const target = scaleRefs?.[i]?.[0];
        const scale = target === undefined ? undefined : byAddress.get(target);
        if (scale) dims.push(scale.name);
        else if (isScale && i === 0) dims.push(d.name);
        else {
          const key = d.parent;
          const lengths = phony.get(key) ?? [];
          const names = phonyNames.get(key) ?? [];
          let k = lengths.findIndex((len, j) => len === v.shape[i] && !dims.includes(names[j]!));
          if (k < 0) {
            lengths.push(v.shape[i]!);
            names.push(`phony_dim_${phonyCount++}`);
            k = lengths.length - 1;
          }
          phony.set(key, lengths);
          phonyNames.set(key, names);
          dims.push(names[k]!);
        }
      }
      const key = d.path.slice(1);
      // 64-bit integers are exact only in the fill value message (attributes pass through doubles).
      const fill = a.has('_FillValue') && !(v.type.class === 'int' && v.type.size === 8) ? jsonFill(a.get('_FillValue'), v.type) : v.fill;
      const zarray = { zarr_format: 2, shape: v.shape, chunks: v.chunks, dtype: v.dtype, fill_value: FILL, order: 'C', filters: v.filters.length ? v.filters : null, compressor: null };
      const chunkRefs: Record<string, References['refs'][string]> = {};
      if (v.lazy) lazy.set(key, v.lazy(url));
      else for (const [k, r] of await v.chunkRefs(url)) chunkRefs[`${key}/${k}`] = r;
      refs[`${key}/.zarray`] = JSON.stringify(zarray).replace(`"${FILL}"`, typeof fill === 'string' && /^-?\d+$/.test(fill) ? fill : JSON.stringify(fill));
      refs[`${key}/.zattrs`] = JSON.stringify({ ...visibleAttrs(a), _ARRAY_DIMENSIONS: dims });
      Object.assign(refs, chunkRefs);
    } catch (e) {
      note(d.path, e);
    }
  }
  mark('scan:done');
  return { refs: { version: 1, refs }, skipped, stats: cache.stats, ...(opts.lazyChunks ? { lazy } : {}) };
}

function visibleAttrs(a: Map<string, AttrValue>): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {};
  for (const [k, v] of a) {
    if (HIDDEN.has(k)) continue;
    if (v && typeof v === 'object' && 'references' in v) continue;
    out[k] = v;
  }
  return out;
}

async function readAttributes(file: Hdf5File, o: Obj, note: (path: string, e: unknown) => void): Promise<Map<string, AttrValue>> {
  const raws: RawAttribute[] = o.messages.filter((m) => m.type === MSG.attribute).map((m) => parseAttribute(file.cursor(m.data)));
  const info = o.messages.find((m) => m.type === MSG.attributeInfo);
  if (info) {
    const { heapAddress, nameIndexAddress } = parseAttributeInfo(file.cursor(info.data));
    if (heapAddress !== undefined) for (const b of await fractalHeapObjects(file, heapAddress, nameIndexAddress)) raws.push(parseAttribute(file.cursor(b)));
  }
  const out = new Map<string, AttrValue>();
  for (const r of raws) {
    try {
      out.set(r.name, await attributeValue(file, r));
    } catch (e) {
      // An attribute Tessera cannot show (compound REFERENCE_LIST, ...) is left out; hidden ones silently.
      if (!HIDDEN.has(r.name)) note(`${o.path || ''}@${r.name}`, e);
    }
  }
  return out;
}

interface DatasetView {
  shape: number[];
  chunks: number[];
  dtype: string;
  type: Datatype;
  fill: number | string | null;
  filters: Record<string, unknown>[];
  chunkRefs(url: string): Iterable<[string, Reference]> | Promise<Iterable<[string, Reference]>>;
  /** Chunks found one at a time (a B-tree-indexed dataset, scanned with `lazyChunks`). */
  lazy?: (url: string) => LazyChunks;
}

async function describeDataset(file: Hdf5File, d: Obj, lazy: boolean): Promise<DatasetView> {
  const find = (t: number) => d.messages.find((m) => m.type === t);
  const unsupported = (feature: string) => new Hdf5Error('unsupported', `${d.path}: ${feature} is not supported`, { feature, path: d.path });
  const spaceMsg = find(MSG.dataspace);
  const typeMsg = find(MSG.datatype);
  const layoutMsg = find(MSG.layout);
  if (!spaceMsg || !typeMsg || !layoutMsg) throw new Hdf5Error('corrupt', `${d.path} lacks a dataspace, datatype or layout`, { path: d.path });
  if (typeMsg.flags & 0x02) throw unsupported('a shared (committed) datatype');
  const space = parseDataspace(file.cursor(spaceMsg.data));
  const type = parseDatatype(file.cursor(typeMsg.data));
  const dtype = zarrDtype(type);
  if (!dtype) throw unsupported(`the ${datatypeName(type).replace(/ datatype$/, '')} datatype`);
  if (space.shape === null) throw unsupported('a null dataspace');
  const shape = space.shape;
  const size = type.class === 'int' || type.class === 'float' || type.class === 'string' ? type.size : 0;
  const layout = parseLayout(file.cursor(layoutMsg.data), shape.length);
  if (find(MSG.externalFiles)) throw unsupported('external storage');
  const pipe = find(MSG.filters);
  const filters = pipe ? zarrFilters(parseFilters(file.cursor(pipe.data)), size, unsupported) : [];
  const fillMsg = find(MSG.fillValue) ?? find(MSG.fillValueOld);
  const fillBytes = fillMsg ? parseFillValue(file.cursor(fillMsg.data), fillMsg.type === MSG.fillValueOld) : undefined;
  const fill = fillBytes && (type.class === 'int' || type.class === 'float') ? fillText(type, fillBytes) : null;
  const abs = (a: number) => file.base + a;
  const total = shape.reduce((a, b) => a * b, 1) * size;

  if (layout.class === 'virtual') throw unsupported('a virtual dataset');
  if (layout.class === 'compact') {
    const data = layout.data.subarray(0, total);
    return { shape, chunks: shape, dtype, type, fill, filters, chunkRefs: () => [[shape.map(() => 0).join('.') || '0', `base64:${base64(data)}`]] };
  }
  if (layout.class === 'contiguous') {
    if (filters.length) throw unsupported('filters on contiguous data');
    const rowBytes = shape.slice(1).reduce((a, b) => a * b, size);
    let rows = shape[0] ?? 1;
    if (shape.length && total > CONTIGUOUS_CHUNK_BYTES && rowBytes > 0) {
      const want = Math.max(1, Math.floor(CONTIGUOUS_CHUNK_BYTES / rowBytes));
      // Zarr wants every chunk whole; cut at a divisor of the first dimension only.
      let best = shape[0]!;
      for (let r = want; r >= Math.max(1, Math.floor(want / 16)); r--) if (shape[0]! % r === 0) { best = r; break; }
      rows = best;
    }
    const chunks = shape.length ? [rows, ...shape.slice(1)] : [];
    const address = layout.address;
    return {
      shape, chunks, dtype, type, fill, filters,
      *chunkRefs(url) {
        if (address === undefined || total === 0) return;
        if (!shape.length) return yield ['0', [url, abs(address), size]];
        for (let i = 0; i * rows < shape[0]!; i++) yield [[i, ...shape.slice(1).map(() => 0)].join('.'), [url, abs(address + i * rows * rowBytes), rows * rowBytes]];
      },
    };
  }
  const chunks = layout.chunks;
  if (chunks.length !== shape.length || chunks.some((c) => c <= 0)) throw new Hdf5Error('corrupt', `${d.path}: chunk shape ${JSON.stringify(chunks)} does not fit shape ${JSON.stringify(shape)}`, { path: d.path });
  const finder = chunkFinder(file, layout.index, { shape, maxShape: space.maxShape, chunks, elementSize: size, filtered: filters.length > 0 });
  const grid = shape.map((s, i) => Math.ceil(s / chunks[i]!));
  const skippedFilters = () => unsupported('chunks stored with some filters skipped');
  const refsOf = async (url: string): Promise<[string, Reference][]> => {
    // Listed once (the finder keeps the list): the eager scan lists it below before returning.
    const located: ChunkLocation[] = await finder.all();
    if (located.some((c) => c.filterMask !== 0)) throw skippedFilters();
    // Chunks beyond the current shape (a shrunk dataset) are left out.
    return located.filter((c) => !c.coords.some((x, i) => x >= grid[i]!)).map((c) => [c.coords.join('.') || '0', [url, abs(c.address), c.size]]);
  };
  const view: DatasetView = { shape, chunks, dtype, type, fill, filters, chunkRefs: refsOf };
  if (!lazy || layout.index.type !== 'btree1') {
    // Listed now, so a variable whose index cannot be read is left out at once, with the reason.
    const listed = await finder.all();
    if (listed.some((c) => c.filterMask !== 0)) throw skippedFilters();
    return view;
  }
  view.lazy = (url) => ({
    async get(key) {
      const coords = key.split('.').map(Number);
      if (coords.length !== shape.length || coords.some((x, i) => !Number.isInteger(x) || x < 0 || x >= grid[i]!)) return undefined;
      const c = await finder.find(coords);
      if (!c) return undefined;
      if (c.filterMask !== 0) throw skippedFilters();
      return [url, abs(c.address), c.size];
    },
    all: async () => Object.fromEntries(await refsOf(url)),
  });
  return view;
}

/** HDF5 filters (in pipeline order) as numcodecs configurations, as kerchunk maps them. */
function zarrFilters(filters: Filter[], elementSize: number, unsupported: (f: string) => Error): Record<string, unknown>[] {
  return filters.map((f) => {
    switch (f.id) {
      case 1:
        return { id: 'zlib', level: f.values[0] ?? 6 };
      case 2:
        return { id: 'shuffle', elementsize: f.values[0] ?? elementSize };
      case 3:
        return { id: 'fletcher32' };
      case 32015:
        return { id: 'zstd', level: f.values[0] ?? 1 };
      case 32001: {
        const cnames = ['blosclz', 'lz4', 'lz4hc', 'snappy', 'zlib', 'zstd'];
        return { id: 'blosc', cname: cnames[f.values[6] ?? 0] ?? 'blosclz', clevel: f.values[4] ?? 5, shuffle: f.values[5] ?? 1, blocksize: 0 };
      }
      default: {
        const known: Record<number, string> = { 4: 'szip', 5: 'nbit', 6: 'scale-offset', 307: 'bzip2', 32004: 'lz4 (HDF5 framing)', 32008: 'bitshuffle' };
        throw unsupported(`the ${known[f.id] ?? (f.name || `id ${f.id}`)} filter`);
      }
    }
  });
}

const FILL = '@@tessera-fill@@';

/** A fill value as JSON text: 64-bit integers exactly (as digits), floats with NaN/Infinity spelled as Zarr v2 does. */
function fillText(type: Datatype, bytes: Uint8Array): number | string {
  if (type.class === 'int' && type.size === 8 && bytes.length >= 8) {
    const v = new DataView(bytes.buffer, bytes.byteOffset, 8);
    const n = type.signed ? v.getBigInt64(0, !type.bigEndian) : v.getBigUint64(0, !type.bigEndian);
    return n.toString();
  }
  return jsonNumber(decodeNumbers(type, bytes, 1)[0]!);
}

function jsonNumber(n: number): number | string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  return n;
}

function jsonFill(v: AttrValue | undefined, type: Datatype): number | string | null {
  const n = Array.isArray(v) ? v[0] : v;
  if (typeof n === 'number' && (type.class === 'int' || type.class === 'float')) return jsonNumber(n);
  return null;
}

function base64(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(s);
}
