/**
 * The virtual open_mfdataset on the real RGW: NetCDF files written by xarray,
 * split along time, scanned by ranges (with keys through presigned URLs, and
 * anonymously by URL), combined, and read as the Zarr worker reads them
 * (ZarrDataset over the reference store); every time step equals
 * `xr.open_mfdataset(...)`. The combined references saved next to the files
 * open in xarray through reference:// with the same values.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerFletcher32, scanNetcdf } from '../../../src/lib/hdf5';
import { openCombined } from '../../../src/lib/refs/open-combined';
import { registerScanner } from '../../../src/lib/refs/scan';
import { writeReferences } from '../../../src/lib/refs/write';
import { GetObject } from '../../../src/lib/s3/ops/index';
import { UrlSource } from '../../../src/lib/zarr/url-source';
import { ZarrDataset } from '../../../src/lib/zarr/open';
import { loadRgwEnv } from '../../helpers/rgw-env';
import { expectValues } from '../../helpers/values';
import { createBucket, destroyBucket, rgwClient, rgwService } from '../../helpers/s3';
import { makeReadableByAnyone } from '../zarr/fixtures';
import { uploadFiles, withKeys } from './fixtures';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 180_000 });
registerFletcher32();
registerScanner(scanNetcdf);

const SCRIPT = resolve(import.meta.dirname, '../../../scripts/make-combine-fixtures.py');
const bucket = `combine-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
const service = rgwService();
const SETS = ['chunked', 'contiguous', 'netcdf3'];
const FILES = ['a.nc', 'b.nc', 'c.nc'];

interface Expected {
  order: string[];
  vars: Record<string, { dims: string[]; shape: number[]; values: (number | null)[] }>;
  time_ms: number[];
}
let dir = '';
let expected: Record<string, Expected>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-combine-rgw-'));
  execFileSync('/usr/bin/python3', [SCRIPT, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Record<string, Expected>;
  await createBucket(bucket);
  await Promise.all(SETS.map((s) => uploadFiles(join(dir, s), bucket, `runs/${s}/`)));
  await makeReadableByAnyone(bucket);
});

afterAll(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  await destroyBucket(bucket);
});

/** Every time step of tas (2-D slices, across the file boundaries), pr and orog whole, and the time axis. */
async function checkAll(ds: ZarrDataset, want: Expected): Promise<void> {
  const labels = ds.coord('time')!.labels;
  expect(labels.map((l) => l.slice(0, 10))).toEqual(want.time_ms.map((ms) => new Date(ms).toISOString().slice(0, 10)));
  const tas = want.vars.tas!;
  const got: number[] = [];
  for (let t = 0; t < tas.shape[0]!; t++) {
    const r = await ds.read('tas', { index: [t, 0, 0], free: [1, 2] });
    expect(r.failures).toEqual([]);
    got.push(...Array.from(r.values));
  }
  expectValues(got, tas.values, 'tas');
  for (const name of ['pr', 'orog']) {
    const v = want.vars[name]!;
    const r = await ds.read(name, { index: v.shape.map(() => 0), free: [0, 1] });
    expectValues(r.values, v.values, name);
  }
}

describe('files of a folder opened as one dataset', () => {
  for (const set of SETS) {
    it(`${set}: with keys, values equal xr.open_mfdataset; the saved references open in xarray`, async () => {
      const keys = withKeys(service);
      const progress: number[] = [];
      const source = await openCombined({ location: { kind: 's3', bucket, folder: `runs/${set}` }, files: FILES, dim: 'time', bucket: keys.bucket, concurrency: 2, onProgress: (d) => progress.push(d) });
      expect(progress).toEqual([0, 1, 2, 3]);
      expect(source.combined.files).toEqual(expected[set]!.order);
      const ds = await ZarrDataset.open(source);
      await checkAll(ds, expected[set]!);
      expect(keys.presigned).toEqual(expect.arrayContaining(FILES.map((f) => `${bucket}/runs/${set}/${f}`)));

      // "Save references": a kerchunk JSON next to the files, opened by xarray.
      const key = `runs/${set}/combined.json`;
      await writeReferences({ refs: await source.references(), bucket, key, put: (i) => service.putObject({ ...i, md5: false }) });
      const file = join(dir, `${set}-saved.json`);
      writeFileSync(file, await (await rgwClient().send(GetObject, { bucket, key })).body.text());
      expect(readFileSync(file, 'utf8')).toContain(`s3://${bucket}/runs/${set}/`);
      const r = JSON.parse(execFileSync('/usr/bin/python3', [SCRIPT, '--check', file, join(dir, set), loadRgwEnv().endpoint], { encoding: 'utf8' })) as { checked: string[]; problems: string[] };
      expect(r.problems).toEqual([]);
      expect(r.checked).toEqual(expect.arrayContaining(['tas', 'pr', 'orog', 'time']));
    });
  }

  it('anonymously by URL', async () => {
    const rgw = loadRgwEnv().endpoint;
    const source = await openCombined({ location: { kind: 'url', url: `${rgw}/${bucket}/runs/chunked` }, files: FILES, dim: 'time', bucket: (n) => Promise.resolve(new UrlSource(`${rgw}/${n}`)), endpoint: rgw });
    await checkAll(await ZarrDataset.open(source), expected.chunked!);
  });
});
