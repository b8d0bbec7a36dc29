/**
 * Kerchunk references on the real RGW: reference files made by the Python
 * producer (h5py chunk offsets, checked with xarray) opened by Tessera with
 * keys (s3:// references presigned per bucket), anonymously by URL, with
 * relative URLs, with https:// references to another host read anonymously
 * (the HTTPS front), and in the Parquet layout. Every value is compared with
 * xarray's reading of the NetCDF file itself. References Tessera writes are
 * opened by xarray.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openReferenceFile } from '../../../src/lib/refs/open';
import { parseReferences } from '../../../src/lib/refs/parse';
import { referencesKeyFor, writeReferences } from '../../../src/lib/refs/write';
import { UrlSource } from '../../../src/lib/zarr/url-source';
import { ZarrDataset } from '../../../src/lib/zarr/open';
import type { KeySource } from '../../../src/lib/zarr/source';
import { GetObject } from '../../../src/lib/s3/ops/index';
import { loadRgwEnv } from '../../helpers/rgw-env';
import { expectValues } from '../../helpers/values';
import { loadNetEnv } from '../../helpers/net-env';
import { createBucket, destroyBucket, rgwClient, rgwService } from '../../helpers/s3';
import { makeReadableByAnyone } from '../zarr/fixtures';
import { makeReferenceFixtures, putParquetLayout, uploadFiles, withKeys, xarrayCheck, type Expected } from './fixtures';

const bucket = `kerchunk-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
const service = rgwService();
let expected: Expected;
let dir: string;
const cleanups: (() => void)[] = [];

beforeAll(async () => {
  const https = loadNetEnv().h2;
  const [s3, far, rel] = await Promise.all([
    makeReferenceFixtures(`s3://${bucket}/data/`),
    makeReferenceFixtures(`${https}/${bucket}/data/`),
    makeReferenceFixtures(''),
  ]);
  cleanups.push(s3.cleanup, far.cleanup, rel.cleanup);
  expected = s3.expected;
  dir = s3.dir;
  await createBucket(bucket);
  await Promise.all([
    uploadFiles(join(s3.dir, 'data'), bucket, 'data/'),
    uploadFiles(join(s3.dir, 'refs'), bucket, 'refs/'),
    uploadFiles(join(far.dir, 'refs'), bucket, 'https-refs/'),
    uploadFiles(join(rel.dir, 'refs'), bucket, 'data/'),
    putParquetLayout(join(s3.dir, 'refs', 'v1.json'), 7, (key, body) => service.putObject({ bucket, key, body, md5: false }), 'refs/v1.parq/'),
  ]);
  await makeReadableByAnyone(bucket);
}, 120_000);

afterAll(async () => {
  for (const c of cleanups) c();
  await destroyBucket(bucket);
});

/** Read every variable whole (one 2-D slice per index of a leading dimension) and compare with xarray. */
async function checkAll(ds: ZarrDataset, names: string[]): Promise<void> {
  expect(ds.coord('time')!.labels.map((l) => l.slice(0, 10))).toEqual(expected.time_labels);
  for (const name of names) {
    const want = expected[name]!;
    const nd = want.shape.length;
    const got: number[] = [];
    const outer = nd === 3 ? want.shape[0]! : 1;
    for (let t = 0; t < outer; t++) {
      const r = await ds.read(name, nd === 3 ? { index: [t, 0, 0], free: [1, 2] } : { index: want.shape.map(() => 0), free: want.shape.map((_, i) => i) });
      expect(r.failures, name).toEqual([]);
      got.push(...Array.from(r.values));
    }
    expectValues(got, want.values, name);
  }
}

const NC_VARS = ['lat', 'lon', 'tas', 'pr'];

describe('reference files opened with keys', () => {
  for (const [file, extra] of [
    ['v1.json', []], ['v0.json', []], ['v1.json.gz', []], ['v1.json.zst', []], ['templates.json', ['grid']], ['whole.json', ['w']], ['v1.parq', []],
  ] as const) {
    it(`${file}: s3:// references signed, values equal xarray's`, async () => {
      const keys = withKeys(service);
      const source = await openReferenceFile({ location: { kind: 's3', bucket, key: `refs/${file}` }, bucket: keys.bucket });
      const ds = await ZarrDataset.open(source);
      expect(ds.info.method).toBe('consolidated-v2');
      expect(ds.info.attrs).toMatchObject({ title: 'Tessera reference fixture' });
      expect(ds.info.dataVars.map((v) => v.name)).toEqual(expect.arrayContaining(['tas', 'pr', ...extra]));
      await checkAll(ds, [...NC_VARS, ...extra]);
      // The data objects were read through presigned URLs of their bucket.
      expect(keys.presigned).toContain(`${bucket}/data/data.nc`);
    });
  }

  it('relative URLs resolve next to the reference file', async () => {
    const keys = withKeys(service);
    const ds = await ZarrDataset.open(await openReferenceFile({ location: { kind: 's3', bucket, key: 'data/templates.json' }, bucket: keys.bucket }));
    await checkAll(ds, [...NC_VARS, 'grid']);
    expect(keys.presigned).toEqual(expect.arrayContaining([`${bucket}/data/data.nc`, `${bucket}/data/grid.bin`]));
  });

  it('https:// references to another host are read anonymously (the HTTPS front)', async () => {
    const keys = withKeys(service);
    const ds = await ZarrDataset.open(await openReferenceFile({ location: { kind: 's3', bucket, key: 'https-refs/whole.json' }, bucket: keys.bucket }));
    await checkAll(ds, [...NC_VARS, 'w']);
    // Only the reference file itself was presigned: the data came over the other host.
    expect(keys.presigned).toEqual([`${bucket}/https-refs/whole.json`]);
  });
});

describe('reference files opened anonymously by URL', () => {
  const rgw = () => loadRgwEnv().endpoint;
  const anon = (name: string) => Promise.resolve<KeySource>(new UrlSource(`${rgw()}/${name}`));

  for (const file of ['v1.json.zst', 'templates.json', 'v1.parq']) {
    it(`${file}: s3:// references read by their public URL`, async () => {
      const url = `${rgw()}/${bucket}/refs/${file}`;
      const ds = await ZarrDataset.open(await openReferenceFile({ location: { kind: 'url', url }, bucket: anon, endpoint: rgw() }));
      await checkAll(ds, NC_VARS);
    });
  }
});

describe('making references', () => {
  it('writes kerchunk JSON next to the data that Tessera and xarray both open with the same values', async () => {
    // References built from the fixture (as a scanner would make them), with URLs relative to the data.
    const refs = await parseReferences(new Uint8Array(await (await rgwClient().send(GetObject, { bucket, key: 'data/v1.json' })).body.arrayBuffer()));
    const key = referencesKeyFor('data/data.nc');
    expect(key).toBe('data/data.nc.json');
    const written = await writeReferences({ refs, bucket, key, put: (i) => service.putObject(i) });
    expect(written.bytes).toBeGreaterThan(100);
    const body = await (await rgwClient().send(GetObject, { bucket, key })).body.text();
    const doc = JSON.parse(body) as { templates: Record<string, string> };
    expect(doc.templates).toEqual({ u0: `s3://${bucket}/data/data.nc` });

    const ds = await ZarrDataset.open(await openReferenceFile({ location: { kind: 's3', bucket, key }, bucket: withKeys(service).bucket }));
    await checkAll(ds, NC_VARS);

    const tmp = mkdtempSync(join(tmpdir(), 'tessera-written-'));
    try {
      writeFileSync(join(tmp, 'refs.json'), body);
      const py = await xarrayCheck(join(tmp, 'refs.json'), loadRgwEnv().endpoint, join(dir, 'data', 'data.nc'));
      for (const name of NC_VARS) expectValues(py[name]!.map((v) => v ?? NaN), expected[name]!.values, `xarray ${name}`);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
