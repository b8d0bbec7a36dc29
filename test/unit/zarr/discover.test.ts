import { describe, expect, it } from 'vitest';
import { discover } from '../../../src/lib/zarr/discover';
import { datasetInfo } from '../../../src/lib/zarr/dataset';
import { ZarrError } from '../../../src/lib/zarr/errors';
import { MemorySource, v2Array } from './memory-source';

function xarrayLike(src: MemorySource): MemorySource {
  src.json('.zgroup', { zarr_format: 2 }).json('.zattrs', { title: 'test' });
  v2Array(src, 'time', { shape: [3], chunks: [3], dtype: '<i8', dims: ['time'], attrs: { units: 'days since 2000-01-01', calendar: 'proleptic_gregorian' } });
  v2Array(src, 'lat', { shape: [2], chunks: [2], dtype: '<f4', dims: ['lat'] });
  v2Array(src, 'lon', { shape: [4], chunks: [4], dtype: '<f4', dims: ['lon'] });
  v2Array(src, 'tas', { shape: [3, 2, 4], chunks: [1, 2, 2], dtype: '<f4', dims: ['time', 'lat', 'lon'], fill: 'NaN', attrs: { units: 'K', long_name: 'Air temperature' } });
  return src;
}

function consolidate(src: MemorySource, drop: string[] = []): void {
  const metadata: Record<string, unknown> = {};
  for (const [k, v] of src.files) if (/(^|\/)\.z(array|attrs|group)$/.test(k) && !drop.some((d) => k.startsWith(d))) metadata[k] = JSON.parse(new TextDecoder().decode(v));
  src.json('.zmetadata', { zarr_consolidated_format: 1, metadata });
}

describe('discovery', () => {
  it('uses consolidated metadata with one read', async () => {
    const src = xarrayLike(new MemorySource());
    consolidate(src);
    src.reads.length = 0;
    const h = await discover(src);
    expect(h.method).toBe('consolidated-v2');
    expect(src.reads.sort()).toEqual(['.zmetadata', 'zarr.json']);
    const info = datasetInfo(h, src.label);
    expect(new Set(info.dims.map((d) => `${d.name}=${d.size}:${d.coord}`))).toEqual(new Set(['time=3:time', 'lat=2:lat', 'lon=4:lon']));
    expect(info.coords.map((c) => c.name)).toEqual(['lat', 'lon', 'time']);
    expect(info.dataVars.map((v) => v.name)).toEqual(['tas']);
    const tas = info.dataVars[0]!;
    expect(tas.dims).toEqual(['time', 'lat', 'lon']);
    expect(tas.labels).toEqual({ longName: 'Air temperature', units: 'K' });
    expect(tas.objectCount).toBe(3 * 1 * 2);
    expect(info.coords.find((c) => c.name === 'time')!.time?.calendar).toBe('proleptic_gregorian');
    expect(info.attrs).toEqual({ title: 'test' });
  });

  it('discovers by listing when there is no consolidated metadata', async () => {
    const src = xarrayLike(new MemorySource());
    const h = await discover(src);
    expect(h.method).toBe('listing');
    expect([...h.nodes.keys()].sort()).toEqual(['', 'lat', 'lon', 'tas', 'time']);
  });

  it('discovers by known names on an unlistable public bucket that answers 403 for missing keys', async () => {
    const src = xarrayLike(new MemorySource({ anonymous: true, listable: false }));
    src.missingIs403 = true;
    const h = await discover(src, { extraNames: ['tas'] });
    expect(h.method).toBe('known-keys');
    expect([...h.nodes.keys()].sort()).toEqual(['', 'lat', 'lon', 'tas', 'time']);
    expect(h.warnings.join(' ')).toMatch(/cannot be listed/);
  });

  it('flags stale consolidated metadata', async () => {
    const src = xarrayLike(new MemorySource());
    consolidate(src, ['lon/']);
    const h = await discover(src);
    const { checkConsolidated } = await import('../../../src/lib/zarr/discover');
    expect(await checkConsolidated(src, h)).toEqual({ unlisted: ['lon'], changed: [] });
  });

  it('reports a store that is not Zarr, and access denied, in plain words', async () => {
    await expect(discover(new MemorySource())).rejects.toThrow(/No Zarr metadata/);
    const denied = new MemorySource({ anonymous: true, listable: false });
    denied.missingIs403 = true;
    await expect(discover(denied)).rejects.toMatchObject({ kind: 'access-denied' });
  });

  it('keeps going when one array has malformed metadata', async () => {
    const src = xarrayLike(new MemorySource());
    src.files.set('lon/.zarray', new TextEncoder().encode('{"zarr_format": 2, "shape": [4'));
    const h = await discover(src);
    expect(h.problems).toEqual([{ path: 'lon', message: expect.stringMatching(/lon\/\.zarray is not valid JSON/) }]);
    expect(h.nodes.has('tas')).toBe(true);
  });

  it('falls back to discovery when .zmetadata is malformed', async () => {
    const src = xarrayLike(new MemorySource());
    src.json('.zmetadata', { hello: 1 });
    const h = await discover(src);
    expect(h.method).toBe('listing');
    expect(h.warnings[0]).toMatch(/\.zmetadata is not valid consolidated metadata/);
  });

  it('names dimensions of arrays written without them', async () => {
    const src = new MemorySource().json('.zgroup', { zarr_format: 2 });
    v2Array(src, 'raw', { shape: [2, 3], chunks: [2, 3], dtype: '|u1' });
    const info = datasetInfo(await discover(src), src.label);
    expect(info.dataVars[0]!.dims).toEqual(['raw_dim_0', 'raw_dim_1']);
    expect(info.dataVars[0]!.namedDims).toBe(false);
  });

  it('is a ZarrError with a kind for the UI', async () => {
    const e = await discover(new MemorySource()).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ZarrError);
    expect((e as ZarrError).kind).toBe('not-zarr');
  });
});
