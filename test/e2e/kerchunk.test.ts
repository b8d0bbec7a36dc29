/**
 * Kerchunk reference files in Chromium: made by the Python producer (h5py
 * chunk offsets into NetCDF-4 written by netCDF4, checked with xarray),
 * opened from the explorer in a private bucket with keys and by a public
 * URL without keys; the slider moves, a hovered value and the exported slice
 * equal xarray's reading of the NetCDF file.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, newPage } from '../helpers/browser';
import { loadRgwEnv } from '../helpers/rgw-env';
import { createBucket, destroyBucket, rgwClient, rgwService } from '../helpers/s3';
import { makeReadableByAnyone } from '../integration/zarr/fixtures';
import { makeReferenceFixtures, putParquetLayout, uploadFiles, xarrayCheck, type Expected } from '../integration/refs/fixtures';
import { GetObject } from '../../src/lib/s3/ops/index';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAt } from './explorer-helpers';
import { exportCsv, settled, hoverLatLon } from './zarr-helpers';

describe('kerchunk references as datasets', () => {
  const appUrl = inject('appUrl');
  const bucket = `kerchunk-e2e-${Date.now().toString(36)}`;
  let browser: Browser;
  let expected: Expected;
  let cleanup = () => {};
  let dir = '';

  beforeAll(async () => {
    const f = await makeReferenceFixtures(`s3://${bucket}/data/`);
    expected = f.expected;
    cleanup = f.cleanup;
    dir = f.dir;
    await createBucket(bucket, { corsOrigins: [new URL(appUrl).origin] });
    await uploadFiles(join(f.dir, 'data'), bucket, 'data/');
    await uploadFiles(join(f.dir, 'refs'), bucket, 'refs/');
    const service = rgwService();
    await putParquetLayout(join(f.dir, 'refs', 'v1.json'), 7, (key, body) => service.putObject({ bucket, key, body, md5: false }), 'refs/v1.parq/');
    browser = await launchBrowser();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    cleanup();
    await destroyBucket(bucket);
  });

  const [NT, NY, NX] = [5, 6, 8];
  /** xarray's tas at time index t, as float32 (what the page shows). */
  const tasAt = (t: number) => expected.tas!.values.slice(t * NY * NX, (t + 1) * NY * NX);

  const hover = hoverLatLon;

  /** Select tas, move the time slider to index 2, and check the slice and a hovered value against xarray. */
  async function walkTas(page: Page): Promise<void> {
    await page.waitForSelector('[data-testid="dataset-summary"]');
    expect(await page.textContent('[data-testid="dataset-summary"]')).toContain(`lat: ${NY}, lon: ${NX}, time: ${NT}`);
    await page.click('[data-testid="var-tas"]');
    await settled(page);
    await page.waitForFunction((l) => (document.querySelector('[data-testid="label-time"]')?.textContent ?? '').startsWith(l!), expected.time_labels[0]);
    await page.focus('[data-testid="slider-time"]');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction((l) => (document.querySelector('[data-testid="label-time"]')?.textContent ?? '').startsWith(l!), expected.time_labels[2]);
    await settled(page);
    const want = tasAt(2);
    const csv = await exportCsv(page);
    expect(csv.values.map(Number).map(Math.fround)).toEqual(want.map((v) => Math.fround(v!)));
    const lat = expected.lat!.values as number[];
    const lon = expected.lon!.values as number[];
    for (const [fx, fy] of [[0.3, 0.3], [0.7, 0.8]] as const) {
      const h = await hover(page, fx, fy);
      const i = lat.findIndex((v) => Math.abs(v - h.lat) < 1e-3);
      const j = lon.findIndex((v) => Math.abs(v - h.lon) < 1e-3);
      expect(i).toBeGreaterThanOrEqual(0);
      expect(j).toBeGreaterThanOrEqual(0);
      expect(Math.abs(h.value - want[i * NX + j]!)).toBeLessThan(1e-3);
    }
    expect(await page.textContent('[data-testid="hover"]')).toContain(' K');
  }

  it('opens a reference file in a private bucket from the explorer, with keys', async () => {
    const { page, errors } = await newPage(browser);
    await connectAt(page, appUrl, `#/o/${bucket}/refs/v1.json`);
    await page.click('[data-testid="open-dataset"]');
    await page.waitForURL(/refs=json/);
    await walkTas(page);
    const python = (await page.textContent('[data-testid="python"]'))!;
    expect(python).toContain('xr.open_dataset("reference://", engine="zarr"');
    expect(python).toContain(`"fo": "s3://${bucket}/refs/v1.json"`);
    expect(python).toContain('"remote_protocol": "s3"');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('opens a zstd reference file by its public URL, without keys', async () => {
    await makeReadableByAnyone(bucket);
    const { page, errors } = await newPage(browser);
    await page.goto(appUrl);
    await page.fill('input[name="openUrl"]', `${loadRgwEnv().endpoint}/${bucket}/refs/v1.json.zst`);
    await page.click('[data-testid="open-url"] button[type="submit"]');
    await walkTas(page);
    expect(page.url()).toContain('refs=json');
    expect(await page.textContent('[data-testid="python"]')).toContain('"anon": True');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('opens a Parquet reference folder from the listing and saves its references as JSON that xarray opens', async () => {
    const { page, errors } = await newPage(browser);
    await connectAt(page, appUrl, `#/b/${bucket}/refs/`);
    await page.click('tr[data-key="refs/v1.parq/"] [data-testid="row-open-dataset"]');
    await page.waitForURL(/refs=parquet/);
    await walkTas(page);
    await page.click('[data-testid="save-references"]');
    await page.waitForSelector('[data-testid="saved-references"]');
    expect(await page.textContent('[data-testid="saved-references"]')).toContain('refs/v1.parq.json');
    expect(errors).toEqual([]);
    await page.context().close();

    // xarray opens what the page wrote, with the NetCDF file's values.
    await makeReadableByAnyone(bucket);
    const body = await (await rgwClient().send(GetObject, { bucket, key: 'refs/v1.parq.json' })).body.text();
    const tmp = mkdtempSync(join(tmpdir(), 'tessera-saved-'));
    try {
      writeFileSync(join(tmp, 'refs.json'), body);
      const py = await xarrayCheck(join(tmp, 'refs.json'), loadRgwEnv().endpoint, join(dir, 'data', 'data.nc'));
      expect(py.tas).toEqual(expected.tas!.values);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
