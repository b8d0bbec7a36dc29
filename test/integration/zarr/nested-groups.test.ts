/**
 * Nested groups on the real RGW: trees written by xarray
 * (`to_zarr(store, group="a/b")`) with and without consolidated metadata, read
 * with keys and anonymously from a bucket that refuses listing, and a v3 tree
 * written by zarrita. Values of each group are checked against
 * `xr.open_zarr(store, group=...)` for the same selection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Source } from '../../../src/lib/zarr/s3-source';
import { UrlSource } from '../../../src/lib/zarr/url-source';
import { ZarrDataset } from '../../../src/lib/zarr/open';
import type { KeySource } from '../../../src/lib/zarr/source';
import { loadRgwEnv } from '../../helpers/rgw-env';
import { createBucket, destroyBucket, rgwService, uniqueBucket } from '../../helpers/s3';
import { makeReadableByAnyone, serviceAccess, uploadDir } from './fixtures';
import { makeNestedFixtures, v3NestedValue, V3_NESTED_SHAPE, writeV3Tree, type NestedCheck } from './nested-fixtures';

const bucket = uniqueBucket('zarr-groups');
const service = rgwService();
let checks: NestedCheck[] = [];
let cleanup = () => {};

beforeAll(async () => {
  const f = await makeNestedFixtures();
  checks = f.checks;
  cleanup = f.cleanup;
  await createBucket(bucket);
  await uploadDir(f.dir, bucket, 'data/');
  await writeV3Tree((key, body) => service.putObject({ bucket, key, body, md5: false }), 'data/tree-v3.zarr/');
  await makeReadableByAnyone(bucket);
}, 120_000);

afterAll(async () => {
  cleanup();
  await destroyBucket(bucket);
});

const privateStore = (name: string) => S3Source.create(serviceAccess(service), bucket, `data/${name}`);
const publicStore = (name: string) => new UrlSource(`${loadRgwEnv().endpoint}/${bucket}/data/${name}`);

/** Open every group the checks name and compare each selection with xarray. */
async function checkAgainstXarray(source: () => Promise<KeySource> | KeySource, store: string, extraNames: string[] = []): Promise<void> {
  const mine = checks.filter((c) => c.store === store);
  expect(new Set(mine.map((c) => c.group))).toEqual(new Set(['', 'a', 'a/b']));
  for (const c of mine) {
    const ds = await ZarrDataset.open(await source(), { group: c.group, extraNames });
    const r = await ds.read(c.var, { index: c.index, free: c.free });
    expect(r.failures, `${c.group}/${c.var}`).toEqual([]);
    expect(r.values.length).toBe(c.values.length);
    c.values.forEach((w, i) => {
      const g = r.values[i]!;
      if (w === null) expect(Number.isNaN(g), `${c.group}/${c.var}[${i}] should be NaN, got ${g}`).toBe(true);
      else expect(Math.abs(g - w), `${c.group}/${c.var}[${i}]: ${g} vs xarray ${w}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(w)));
    });
  }
}

describe('nested groups written by xarray (to_zarr with group=)', () => {
  it('open each group of a consolidated tree with keys; each level lists its children', async () => {
    const root = await ZarrDataset.open(await privateStore('nested.zarr'));
    expect(root.hierarchy.method).toBe('consolidated-v2');
    expect(root.info.groups).toEqual(['a']);
    expect(root.info.dataVars.map((v) => v.name)).toEqual(['orog']);
    const b = await ZarrDataset.open(await privateStore('nested.zarr'), { group: 'a/b' });
    expect(b.info.attrs.title).toBe('group a/b');
    expect(b.info.dataVars.map((v) => [v.name, v.path])).toEqual([['uas', 'a/b/uas']]);
    expect(b.info.coords.map((v) => v.name)).toEqual(['row']);
    expect(b.info.dims.map((d) => d.name).sort()).toEqual(['col', 'row', 'step']);
    expect(b.info.dataVars[0]!.packing).toMatchObject({ scale: 0.01, offset: 1.5 });
    expect((await ZarrDataset.open(await privateStore('nested.zarr'), { group: 'a' })).info.groups).toEqual(['a/b']);
    await checkAgainstXarray(() => privateStore('nested.zarr'), 'nested.zarr');
  });

  it('open each group of a tree without consolidated metadata, found by listing', async () => {
    const ds = await ZarrDataset.open(await privateStore('nested-plain.zarr'), { group: 'a' });
    expect(ds.hierarchy.method).toBe('listing');
    expect(ds.info.groups).toEqual(['a/b']);
    await checkAgainstXarray(() => privateStore('nested-plain.zarr'), 'nested-plain.zarr');
  });

  it('open a group by its path on a public bucket that refuses listing (known names)', async () => {
    const ds = await ZarrDataset.open(publicStore('nested-plain.zarr'), { group: 'a/b', extraNames: ['uas', 'orog', 'tas'] });
    expect(ds.hierarchy.method).toBe('known-keys');
    expect(ds.info.dataVars.map((v) => v.name)).toEqual(['uas']);
    await checkAgainstXarray(() => publicStore('nested-plain.zarr'), 'nested-plain.zarr', ['uas', 'orog', 'tas']);
    await expect(ZarrDataset.open(publicStore('nested-plain.zarr'), { group: 'a/zz' })).rejects.toThrow(/no group "a\/zz"/);
  });

  it('open the consolidated tree anonymously by URL', async () => {
    await checkAgainstXarray(() => publicStore('nested.zarr'), 'nested.zarr');
  });
});

describe('nested groups in Zarr v3 (zarrita)', () => {
  it('open a v3 group found by listing and read its values', async () => {
    const root = await ZarrDataset.open(await privateStore('tree-v3.zarr'));
    expect(root.info.zarrFormat).toBe(3);
    expect(root.info.groups).toEqual(['g']);
    const ds = await ZarrDataset.open(await privateStore('tree-v3.zarr'), { group: 'g/h' });
    expect(ds.info.attrs.title).toBe('group g/h');
    expect(ds.coord('y')?.values).toEqual([5, 6, 7, 8]);
    const [, ny, nx] = V3_NESTED_SHAPE;
    const r = await ds.read('wind', { index: [1, 0, 0], free: [1, 2] });
    const want = Array.from({ length: ny * nx }, (_, i) => v3NestedValue(1, Math.floor(i / nx), i % nx));
    expect(Array.from(r.values)).toEqual(want.map((w) => Math.fround(w)));
    // Anonymous, unlistable: the group named by the link is read by its zarr.json.
    const pub = await ZarrDataset.open(publicStore('tree-v3.zarr'), { group: 'g/h', extraNames: ['wind'] });
    expect(pub.info.dataVars.map((v) => v.name)).toEqual(['wind']);
  });
});
