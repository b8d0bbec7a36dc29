/**
 * Shared steps of the dataset view's browser tests: a bucket holding the
 * fixtures written by xarray, waiting for a slice to be drawn, and reading
 * the CSV export (the numbers behind the picture).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, inject } from 'vitest';
import { launchBrowser } from '../helpers/browser';
import { createBucket, destroyBucket, uniqueBucket } from '../helpers/s3';
import { makeFixtures, uploadDir, type Expected } from '../integration/zarr/fixtures';

/** One test file's bucket, scratch folder and browser (set once `beforeAll` has run). */
export interface DatasetBed {
  readonly bucket: string;
  readonly dir: string;
  readonly browser: Browser;
}

/**
 * Before the file's tests: a scratch folder, a bucket with CORS for the app,
 * `fill` (write fixtures into the folder and upload them), then a browser;
 * after them, all three are gone.
 */
export function useDatasetBed(area: string, fill: (dir: string, bucket: string) => Promise<void>): DatasetBed {
  const origin = new URL(inject('appUrl')).origin;
  const bed = { bucket: uniqueBucket(area), dir: '', browser: undefined as Browser | undefined };
  beforeAll(async () => {
    bed.dir = mkdtempSync(join(tmpdir(), `tessera-${area}-`));
    await createBucket(bed.bucket, { corsOrigins: [origin] });
    await fill(bed.dir, bed.bucket);
    bed.browser = await launchBrowser();
  }, 300_000);
  afterAll(async () => {
    await bed.browser?.close();
    if (bed.dir) rmSync(bed.dir, { recursive: true, force: true });
    await destroyBucket(bed.bucket);
  });
  return {
    bucket: bed.bucket,
    get dir() {
      return bed.dir;
    },
    get browser() {
      if (!bed.browser) throw new Error('The browser is not started yet (used before beforeAll ran).');
      return bed.browser;
    },
  };
}

/** A bucket (CORS for `origin`) with the xarray fixtures under `data/`, and what xarray decodes from them. */
export async function fixtureBucket(area: string, origin: string): Promise<{ bucket: string; dir: string; expected: Expected; dispose: () => Promise<void> }> {
  const f = await makeFixtures();
  const bucket = uniqueBucket(area);
  await createBucket(bucket, { corsOrigins: [origin] });
  await uploadDir(f.dir, bucket, 'data/');
  return {
    bucket,
    dir: f.dir,
    expected: f.expected,
    dispose: async () => {
      f.cleanup();
      await destroyBucket(bucket);
    },
  };
}

/** Wait until the slice asked for is drawn (or a draw error is shown, which fails). */
export async function settled(page: Page): Promise<void> {
  await page.waitForFunction(
    () => {
      const s = document.querySelector('[data-testid="draw-status"]')?.textContent ?? '';
      return (!s.includes('Drawing') && /chunks? drawn/.test(s)) || !!document.querySelector('[data-testid="draw-error"]');
    },
    undefined,
    { timeout: 60_000 },
  );
  const error = await page.$('[data-testid="draw-error"]');
  if (error) throw new Error(`draw failed: ${await error.textContent()}`);
}

export interface Csv {
  name: string;
  header: string[];
  rows: string[][];
  /** The last column: the values. */
  values: string[];
}

/** Export the slice on screen as CSV and read the file the browser saved. */
export async function exportCsv(page: Page): Promise<Csv> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-csv"]')]);
  const text = readFileSync((await download.path())!, 'utf8');
  const [head, ...rows] = text.trimEnd().split('\n').map((l) => l.split(','));
  return { name: download.suggestedFilename(), header: head!, rows, values: rows.map((r) => r.at(-1)!) };
}

/**
 * Hover the heatmap at fractions (fx, fy) of its box; return the `lat = …, lon = …: value` read-out.
 * The figure sits below the colour and export tools, so it is brought into view first.
 */
export async function hoverLatLon(page: Page, fx: number, fy: number): Promise<{ lat: number; lon: number; value: number }> {
  const heatmap = page.locator('[data-testid="heatmap"]');
  await heatmap.scrollIntoViewIfNeeded();
  const box = (await heatmap.boundingBox())!;
  await page.mouse.move(box.x + box.width * fx, box.y + box.height * fy);
  await page.waitForFunction(() => /lat = /.test(document.querySelector('[data-testid="hover"]')?.textContent ?? ''));
  const m = /lat = (\S+), lon = (\S+): (\S+)/.exec((await page.textContent('[data-testid="hover"]'))!)!;
  return { lat: Number(m[1]), lon: Number(m[2]), value: Number(m[3]) };
}
