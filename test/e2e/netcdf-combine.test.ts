/**
 * Several NetCDF files opened as one dataset in Chromium (the virtual
 * `open_mfdataset`): three NetCDF-4 files written by xarray, split along
 * time (8 + 8 + 5 steps, deflate+shuffle chunks, each with its own time
 * units; their names do not sort in time order), picked in the listing and
 * opened with "Open as one dataset". The time slider walks across both file
 * boundaries; every slice shown (CSV export and hovered values) equals
 * `xr.open_mfdataset(...).isel(time=t)`. The route keeps the dataset across a
 * reload, and "Save references" writes a kerchunk JSON that xarray opens
 * with the same values. The same references with path-style URLs of the
 * connected endpoint open from the private bucket: they are signed too.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import type { Page } from 'playwright-core';
import { newPage } from '../helpers/browser';
import { aws } from '../helpers/cli';
import { loadRgwEnv } from '../helpers/rgw-env';
import { uploadFiles } from '../integration/refs/fixtures';
import { makeReadableByAnyone } from '../integration/zarr/fixtures';
import { connectAgain, connectAt } from './explorer-helpers';
import { exportCsv, hoverLatLon, settled, useDatasetBed } from './zarr-helpers';

const run = promisify(execFile);
const SCRIPT = new URL('../../scripts/make-combine-fixtures.py', import.meta.url).pathname;

interface Expected {
  order: string[];
  vars: Record<string, { shape: number[]; values: (number | null)[] }>;
  time_ms: number[];
}

describe('NetCDF files opened as one dataset', () => {
  const appUrl = inject('appUrl');
  let want: Expected;

  const bed = useDatasetBed('combine-e2e', async (dir, bucket) => {
    const env = { ...process.env };
    delete env.PYTHONPATH;
    delete env.PYTHONHOME;
    await run('/usr/bin/python3', [SCRIPT, dir], { env, maxBuffer: 16 * 1024 * 1024 });
    want = (JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Record<string, Expected>).chunked!;
    await uploadFiles(join(dir, 'chunked'), bucket, 'runs/');
  });
  const { bucket } = bed;

  const label = (t: number) => new Date(want.time_ms[t]!).toISOString().slice(0, 10);
  const labelIs = (page: Page, l: string) => page.waitForFunction((x) => (document.querySelector('[data-testid="label-time"]')?.textContent ?? '').startsWith(x), l);

  /** Walk the time slider across the file boundaries (after steps 8 and 16), comparing each slice with open_mfdataset's. */
  async function walk(page: Page): Promise<void> {
    const [NT, NY, NX] = want.vars.tas!.shape as [number, number, number];
    const lat = want.vars.lat!.values as number[];
    const lon = want.vars.lon!.values as number[];
    await page.click('[data-testid="var-tas"]');
    await settled(page);
    await labelIs(page, label(0));
    let at = 0;
    for (const t of [7, 8, 15, 16, NT - 1, 3]) {
      await page.focus('[data-testid="slider-time"]');
      for (; at < t; at++) await page.keyboard.press('ArrowRight');
      for (; at > t; at--) await page.keyboard.press('ArrowLeft');
      await labelIs(page, label(t));
      await settled(page);
      const slice = want.vars.tas!.values.slice(t * NY * NX, (t + 1) * NY * NX);
      const csv = await exportCsv(page);
      expect(csv.values.length).toBe(NY * NX);
      expect(csv.values.map((v) => Math.fround(Number(v)))).toEqual(slice.map((v) => Math.fround(v!)));
      for (const [fx, fy] of [[0.2, 0.3], [0.75, 0.8]] as const) {
        const h = await hoverLatLon(page, fx, fy);
        const i = lat.findIndex((v) => Math.abs(v - h.lat) < 1e-3);
        const j = lon.findIndex((v) => Math.abs(v - h.lon) < 1e-3);
        expect(i).toBeGreaterThanOrEqual(0);
        expect(j).toBeGreaterThanOrEqual(0);
        expect(Math.abs(h.value - slice[i * NX + j]!)).toBeLessThan(1e-3 * Math.abs(slice[i * NX + j]!));
      }
    }
  }

  it('picks three files in the listing, opens them as one, walks across the files, keeps the route, saves references xarray opens (also with endpoint URLs, signed)', async () => {
    const { page, errors } = await newPage(bed.browser);
    // Each file's first metadata read (its first bytes), from whichever worker reads it.
    const firstReads: Promise<string | null>[] = [];
    page.on('request', (r) => {
      if (/\/runs\/[abc]\.nc\?/.test(r.url())) firstReads.push(r.allHeaders().then((h) => (/^bytes=0-/.test(h.range ?? '') ? r.url().split('?')[0]!.split('/').pop()! : null)));
    });
    const scannedFiles = async () => (await Promise.all(firstReads)).filter((f) => f !== null).sort();
    await connectAt(page, appUrl, `#/b/${bucket}/runs/`);
    for (const f of ['a.nc', 'b.nc', 'c.nc']) await page.check(`tr[data-key="runs/${f}"] input[type="checkbox"]`);
    await page.click('[data-testid="open-combine"]');
    // Scanned in the Zarr worker; the time dimension all three share is offered first.
    await page.waitForSelector('[data-testid="combine-open"]', { timeout: 60_000 });
    expect(await page.inputValue('[data-testid="combine-dim"]')).toBe('time');
    expect(await page.textContent('[data-testid="combine-dim"] option[value="time"]')).toContain('8 + 5 + 8');
    expect(await scannedFiles()).toEqual(['a.nc', 'b.nc', 'c.nc']);
    await page.click('[data-testid="combine-open"]');
    await page.waitForURL(/refs=combine&file=a\.nc&file=b\.nc&file=c\.nc&dim=time/);
    await page.waitForSelector('[data-testid="dataset-summary"]', { timeout: 60_000 });
    // The dataset view was handed the worker that scanned: the files are not scanned again.
    expect(await scannedFiles()).toEqual(['a.nc', 'b.nc', 'c.nc']);
    // Named a, b, c, but c holds the first dates: the view names them in the order combined.
    await page.waitForFunction(() => /in time order/.test(document.querySelector('[data-testid="combined-from"]')?.textContent ?? ''));
    expect((await page.textContent('[data-testid="combined-from"]'))!.replace(/\s+/g, ' ')).toContain('Combined from 3 files along time, in time order: c.nc (8), a.nc (8), b.nc (5)');
    expect(await page.textContent('[data-testid="dataset-summary"]')).toContain('time: 21');
    await walk(page);

    // The address alone opens the same dataset (a reload forgets the keys: connect again).
    await page.reload();
    await connectAgain(page);
    await page.waitForSelector('[data-testid="dataset-summary"]', { timeout: 60_000 });
    expect(await page.textContent('[data-testid="dataset-summary"]')).toContain('time: 21');

    // "Save references": the combined kerchunk JSON next to the files, opened by xarray.
    await page.click('[data-testid="save-references"]');
    await page.waitForSelector('[data-testid="saved-references"]', { timeout: 60_000 });
    expect(await page.textContent('[data-testid="saved-references"]')).toContain('runs/a-c.time.json');
    const saved = join(bed.dir, 'saved.json');
    expect((await aws(['s3', 'cp', '--only-show-errors', `s3://${bucket}/runs/a-c.time.json`, saved])).code).toBe(0);

    // The same references with path-style URLs of the connected endpoint (the bucket is private): signed like s3:// ones.
    const endpoint = loadRgwEnv().endpoint.replace(/\/+$/, '');
    const viaEndpoint = join(bed.dir, 'via-endpoint.json');
    writeFileSync(viaEndpoint, readFileSync(saved, 'utf8').replaceAll(`s3://${bucket}/`, `${endpoint}/${bucket}/`));
    expect(readFileSync(viaEndpoint, 'utf8')).not.toContain('s3://');
    expect((await aws(['s3', 'cp', '--only-show-errors', viaEndpoint, `s3://${bucket}/refs/via-endpoint.json`])).code).toBe(0);
    await page.goto(`${appUrl}#/dataset/${bucket}/refs/via-endpoint.json?refs=json&var=tas`);
    await page.waitForSelector('[data-testid="dataset-summary"]', { timeout: 60_000 });
    await settled(page);
    await labelIs(page, label(0));
    const [, NY, NX] = want.vars.tas!.shape as [number, number, number];
    expect((await exportCsv(page)).values.map((v) => Math.fround(Number(v)))).toEqual(want.vars.tas!.values.slice(0, NY * NX).map((v) => Math.fround(v!)));
    expect(errors).toEqual([]);
    await page.context().close();

    await makeReadableByAnyone(bucket);
    const { stdout } = await run('/usr/bin/python3', [SCRIPT, '--check', saved, join(bed.dir, 'chunked'), loadRgwEnv().endpoint]);
    const r = JSON.parse(stdout) as { checked: string[]; problems: string[] };
    expect(r.problems).toEqual([]);
    expect(r.checked).toEqual(expect.arrayContaining(['tas', 'pr', 'orog', 'time']));
  });
});
