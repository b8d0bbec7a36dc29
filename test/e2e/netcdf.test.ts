/**
 * NetCDF files opened in place in Chromium, read by byte ranges: a private
 * NetCDF-4 object (netCDF4, chunked deflate + shuffle, CF time) opened from
 * the explorer with keys, a public NetCDF-3 (scipy) and an HDF5
 * `libver="latest"` (h5netcdf) object opened anonymously by URL, and a file
 * with a variable the reader refuses (a compound type) whose other variables
 * still open. Every slice shown (CSV export and hovered values) equals
 * xarray's `isel(time=t)` of the same file.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import type { Page } from 'playwright-core';
import { newPage } from '../helpers/browser';
import { aws } from '../helpers/cli';
import { loadRgwEnv } from '../helpers/rgw-env';
import { uploadFiles } from '../integration/refs/fixtures';
import { connectAt } from './explorer-helpers';
import { exportCsv, hoverLatLon, settled, useDatasetBed } from './zarr-helpers';

const run = promisify(execFile);
const SCRIPT = new URL('../../scripts/make-netcdf-e2e-fixtures.py', import.meta.url).pathname;

interface FileExpected {
  time_labels: string[];
  lat: number[];
  lon: number[];
  slices: Record<string, (number | null)[][]>;
}

describe('NetCDF files opened in place as datasets', () => {
  const appUrl = inject('appUrl');
  let expected: Record<string, FileExpected>;

  const bed = useDatasetBed('netcdf-e2e', async (dir, bucket) => {
    const env = { ...process.env };
    delete env.PYTHONPATH;
    delete env.PYTHONHOME;
    await run('/usr/bin/python3', [SCRIPT, dir], { env, maxBuffer: 16 * 1024 * 1024 });
    expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Record<string, FileExpected>;
    await uploadFiles(dir, bucket, 'data/');
  });
  const { bucket } = bed;

  const [NT, NY, NX] = [6, 10, 12];

  async function publicRead(key: string): Promise<void> {
    const r = await aws(['s3api', 'put-object-acl', '--bucket', bucket, '--key', key, '--acl', 'public-read']);
    if (r.code !== 0) throw new Error(`put-object-acl failed: ${r.stderr}`);
  }

  const hover = hoverLatLon;

  const labelIs = (page: Page, label: string) =>
    page.waitForFunction((l) => (document.querySelector('[data-testid="label-time"]')?.textContent ?? '').startsWith(l), label);

  /**
   * Select `variable`, walk the time slider to several indices, and at each
   * compare the exported slice and hovered values with xarray's isel(time=t).
   */
  async function walk(page: Page, file: string, variable: string): Promise<void> {
    const want = expected[file]!;
    await page.waitForSelector('[data-testid="dataset-summary"]', { timeout: 60_000 });
    expect(await page.textContent('[data-testid="dataset-summary"]')).toContain(`lat: ${NY}, lon: ${NX}, time: ${NT}`);
    await page.click(`[data-testid="var-${variable}"]`);
    await settled(page);
    await labelIs(page, want.time_labels[0]!);
    let at = 0;
    for (const t of [0, 1, 4, 5, 2]) {
      await page.focus('[data-testid="slider-time"]');
      for (; at < t; at++) await page.keyboard.press('ArrowRight');
      for (; at > t; at--) await page.keyboard.press('ArrowLeft');
      await labelIs(page, want.time_labels[t]!);
      await settled(page);
      const slice = want.slices[variable]![t]!;
      const csv = await exportCsv(page);
      expect(csv.values.length).toBe(NY * NX);
      expect(csv.values.map((v) => (v === '' || v === 'NaN' ? null : Math.fround(Number(v))))).toEqual(slice.map((v) => (v === null ? null : Math.fround(v))));
      for (const [fx, fy] of [[0.2, 0.3], [0.75, 0.8]] as const) {
        const h = await hover(page, fx, fy);
        const i = want.lat.findIndex((v) => Math.abs(v - h.lat) < 1e-3);
        const j = want.lon.findIndex((v) => Math.abs(v - h.lon) < 1e-3);
        expect(i).toBeGreaterThanOrEqual(0);
        expect(j).toBeGreaterThanOrEqual(0);
        const v = slice[i * NX + j];
        if (v === null || v === undefined) continue;
        expect(Math.abs(h.value - v)).toBeLessThan(1e-3 * Math.max(1, Math.abs(v)));
      }
    }
  }

  it('opens a private NetCDF-4 object from the explorer with keys ("Open as dataset")', async () => {
    const { page, errors } = await newPage(bed.browser);
    await connectAt(page, appUrl, `#/o/${bucket}/data/nc4.nc`);
    await page.click('[data-testid="open-dataset"]');
    await page.waitForURL(/refs=scan/);
    await walk(page, 'nc4.nc', 'tas');
    expect(await page.textContent('[data-testid="hover"]')).toContain(' K');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  for (const file of ['nc3.nc', 'latest.h5']) {
    it(`opens a public ${file === 'nc3.nc' ? 'NetCDF-3 (scipy)' : 'HDF5 libver="latest" (h5netcdf)'} object by its URL, without keys`, async () => {
      await publicRead(`data/${file}`);
      const { page, errors } = await newPage(bed.browser);
      await page.goto(appUrl);
      await page.fill('input[name="openUrl"]', `${loadRgwEnv().endpoint}/${bucket}/data/${file}`);
      await page.click('[data-testid="open-url"] button[type="submit"]');
      await page.waitForURL(/refs=scan/);
      await walk(page, file, 'pr');
      expect(errors).toEqual([]);
      await page.context().close();
    });
  }

  it('opens a file with a variable it cannot read: the others show, the refused one is named', async () => {
    const { page, errors } = await newPage(bed.browser);
    await connectAt(page, appUrl, `#/o/${bucket}/data/mixed.nc`);
    await page.click('[data-testid="open-dataset"]');
    await page.waitForURL(/refs=scan/);
    await walk(page, 'mixed.nc', 'tas');
    expect(await page.$('[data-testid="var-obs"]')).toBeNull();
    expect(await page.textContent('[data-testid="dataset-summary"]')).toMatch(/"obs" is left out: the compound datatype is not supported/);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
