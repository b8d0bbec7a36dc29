/**
 * Zarr stores written by xarray/zarr-python (and zarrita for v3), uploaded to
 * the real RGW, opened by Tessera through presigned URLs (with keys) or
 * anonymously by URL. Every value is checked against what xarray decodes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Source } from '../../../src/lib/zarr/s3-source';
import { UrlSource } from '../../../src/lib/zarr/url-source';
import { ZarrDataset } from '../../../src/lib/zarr/open';
import type { KeySource } from '../../../src/lib/zarr/source';
import { loadRgwEnv } from '../../helpers/rgw-env';
import { expectValues } from '../../helpers/values';
import { createBucket, destroyBucket, rgwService, uniqueBucket } from '../../helpers/s3';
import { makeFixtures, makeReadableByAnyone, serviceAccess, uploadDir, V3_SHAPE, v3Value, writeV3Store, type Expected } from './fixtures';

const bucket = uniqueBucket('zarr');
const service = rgwService();
let expected: Expected;
let cleanup = () => {};

beforeAll(async () => {
  const f = await makeFixtures();
  expected = f.expected;
  cleanup = f.cleanup;
  await createBucket(bucket);
  await uploadDir(f.dir, bucket, 'data/');
  await writeV3Store((key, body) => service.putObject({ bucket, key, body, md5: false }), 'data/v3.zarr/');
  await makeReadableByAnyone(bucket);
});

afterAll(async () => {
  cleanup();
  await destroyBucket(bucket);
});

const privateStore = (name: string) => S3Source.create(serviceAccess(service), bucket, `data/${name}`);
const publicStore = (name: string) => new UrlSource(`${loadRgwEnv().endpoint}/${bucket}/data/${name}`);

async function checkAll(ds: ZarrDataset, store: string): Promise<void> {
  const checks = expected.checks.filter((c) => c.store === store);
  expect(checks.length).toBeGreaterThan(0);
  for (const c of checks) {
    const r = await ds.read(c.var, { index: c.index, free: c.free });
    expect(r.failures, `${store}/${c.var}`).toEqual([]);
    expectValues(r.values, c.values, `${store}/${c.var} ${JSON.stringify(c.index)}`);
  }
}

describe('Zarr v2 written by xarray, read with keys through presigned URLs', () => {
  it('opens consolidated CF data like xr.open_zarr and decodes the same values', async () => {
    const ds = await ZarrDataset.open(await privateStore('cf.zarr'));
    expect(ds.info.method).toBe('consolidated-v2');
    expect(ds.info.dataVars.map((v) => v.name)).toEqual(['anom', 'orog', 'pr', 'tas']);
    expect(ds.info.coords.map((v) => v.name)).toEqual(['lat', 'lon', 'time']);
    expect(Object.fromEntries(ds.info.dims.map((d) => [d.name, d.size]))).toEqual({ lat: 18, lon: 36, time: 6 });
    const pr = ds.variable('pr');
    expect(pr).toMatchObject({ dtype: 'int16', packing: { scale: 0.001, offset: 10, masked: [-32767] }, labels: { units: 'mm day-1', longName: 'Precipitation' } });
    expect(pr.codecs.map((c) => c.label)).toEqual(['zlib(level 4)']);
    expect(ds.variable('tas').codecs.map((c) => c.label)).toEqual(['blosc(lz4, level 5, shuffle)']);
    expect(ds.coord('time')!.labels).toEqual(expected.timeLabels.map((l) => l.slice(0, 10)));
    await checkAll(ds, 'cf.zarr');
    expect(await ds.checkConsolidated()).toEqual({ unlisted: [], changed: [] });
  });

  it('discovers a store without consolidated metadata by listing', async () => {
    const ds = await ZarrDataset.open(await privateStore('plain.zarr'));
    expect(ds.info.method).toBe('listing');
    expect(ds.info.dataVars.map((v) => v.name)).toEqual(['orog', 'tas']);
    await checkAll(ds, 'plain.zarr');
    const sizes = await ds.objectSizes('tas');
    const plan = ds.plan('tas', { index: [4, 0, 0], free: [1, 2] }, sizes);
    expect(plan.objects.sort()).toEqual(['1.0.0', '1.0.1']);
    expect(plan.storedBytes).toBeGreaterThan(0);
  });

  it('reads every dtype and codec zarr-python wrote, and names the one it cannot decode', async () => {
    const ds = await ZarrDataset.open(await privateStore('codecs.zarr'));
    await checkAll(ds, 'codecs.zarr');
    expect(ds.variable('nodims').dims).toEqual(['nodims_dim_0']);
    expect(ds.variable('bigendian_f8').bigEndian).toBe(true);
    expect(ds.info.warnings.join(' ')).toMatch(/"bz2_f4" uses the codec "bz2"/);
    await expect(ds.read('bz2_f4', { index: [0, 0], free: [0, 1] })).rejects.toMatchObject({ kind: 'unknown-codec', codec: 'bz2' });
  });

  it('flags consolidated metadata that misses an array', async () => {
    const ds = await ZarrDataset.open(await privateStore('stale.zarr'));
    expect(ds.info.dataVars.map((v) => v.name)).toEqual(['orog']);
    expect(await ds.checkConsolidated()).toEqual({ unlisted: ['late'], changed: [] });
  });

  it('keeps the page usable with malformed metadata, a truncated chunk and a missing chunk', async () => {
    const ds = await ZarrDataset.open(await privateStore('broken.zarr'));
    expect(ds.info.problems).toEqual([{ path: 'orog', message: expect.stringMatching(/orog\/\.zarray is not valid JSON/) }]);
    const tas = await ds.read('tas', { index: [0, 0, 0], free: [1, 2] });
    expect(tas.failures).toEqual([expect.objectContaining({ objectKey: '0.1.1', kind: 'truncated-chunk' })]);
    expect(Number.isNaN(tas.values[9 * 36 + 18]!)).toBe(true);
    expect(Number.isNaN(tas.values[0]!)).toBe(false);
    const anom = await ds.read('anom', { index: [0, 0, 0], free: [1, 2] });
    expect(anom.failures).toEqual([]);
    expect(Number.isNaN(anom.values[0]!)).toBe(true); // never written: fill value
    expect(Number.isNaN(anom.values[9 * 36]!)).toBe(false);
  });
});

describe('public data by URL (anonymous; the bucket cannot be listed)', () => {
  it('opens consolidated data with no listing at all', async () => {
    const ds = await ZarrDataset.open(publicStore('cf.zarr'));
    expect(ds.info.method).toBe('consolidated-v2');
    await checkAll(ds, 'cf.zarr');
  });

  it('finds arrays by known names when there is no consolidated metadata', async () => {
    const src: KeySource = publicStore('plain.zarr');
    const ds = await ZarrDataset.open(src, { extraNames: ['tas'] });
    expect(ds.hierarchy.listable).toBe(false);
    expect(ds.info.method).toBe('known-keys');
    expect(ds.info.dataVars.map((v) => v.name)).toEqual(['tas']);
    expect(ds.info.warnings.join(' ')).toMatch(/cannot be listed/);
    const r = await ds.read('tas', { index: [4, 0, 0], free: [1, 2] });
    expectValues(r.values, expected.checks.find((c) => c.store === 'plain.zarr' && c.var === 'tas')!.values, 'tas');
  });

  it('says plainly when a URL holds no Zarr store', async () => {
    await expect(ZarrDataset.open(publicStore('nothing-here.zarr'))).rejects.toMatchObject({ kind: 'access-denied' });
  });
});

describe('Zarr v3 written by zarrita, sharding included', () => {
  it('reads plain and sharded arrays and a noleap time axis', async () => {
    const ds = await ZarrDataset.open(await privateStore('v3.zarr'));
    expect(ds.info.zarrFormat).toBe(3);
    expect(ds.info.method).toBe('listing');
    expect(ds.coord('time')!.labels).toEqual(['2001-01-01', '2001-02-01', '2001-03-01']);
    const sharded = ds.variable('sharded');
    expect(sharded).toMatchObject({ sharded: true, chunkShape: [1, 4, 5], objectShape: [1, 8, 10], objectCount: 3 });
    for (const name of ['plain', 'sharded']) {
      const r = await ds.read(name, { index: [2, 0, 0], free: [1, 2] });
      expect(r.failures).toEqual([]);
      const want = Array.from({ length: V3_SHAPE[1] * V3_SHAPE[2] }, (_, i) => v3Value(2, Math.floor(i / V3_SHAPE[2]), i % V3_SHAPE[2]));
      expectValues(r.values, want, name);
    }
    const series = await ds.read('sharded', { index: [0, 7, 9], free: [0] });
    expectValues(series.values, [0, 1, 2].map((t) => v3Value(t, 7, 9)), 'series');
  });
});
