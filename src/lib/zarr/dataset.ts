/**
 * The xarray-like view of one group: dimensions with sizes, coordinates, data
 * variables and attributes, like `print(xr.open_zarr(store))`. Dimension names
 * come from `_ARRAY_DIMENSIONS` (v2, written by xarray) or `dimension_names`
 * (v3); arrays without them get `<name>_dim_<i>` names, which never clash.
 */
import { cfLabels, cfPacking, parseTimeUnits, type CfLabels, type CfPacking, type CfTimeUnits } from '../cf/index';
import { bytesPerElement, chunkGrid, type ArrayMeta, type ZarrFormat } from './metadata';
import type { DiscoveryMethod, Hierarchy } from './discover';

/** The array's own metadata, as read (see `ArrayMeta`), plus what the dataset view derives. */
export interface VariableInfo
  extends Pick<ArrayMeta, 'shape' | 'chunkShape' | 'objectShape' | 'sharded' | 'dtype' | 'rawDtype' | 'bigEndian' | 'codecs' | 'fillValue'> {
  name: string;
  /** Path of the array in the store. */
  path: string;
  dims: string[];
  /** Whether the dimension names were written in the store. */
  namedDims: boolean;
  /** Codecs Tessera cannot decode (the variable cannot be drawn). */
  unsupportedCodecs: string[];
  attrs: Record<string, unknown>;
  labels: CfLabels;
  packing: CfPacking;
  /** Set when the variable holds CF times. */
  time?: CfTimeUnits;
  isCoord: boolean;
  /** Number of stored objects (chunks or shards). */
  objectCount: number;
  /** Bytes of one decoded chunk. */
  chunkBytes: number;
  /** Bytes of the whole decoded variable. */
  totalBytes: number;
  zarrFormat: ZarrFormat;
}

export interface DimInfo {
  name: string;
  size: number;
  /** Name of the 1-D coordinate variable for this dimension, if any. */
  coord?: string;
}

export interface DatasetInfo {
  /** Where the store lives (for display). */
  label: string;
  zarrFormat: ZarrFormat;
  method: DiscoveryMethod;
  group: string;
  /** Sub-groups of the shown group. */
  groups: string[];
  dims: DimInfo[];
  coords: VariableInfo[];
  dataVars: VariableInfo[];
  attrs: Record<string, unknown>;
  warnings: string[];
  problems: { path: string; message: string }[];
  /** Several files opened as one: in the order combined along `dim`, with each file's length along it. */
  combined?: { dim: string; files: string[]; lengths: number[] };
}

function variable(name: string, path: string, meta: ArrayMeta, attrs: Record<string, unknown>): VariableInfo {
  const dims = meta.dimensionNames ?? meta.shape.map((_, i) => `${name}_dim_${i}`);
  const units = attrs.units;
  // xarray uses the Zarr v2 fill_value as _FillValue (in v3 it writes the attribute
  // itself). Arrays without dimension names were not written by xarray: for them
  // the fill value only means "chunk never written", as in zarr-python.
  const packing = cfPacking(attrs, meta.zarrFormat === 2 && meta.dimensionNames ? meta.fillValue : undefined);
  const time = typeof units === 'string' ? parseTimeUnits(units, attrs.calendar) : null;
  const chunkBytes = meta.chunkShape.reduce((a, b) => a * b, 1) * bytesPerElement(meta.dtype);
  const v: VariableInfo = {
    name, path, dims, namedDims: !!meta.dimensionNames, shape: meta.shape, chunkShape: meta.chunkShape, objectShape: meta.objectShape,
    sharded: meta.sharded, dtype: meta.dtype, rawDtype: meta.rawDtype, bigEndian: meta.bigEndian, codecs: meta.codecs,
    unsupportedCodecs: meta.codecs.filter((c) => !c.supported).map((c) => c.name.replace(/^numcodecs\./, '')),
    fillValue: meta.fillValue, attrs, labels: cfLabels(attrs), packing, isCoord: false,
    objectCount: chunkGrid(meta.shape, meta.objectShape).reduce((a, b) => a * b, 1),
    chunkBytes, totalBytes: meta.shape.reduce((a, b) => a * b, 1) * bytesPerElement(meta.dtype), zarrFormat: meta.zarrFormat,
  };
  if (time) v.time = time;
  return v;
}

/** Build the dataset view of `group` ("" for the root) from a discovered hierarchy. */
export function datasetInfo(h: Hierarchy, label: string, group = ''): DatasetInfo {
  const root = h.nodes.get(group);
  const vars: VariableInfo[] = [];
  const groups: string[] = [];
  const prefix = group ? `${group}/` : '';
  if (root?.kind === 'array' && root.array) {
    // The URL points at a single array: show it as a one-variable dataset.
    const name = label.split('/').filter(Boolean).pop() ?? 'data';
    vars.push(variable(name, root.path, root.array, root.attrs));
  }
  for (const node of h.nodes.values()) {
    if (!node.path.startsWith(prefix) || node.path === group) continue;
    const rest = node.path.slice(prefix.length);
    if (rest.includes('/')) continue;
    if (node.kind === 'group') groups.push(node.path);
    else if (node.array) vars.push(variable(rest, node.path, node.array, node.attrs));
  }
  vars.sort((a, b) => a.name.localeCompare(b.name));
  const warnings = [...h.warnings];
  const sizes = new Map<string, number>();
  for (const v of vars) {
    v.dims.forEach((d, i) => {
      const s = v.shape[i]!;
      const known = sizes.get(d);
      if (known === undefined) sizes.set(d, s);
      else if (known !== s) warnings.push(`Dimension "${d}" has size ${known} in one variable and ${s} in "${v.name}"; xarray would refuse this dataset.`);
    });
  }
  // A coordinate variable is a 1-D array named like its dimension (CF, xarray);
  // arrays named in a `coordinates` attribute are coordinates too.
  const named = new Set<string>();
  for (const v of vars) {
    const c = v.attrs.coordinates;
    if (typeof c === 'string') for (const n of c.split(/\s+/)) named.add(n);
  }
  const rootAttrs = root?.attrs ?? {};
  if (typeof rootAttrs.coordinates === 'string') for (const n of rootAttrs.coordinates.split(/\s+/)) named.add(n);
  for (const v of vars) v.isCoord = (v.dims.length === 1 && v.dims[0] === v.name) || named.has(v.name);
  const dims: DimInfo[] = [...sizes].map(([name, size]) => {
    const d: DimInfo = { name, size };
    if (vars.some((v) => v.name === name && v.dims.length === 1 && v.dims[0] === name)) d.coord = name;
    return d;
  });
  const problems = h.problems.filter((p) => p.path.startsWith(prefix));
  for (const v of vars) {
    if (v.unsupportedCodecs.length) warnings.push(`"${v.name}" uses the codec ${v.unsupportedCodecs.map((c) => `"${c}"`).join(', ')}, which Tessera cannot decode; its metadata is shown but not its values.`);
  }
  return {
    label,
    zarrFormat: root?.zarrFormat ?? 2,
    method: h.method,
    group,
    groups: groups.sort(),
    dims,
    coords: vars.filter((v) => v.isCoord),
    dataVars: vars.filter((v) => !v.isCoord),
    attrs: root?.kind === 'group' ? rootAttrs : {},
    warnings,
    problems,
  };
}

/** All variables of a dataset, coordinates first. */
export function allVariables(info: DatasetInfo): VariableInfo[] {
  return [...info.coords, ...info.dataVars];
}
