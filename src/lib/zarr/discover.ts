/**
 * Find the nodes of a store. In order of cost:
 * 1. consolidated metadata (v3 `consolidated_metadata` in the root
 *    `zarr.json`, v2 `.zmetadata`): one request for everything;
 * 2. listing, level by level (needs a store that allows it);
 * 3. known keys: the root metadata, then arrays named after common
 *    coordinates, the dimensions found so far, CF `coordinates` attributes and
 *    names the user gives. This is the only way into public buckets that
 *    refuse listing and lack consolidated metadata.
 */
import { ZarrError } from './errors';
import { parseJson, parseV2Array, parseV3Array, type NodeMeta } from './metadata';
import type { KeySource } from './source';

export type DiscoveryMethod = 'consolidated-v3' | 'consolidated-v2' | 'listing' | 'known-keys';

export interface Hierarchy {
  nodes: Map<string, NodeMeta>;
  method: DiscoveryMethod;
  /** True when the store answered a listing, false when it refused, undefined when not tried. */
  listable: boolean | undefined;
  warnings: string[];
  /** Nodes that exist but could not be read (malformed metadata...). */
  problems: { path: string; message: string }[];
}

const COMMON_NAMES = [
  'time', 'lat', 'lon', 'latitude', 'longitude', 'x', 'y', 'z', 'level', 'lev', 'plev', 'depth', 'height', 'bnds', 'nv',
  'time_bnds', 'lat_bnds', 'lon_bnds', 'band', 'member', 'ensemble', 'realization', 'grid_latitude', 'grid_longitude', 'rlat', 'rlon',
];

/** Read a key; on an anonymous store a 403 means "missing" for probes. */
async function probe(source: KeySource, key: string, denied: Set<string>, signal?: AbortSignal): Promise<Uint8Array | undefined> {
  try {
    return await source.get(key, undefined, signal);
  } catch (e) {
    if (e instanceof ZarrError && e.kind === 'access-denied') {
      denied.add(key);
      return undefined;
    }
    throw e;
  }
}

const join = (prefix: string, name: string) => (prefix ? `${prefix}/${name}` : name);
const keyOf = (path: string, file: string) => (path ? `${path}/${file}` : file);

/** Read the metadata of one node at `path` (any format), or undefined if there is none. */
export async function readNode(source: KeySource, path: string, denied: Set<string>, signal?: AbortSignal, prefer?: 2 | 3): Promise<NodeMeta | undefined> {
  const get = (f: string) => probe(source, keyOf(path, f), denied, signal);
  const [v3, zarray, zgroup, zattrs] = await Promise.all(
    prefer === 2 ? [undefined, get('.zarray'), get('.zgroup'), get('.zattrs')] : prefer === 3 ? [get('zarr.json')] : [get('zarr.json'), get('.zarray'), get('.zgroup'), get('.zattrs')],
  );
  if (v3) return nodeFromV3(path, parseJson(v3, keyOf(path, 'zarr.json')));
  const attrs = zattrs ? parseJson(zattrs, keyOf(path, '.zattrs')) : {};
  if (zarray) {
    const raw = parseJson(zarray, keyOf(path, '.zarray'));
    return { path, kind: 'array', zarrFormat: 2, attrs, array: parseV2Array(raw, keyOf(path, '.zarray'), attrs), raw };
  }
  if (zgroup) return { path, kind: 'group', zarrFormat: 2, attrs, raw: parseJson(zgroup, keyOf(path, '.zgroup')) };
  return undefined;
}

function nodeFromV3(path: string, doc: Record<string, unknown>): NodeMeta {
  const key = keyOf(path, 'zarr.json');
  const attrs = (typeof doc.attributes === 'object' && doc.attributes !== null ? doc.attributes : {}) as Record<string, unknown>;
  if (doc.node_type === 'array') return { path, kind: 'array', zarrFormat: 3, attrs, array: parseV3Array(doc, key), raw: doc };
  if (doc.node_type === 'group') return { path, kind: 'group', zarrFormat: 3, attrs, raw: doc };
  throw new ZarrError('malformed-metadata', `${key} is not valid Zarr metadata: "node_type" should be "array" or "group".`, { path: key });
}

/**
 * A node path as consolidated metadata or a listing may write it, or
 * undefined when it is not one: empty, `.` or `..` segments (which would
 * point back up the tree, or at the node itself) and control characters.
 */
export function nodePath(raw: string): string | undefined {
  const path = raw.replace(/^\/+|\/+$/g, '');
  if (path === '') return '';
  const parts = path.split('/');
  // eslint-disable-next-line no-control-regex -- control characters are what this refuses
  if (parts.length > MAX_DEPTH || parts.some((p) => p === '' || p === '.' || p === '..' || /[\u0000-\u001f]/.test(p))) return undefined;
  return path;
}

/** Groups nested deeper than this are not real data but a tree that points at itself. */
export const MAX_DEPTH = 16;

/** Add a node, or record why it could not be read, so one bad array never hides the others. */
function addNode(h: Hierarchy, path: string, make: () => NodeMeta): void {
  try {
    h.nodes.set(path, make());
  } catch (e) {
    if (!(e instanceof ZarrError)) throw e;
    h.problems.push({ path, message: e.message });
  }
}

function fromConsolidatedV2(doc: Record<string, unknown>): Hierarchy {
  const h: Hierarchy = { nodes: new Map(), method: 'consolidated-v2', listable: undefined, warnings: [], problems: [] };
  const meta = doc.metadata as Record<string, Record<string, unknown>>;
  const paths = new Set<string>();
  for (const k of Object.keys(meta)) {
    const m = /^(?:(.*)\/)?(\.zarray|\.zgroup|\.zattrs)$/.exec(k);
    if (!m) continue;
    const path = nodePath(m[1] ?? '');
    if (path === undefined) h.problems.push({ path: k, message: `The consolidated metadata names "${k}", which is not a path inside the store; it is left out.` });
    else if (path === (m[1] ?? '')) paths.add(path);
  }
  for (const path of paths) {
    const attrs = (meta[keyOf(path, '.zattrs')] ?? {}) as Record<string, unknown>;
    const zarray = meta[keyOf(path, '.zarray')];
    const zgroup = meta[keyOf(path, '.zgroup')];
    const objectOrNothing = (v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);
    const safeAttrs = objectOrNothing(attrs) ?? {};
    if (zarray) addNode(h, path, () => {
      const doc = objectOrNothing(zarray);
      if (!doc) throw new ZarrError('malformed-metadata', `${keyOf(path, '.zarray')} (in .zmetadata) should hold a JSON object.`, { path });
      return { path, kind: 'array', zarrFormat: 2, attrs: safeAttrs, array: parseV2Array(doc, `${keyOf(path, '.zarray')} (in .zmetadata)`, safeAttrs), raw: doc };
    });
    else if (zgroup) h.nodes.set(path, { path, kind: 'group', zarrFormat: 2, attrs: safeAttrs, raw: objectOrNothing(zgroup) ?? {} });
  }
  if (!h.nodes.has('')) h.nodes.set('', { path: '', kind: 'group', zarrFormat: 2, attrs: {}, raw: { zarr_format: 2 } });
  return h;
}

function fromConsolidatedV3(root: Record<string, unknown>): Hierarchy {
  const h: Hierarchy = { nodes: new Map(), method: 'consolidated-v3', listable: undefined, warnings: [], problems: [] };
  h.nodes.set('', nodeFromV3('', root));
  const meta = (root.consolidated_metadata as { metadata: Record<string, Record<string, unknown>> }).metadata;
  for (const [p, doc] of Object.entries(meta)) {
    const path = nodePath(p);
    if (path === undefined || path === '') {
      h.problems.push({ path: p, message: `The consolidated metadata names "${p}", which is not a node below the root; it is left out.` });
      continue;
    }
    addNode(h, path, () => {
      if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new ZarrError('malformed-metadata', `${keyOf(path, 'zarr.json')} (in the consolidated metadata) should hold a JSON object.`, { path });
      return nodeFromV3(path, doc);
    });
  }
  return h;
}

export interface DiscoverOptions {
  /** Array names to try when the store can be neither listed nor read from consolidated metadata. */
  extraNames?: string[];
  signal?: AbortSignal;
  /** Largest number of groups to walk while listing (a guard against huge trees). */
  maxGroups?: number;
  /** The group to be shown ("a/b"); without listing it is the only place searched by known names. */
  group?: string;
}

/** Discover the hierarchy of the store behind `source`. */
export async function discover(source: KeySource, options: DiscoverOptions = {}): Promise<Hierarchy> {
  const { signal } = options;
  const denied = new Set<string>();
  const [v3, zmeta] = await Promise.all([probe(source, 'zarr.json', denied, signal), probe(source, '.zmetadata', denied, signal)]);
  const warnings: string[] = [];
  if (v3) {
    const root = parseJson(v3, 'zarr.json');
    const cm = root.consolidated_metadata as { metadata?: unknown } | null | undefined;
    if (root.node_type === 'group' && cm && typeof cm.metadata === 'object' && cm.metadata !== null) return fromConsolidatedV3(root);
  }
  if (zmeta && !v3) {
    try {
      const doc = parseJson(zmeta, '.zmetadata');
      if (doc.zarr_consolidated_format !== 1 || typeof doc.metadata !== 'object' || doc.metadata === null) {
        throw new ZarrError('malformed-metadata', '.zmetadata is not valid consolidated metadata (expected "zarr_consolidated_format": 1 and "metadata").', { path: '.zmetadata' });
      }
      return fromConsolidatedV2(doc);
    } catch (e) {
      if (!(e instanceof ZarrError)) throw e;
      warnings.push(`${e.message} Reading the store without it.`);
    }
  }
  const h: Hierarchy = { nodes: new Map(), method: 'listing', listable: undefined, warnings, problems: [] };
  // An unreadable root fails the open: nothing below it can be trusted.
  const root = v3 ? nodeFromV3('', parseJson(v3, 'zarr.json')) : await readNode(source, '', denied, signal, 2);
  if (!root) {
    if (denied.size) throw new ZarrError('access-denied', `Access denied reading ${source.label}: the store does not exist, is not public, or these keys may not read it.`, { path: '' });
    throw new ZarrError('not-zarr', `No Zarr metadata at ${source.label} (looked for zarr.json, .zmetadata, .zgroup and .zarray). Is this the folder of a Zarr store?`, { path: '' });
  }
  h.nodes.set('', root);
  if (root.kind === 'array') return h;
  if (source.list) {
    try {
      await walkByListing(source, h, root.zarrFormat, denied, options);
      h.listable = true;
      return h;
    } catch (e) {
      if (e instanceof ZarrError && e.kind === 'aborted') throw e;
      h.listable = false;
    }
  }
  h.method = 'known-keys';
  const group = (options.group ?? '').replace(/^\/+|\/+$/g, '');
  // Without a listing, child groups cannot be found; a group named by the user
  // (deep link) is read along its path, then searched like the root.
  if (group) await readGroupPath(source, h, root.zarrFormat, group, denied, signal);
  if (!group || h.nodes.get(group)?.kind === 'group') await walkByKnownKeys(source, h, root.zarrFormat, denied, options, group);
  return h;
}

/** Read the groups on the way to `group` (`a`, `a/b`...), so the view has its parents and attributes. */
async function readGroupPath(source: KeySource, h: Hierarchy, format: 2 | 3, group: string, denied: Set<string>, signal?: AbortSignal): Promise<void> {
  const parts = group.split('/');
  const paths = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  const nodes = await Promise.all(paths.map((p) => readNode(source, p, denied, signal, format).catch((e: unknown) => {
    if (!(e instanceof ZarrError) || e.kind === 'aborted') throw e;
    h.problems.push({ path: p, message: e.message });
    return undefined;
  })));
  for (const n of nodes) if (n) h.nodes.set(n.path, n);
}

async function walkByListing(source: KeySource, h: Hierarchy, format: 2 | 3, denied: Set<string>, options: DiscoverOptions): Promise<void> {
  const queue = [''];
  let groups = 0;
  const maxGroups = options.maxGroups ?? 200;
  while (queue.length && groups++ < maxGroups) {
    const path = queue.shift()!;
    const here = path ? `${path}/` : '';
    const level = await source.list!(here, 10);
    // Only prefixes one level below this one: a store that lists a folder
    // inside itself (or anywhere else) would otherwise lead the walk in circles.
    const children = [...new Set(level.prefixes
      .filter((p) => p.startsWith(here) && p.endsWith('/'))
      .map((p) => p.slice(here.length, -1)))]
      .filter((n) => n && nodePath(n) === n && !n.includes('/') && !(format === 3 && n === 'c' && h.nodes.get(path)?.kind === 'array'))
      .filter((n) => !h.nodes.has(join(path, n)));
    if (children.length && path.split('/').length >= MAX_DEPTH) {
      h.warnings.push(`The store's groups nest more than ${MAX_DEPTH} levels deep (a folder that lists itself?); deeper ones are not shown.`);
      break;
    }
    const found = await Promise.all(
      children.map(async (name) => {
        const child = join(path, name);
        try {
          return await readNode(source, child, denied, options.signal, format);
        } catch (e) {
          if (!(e instanceof ZarrError) || e.kind === 'aborted') throw e;
          h.problems.push({ path: child, message: e.message });
          return undefined;
        }
      }),
    );
    for (const node of found) {
      if (!node) continue;
      h.nodes.set(node.path, node);
      if (node.kind === 'group') queue.push(node.path);
    }
  }
  if (queue.length) h.warnings.push(`The store has more than ${maxGroups} groups; only the first ones are shown.`);
}

function coordinateNames(node: NodeMeta): string[] {
  const out = [...(node.array?.dimensionNames ?? [])];
  const c = node.attrs.coordinates;
  if (typeof c === 'string') out.push(...c.split(/\s+/).filter(Boolean));
  const b = node.attrs.bounds;
  if (typeof b === 'string') out.push(b);
  return out;
}

/** Try well-known array names inside `base` (a group path, "" for the root). Names in a group are relative to it. */
async function walkByKnownKeys(source: KeySource, h: Hierarchy, format: 2 | 3, denied: Set<string>, options: DiscoverOptions, base = ''): Promise<void> {
  const tried = new Set<string>();
  let wave = [...new Set([...(options.extraNames ?? []), ...coordinateNames(h.nodes.get(base)!), ...COMMON_NAMES])];
  while (wave.length) {
    for (const n of wave) tried.add(n);
    const found = await Promise.all(
      wave.map(async (name) => {
        try {
          return await readNode(source, join(base, name), denied, options.signal, format);
        } catch (e) {
          if (!(e instanceof ZarrError) || e.kind === 'aborted') throw e;
          h.problems.push({ path: join(base, name), message: e.message });
          return undefined;
        }
      }),
    );
    const next = new Set<string>();
    for (const node of found) {
      if (!node || node.kind !== 'array') continue;
      h.nodes.set(node.path, node);
      for (const n of coordinateNames(node)) if (!tried.has(n)) next.add(n);
    }
    wave = [...next];
  }
  h.warnings.push(
    'This store has no consolidated metadata and cannot be listed, so Tessera found its arrays by trying well-known names. ' +
      'Data variables with other names are not shown: add their names to open them (or ask the owner to consolidate the metadata).',
  );
}

export interface StaleReport {
  /** Arrays or groups on the store that the consolidated metadata does not mention. */
  unlisted: string[];
  /** Arrays whose own metadata differs from the consolidated copy (e.g. grown by an append). */
  changed: { path: string; what: string }[];
}

/**
 * Compare consolidated metadata with the store (needs listing). Cheap enough
 * to run after the dataset is shown: one listing per group and one read per array.
 */
export async function checkConsolidated(source: KeySource, h: Hierarchy, signal?: AbortSignal): Promise<StaleReport | null> {
  if (!h.method.startsWith('consolidated') || !source.list) return null;
  const denied = new Set<string>();
  const fresh: Hierarchy = { nodes: new Map([['', h.nodes.get('')!]]), method: 'listing', listable: true, warnings: [], problems: [] };
  try {
    await walkByListing(source, fresh, h.nodes.get('')!.zarrFormat, denied, { signal });
  } catch (e) {
    if (e instanceof ZarrError && e.kind === 'aborted') throw e;
    return null;
  }
  const report: StaleReport = { unlisted: [], changed: [] };
  for (const [path, node] of fresh.nodes) {
    const known = h.nodes.get(path);
    if (!known) {
      report.unlisted.push(path);
      continue;
    }
    if (node.array && known.array) {
      const a = node.array;
      const b = known.array;
      if (a.shape.join() !== b.shape.join()) report.changed.push({ path, what: `shape is ${a.shape.join('×')} on the store, ${b.shape.join('×')} in the consolidated metadata` });
      else if (a.dtype !== b.dtype || a.chunkShape.join() !== b.chunkShape.join()) report.changed.push({ path, what: 'dtype or chunks differ from the consolidated metadata' });
    }
  }
  return report;
}
