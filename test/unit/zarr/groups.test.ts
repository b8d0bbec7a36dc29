/**
 * Nested groups (xarray's `to_zarr(store, group="a/b")`, DataTree-style
 * trees): each group opens as its own dataset, from consolidated metadata
 * (v2 and v3), by listing, and by known names on an unlistable store; the
 * route carries the group path.
 */
import { describe, expect, it } from 'vitest';
import { ZarrDataset } from '../../../src/lib/zarr/open';
import { parseHash, routeToHash, type Route } from '../../../src/state/router.svelte';
import { pythonSnippet } from '../../../src/lib/zarr/python';
import { le, MemorySource, v2Array } from './memory-source';

/** Root dataset, group `a` (one array) and group `a/b` (tas over time x lat with a lat coordinate). */
function tree(src: MemorySource): MemorySource {
  src.json('.zgroup', { zarr_format: 2 }).json('.zattrs', { title: 'root' });
  v2Array(src, 'orog', { shape: [2], chunks: [2], dtype: '<f4', dims: ['lat'] });
  src.json('a/.zgroup', { zarr_format: 2 }).json('a/.zattrs', { title: 'group a' });
  v2Array(src, 'a/depth', { shape: [5], chunks: [5], dtype: '<f8', dims: ['depth'] });
  src.json('a/b/.zgroup', { zarr_format: 2 }).json('a/b/.zattrs', { title: 'group a/b' });
  v2Array(src, 'a/b/lat', { shape: [3], chunks: [3], dtype: '<f8', dims: ['lat'] });
  v2Array(src, 'a/b/tas', { shape: [2, 3], chunks: [1, 3], dtype: '<f4', dims: ['time', 'lat'], attrs: { units: 'K' } });
  src.files.set('a/b/lat/0', le(new Float64Array([10, 20, 30])));
  src.files.set('a/b/tas/0.0', le(new Float32Array([1, 2, 3])));
  src.files.set('a/b/tas/1.0', le(new Float32Array([4, 5, 6])));
  return src;
}

function consolidate(src: MemorySource): MemorySource {
  const metadata: Record<string, unknown> = {};
  for (const [k, v] of src.files) if (/(^|\/)\.z(array|attrs|group)$/.test(k)) metadata[k] = JSON.parse(new TextDecoder().decode(v));
  return src.json('.zmetadata', { zarr_consolidated_format: 1, metadata });
}

async function expectGroupAB(ds: ZarrDataset): Promise<void> {
  expect(ds.info.group).toBe('a/b');
  expect(ds.info.attrs).toEqual({ title: 'group a/b' });
  expect(ds.info.dataVars.map((v) => [v.name, v.path])).toEqual([['tas', 'a/b/tas']]);
  expect(ds.info.coords.map((v) => v.name)).toEqual(['lat']);
  expect(new Set(ds.info.dims.map((d) => `${d.name}=${d.size}:${d.coord ?? '-'}`))).toEqual(new Set(['time=2:-', 'lat=3:lat']));
  expect(ds.coord('lat')?.values).toEqual([10, 20, 30]);
  const r = await ds.read('tas', { index: [1, 0], free: [1] });
  expect(Array.from(r.values)).toEqual([4, 5, 6]);
}

describe('nested groups', () => {
  it('open from consolidated v2 metadata; each level lists its child groups', async () => {
    const src = consolidate(tree(new MemorySource()));
    const root = await ZarrDataset.open(src);
    expect(root.info.groups).toEqual(['a']);
    expect(root.info.dataVars.map((v) => v.name)).toEqual(['orog']);
    const a = await ZarrDataset.open(src, { group: 'a' });
    expect(a.info.groups).toEqual(['a/b']);
    expect(a.info.coords.map((v) => v.name)).toEqual(['depth']);
    src.reads.length = 0;
    await expectGroupAB(await ZarrDataset.open(src, { group: '/a/b/' }));
    expect(src.reads).not.toContain('a/b/.zgroup');
  });

  it('open by listing when there is no consolidated metadata', async () => {
    const src = tree(new MemorySource());
    const ds = await ZarrDataset.open(src, { group: 'a/b' });
    expect(ds.hierarchy.method).toBe('listing');
    await expectGroupAB(ds);
  });

  it('open by known names on an unlistable public bucket (403 for missing keys), the group named by the link', async () => {
    const src = tree(new MemorySource({ anonymous: true, listable: false }));
    src.missingIs403 = true;
    const ds = await ZarrDataset.open(src, { group: 'a/b', extraNames: ['tas'] });
    expect(ds.hierarchy.method).toBe('known-keys');
    await expectGroupAB(ds);
    // The parents were read on the way (for breadcrumbs and attributes).
    expect(ds.hierarchy.nodes.get('a')?.kind).toBe('group');
    await expect(ZarrDataset.open(src, { group: 'a/nope' })).rejects.toThrow(/no group "a\/nope".*cannot be listed/);
  });

  it('open from consolidated v3 metadata', async () => {
    const src = new MemorySource();
    const arr = (shape: number[], dims: string[], dtype = 'float32') => ({
      zarr_format: 3, node_type: 'array', shape, data_type: dtype, dimension_names: dims, fill_value: 0, attributes: {},
      chunk_grid: { name: 'regular', configuration: { chunk_shape: shape[0] === 2 ? [1, 3] : shape } },
      chunk_key_encoding: { name: 'default', configuration: { separator: '/' } }, codecs: [{ name: 'bytes', configuration: { endian: 'little' } }],
    });
    src.json('zarr.json', {
      zarr_format: 3, node_type: 'group', attributes: { title: 'root' },
      consolidated_metadata: { kind: 'inline', must_understand: false, metadata: {
        a: { zarr_format: 3, node_type: 'group', attributes: {} },
        'a/b': { zarr_format: 3, node_type: 'group', attributes: { title: 'group a/b' } },
        'a/b/lat': arr([3], ['lat'], 'float64'),
        'a/b/tas': { ...arr([2, 3], ['time', 'lat']), attributes: { units: 'K' } },
      } },
    });
    src.files.set('a/b/lat/c/0', le(new Float64Array([10, 20, 30])));
    src.files.set('a/b/tas/c/0/0', le(new Float32Array([1, 2, 3])));
    src.files.set('a/b/tas/c/1/0', le(new Float32Array([4, 5, 6])));
    expect((await ZarrDataset.open(src)).info.groups).toEqual(['a']);
    await expectGroupAB(await ZarrDataset.open(src, { group: 'a/b' }));
  });

  it('say plainly when the path names no group, or an array', async () => {
    const src = consolidate(tree(new MemorySource()));
    await expect(ZarrDataset.open(src, { group: 'x/y' })).rejects.toThrow(/There is no group "x\/y"/);
    await expect(ZarrDataset.open(src, { group: 'a/b/tas' })).rejects.toThrow(/is an array, not a group/);
  });

  it('are named in the deep link and in the Python that reproduces the view', () => {
    const routes: Route[] = [
      { name: 'dataset', bucket: 'b', path: 'climate/tree.zarr', group: 'a/b' },
      { name: 'dataset', bucket: 'b', path: 'odd?name.zarr', group: 'a b/c?d%' },
      { name: 'dataset', bucket: 'b', path: 'climate/tree.zarr' },
    ];
    for (const r of routes) expect(parseHash(routeToHash(r))).toEqual(r);
    expect(routeToHash(routes[0]!)).toBe('#/dataset/b/climate/tree.zarr?group=a/b');
    const s = pythonSnippet({ kind: 'url', url: 'https://h/b/tree.zarr' }, null, [], [], undefined, 'a/b');
    expect(s).toContain('xr.open_zarr("https://h/b/tree.zarr", group="a/b")');
  });
});
