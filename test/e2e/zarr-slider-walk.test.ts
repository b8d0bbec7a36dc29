/**
 * Every slider position of every variable shows that position's values.
 *
 * Datasets with many chunkings (chunks that span the slider's dimension, one
 * step per chunk, chunks that divide nothing, packed int16, float64, a 4-D
 * variable with two sliders; v2 written by xarray, v3 and sharded v3 written
 * by zarrita) are walked in Chromium position by position and in quick
 * double steps, the way people drag a slider. At each position the CSV
 * export (the numbers behind the picture and the hover read-out), the
 * file's name, the "data from .. to .." line and the hover read-out are
 * checked against xarray's `isel` for that position (or the values the v3
 * stores were written with).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, newPage } from '../helpers/browser';
import { rgwService } from '../helpers/s3';
import { V3_SHAPE, v3SpanValue, V3_SPAN_SHAPE, v3Value, writeV3SpanStore, writeV3Store, type Expected } from '../integration/zarr/fixtures';
import { exportCsv, fixtureBucket, settled } from './zarr-helpers';
import { connectAt } from './explorer-helpers';

interface Want {
  /** xarray's values at this position, row-major over (y, x); null = no data. */
  values: (number | null)[];
  /** numpy's shortest text of each value for its dtype, where known. */
  text?: (string | null)[];
  dtype?: string;
  /** Coordinate label of each fixed dimension at this position, as the CSV must name it. */
  fixed: string[];
}

const nearly = (got: number, want: number) => Math.abs(got - want) <= 1e-5 * Math.max(1, Math.abs(want));

/** Check what the page shows for the position the sliders are at. */
async function checkPosition(page: Page, where: string, varName: string, fixedDims: string[], base: string, want: Want): Promise<void> {
  await settled(page);
  const csv = await exportCsv(page);
  const drawStatus = await page.evaluate(() => document.querySelector('[data-testid="chunk-failures"]')?.textContent ?? document.querySelector('[data-testid="draw-status"]')?.textContent);
  expect(csv.header.slice(2), `${where}: CSV header`).toEqual([...fixedDims, varName]);
  expect(csv.name, `${where}: file name`).toBe(`${[base, varName, ...want.fixed].join('-').replace(/[^\w.-]+/g, '_')}.csv`);
  expect(csv.rows.length, where).toBe(want.values.length);
  csv.rows.forEach((row, i) => {
    expect(row.slice(2, -1), `${where}: fixed coordinates in row ${i}`).toEqual(want.fixed);
    const cell = row.at(-1)!;
    const w = want.values[i];
    if (w === null || w === undefined) return expect(cell, `${where}: value ${i}`).toBe('');
    // An empty cell is a chunk the page could not read: the page says why.
    const why = cell === '' ? ` [${drawStatus}]` : '';
    const got = Number(cell);
    if (want.dtype === 'float32') expect(Math.fround(got), `${where}: value ${i} (${cell})${why}`).toBe(w);
    else expect(got, `${where}: value ${i} (${cell})${why}`).toBe(w);
    // Written in the shortest form that reads back as the same value of its type.
    if (want.text) expect(got, `${where}: text of value ${i}`).toBe(Number(want.text[i]));
  });
  const finite = want.values.filter((v): v is number => v !== null);
  const status = (await page.textContent('[data-testid="draw-status"]'))!;
  const m = /data from (\S+) to (\S+);/.exec(status)!;
  expect(nearly(Number(m[1]), Math.min(...finite)) && nearly(Number(m[2]), Math.max(...finite)), `${where}: "${status}"`).toBe(true);
  // The hover read-out at the middle of the picture names a cell whose value is xarray's.
  const box = (await page.locator('[data-testid="heatmap"]').boundingBox())!;
  // A point that differs from check to check but is the same in every run (a failure repeats).
  const [fx, fy] = spread(where);
  await page.mouse.move(box.x + box.width * fx, box.y + box.height * fy);
  await page
    .waitForFunction(() => / = .*: /.test(document.querySelector('[data-testid="hover"]')?.textContent ?? ''), undefined, { timeout: 15_000 })
    .catch(async (e: unknown) => {
      const seen = await page.evaluate(() => ['hover', 'draw-status', 'chunk-failures'].map((id) => `${id}: ${JSON.stringify(document.querySelector(`[data-testid="${id}"]`)?.textContent ?? null)}`).join('; '));
      throw new Error(`${where}: no hover read-out at (${fx.toFixed(3)}, ${fy.toFixed(3)}) of the heatmap ${JSON.stringify(box)}; ${seen}`, { cause: e });
    });
  const hover = (await page.textContent('[data-testid="hover"]'))!;
  expect(hover, where).not.toContain('still showing');
  const h = /= (\S+), \S+ = (\S+): (\S+)/.exec(hover)!;
  const row = csv.rows.findIndex((r) => Number(r[0]) === Number(h[1]) && Number(r[1]) === Number(h[2]));
  expect(row, `${where}: hovered cell ${hover}`).toBeGreaterThanOrEqual(0);
  const w = want.values[row];
  if (w === null || w === undefined) expect(h[3]).toBe('no');
  else expect(nearly(Number(h[3]), w), `${where}: hover ${hover} vs ${w}`).toBe(true);
  await page.mouse.move(0, 0);
}

/** Two fractions in [0.3, 0.7) taken from `text`: a point inside the picture, fixed per check. */
function spread(text: string): [number, number] {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return [0.3 + ((h & 0xffff) / 0x10000) * 0.4, 0.3 + ((h >>> 16) / 0x10000) * 0.4];
}

/**
 * Walk a slider: one step at a time to the end, checking every position,
 * then back in quick double steps (the second key press lands while the
 * first position is still being read), checking where it lands.
 */
async function walk(page: Page, slider: string, n: number, check: (i: number) => Promise<void>): Promise<void> {
  // Checking clicks the export button: the slider takes the focus back before each step.
  const focus = () => page.focus(`[data-testid="slider-${slider}"]`);
  let at = 0;
  await check(at);
  while (at < n - 1) {
    await focus();
    await page.keyboard.press('ArrowRight');
    await check(++at);
  }
  while (at >= 2) {
    await focus();
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    at -= 2;
    await check(at);
  }
}

describe('every slider position shows its own values', () => {
  const appUrl = inject('appUrl');
  let bucket: string;
  let browser: Browser;
  let expected: Expected;
  let dispose = async () => {};

  beforeAll(async () => {
    ({ bucket, expected, dispose } = await fixtureBucket('zarr-walk', new URL(appUrl).origin));
    const service = rgwService();
    const put = (key: string, body: Uint8Array) => service.putObject({ bucket, key, body, md5: false });
    await writeV3Store(put, 'data/v3.zarr/');
    await writeV3SpanStore(put, 'data/v3span.zarr/');
    browser = await launchBrowser();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await dispose();
  });

  it('in v2 stores written by xarray, for every chunking', async () => {
    const { page, errors } = await newPage(browser);
    await connectAt(page, appUrl, `#/dataset/${bucket}/data/chunkings.zarr`);
    await page.waitForSelector('[data-testid="dataset-summary"]');
    const checks = expected.checks.filter((c) => c.store === 'chunkings.zarr');
    const day = (t: number) => `2001-06-${String(t + 1).padStart(2, '0')}`;
    const plev = ['100000', '85000', '50000'];
    const at = (varName: string, index: number[]) => {
      const c = checks.find((x) => x.var === varName && x.index.slice(0, -2).join() === index.join())!;
      const entry = c as typeof c & { text?: (string | null)[]; dtype?: string };
      return { values: c.values, text: entry.text, dtype: entry.dtype };
    };
    for (const name of ['span', 'one', 'ragged', 'packed', 'double']) {
      await page.click(`[data-testid="var-${name}"]`);
      await walk(page, 'time', 5, (t) => checkPosition(page, `${name} time ${t}`, name, ['time'], 'chunkings', { ...at(name, [t]), fixed: [day(t)] }));
    }
    // Two sliders: time at every pressure level's first, then pressure at the last time.
    await page.click('[data-testid="var-level"]');
    await walk(page, 'time', 5, (t) => checkPosition(page, `level time ${t}`, 'level', ['time', 'plev'], 'chunkings', { ...at('level', [t, 0]), fixed: [day(t), plev[0]!] }));
    await page.focus('[data-testid="slider-time"]');
    await page.keyboard.press('End');
    await walk(page, 'plev', 3, (z) => checkPosition(page, `level plev ${z}`, 'level', ['time', 'plev'], 'chunkings', { ...at('level', [4, z]), fixed: [day(4), plev[z]!] }));
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('in v3 stores, plain and sharded, with chunks of one step and chunks that span them all', async () => {
    const { page, errors } = await newPage(browser);
    const values = (shape: readonly number[], f: (t: number, y: number, x: number) => number, t: number) =>
      Array.from({ length: shape[1]! * shape[2]! }, (_, i) => Math.fround(f(t, Math.floor(i / shape[2]!), i % shape[2]!)));
    await connectAt(page, appUrl, `#/dataset/${bucket}/data/v3.zarr`);
    await page.waitForSelector('[data-testid="dataset-summary"]');
    const noleap = ['2001-01-01', '2001-02-01', '2001-03-01'];
    for (const name of ['plain', 'sharded']) {
      await page.click(`[data-testid="var-${name}"]`);
      await walk(page, 'time', V3_SHAPE[0], (t) => checkPosition(page, `v3 ${name} time ${t}`, name, ['time'], 'v3', { values: values(V3_SHAPE, v3Value, t), dtype: 'float32', fixed: [noleap[t]!] }));
    }
    await page.goto(`${appUrl}#/dataset/${bucket}/data/v3span.zarr`);
    await page.waitForSelector('[data-testid="dataset-summary"]');
    for (const name of ['span', 'sharded']) {
      await page.click(`[data-testid="var-${name}"]`);
      await walk(page, 'time', V3_SPAN_SHAPE[0], (t) => checkPosition(page, `v3 span ${name} time ${t}`, name, ['time'], 'v3span', { values: values(V3_SPAN_SHAPE, v3SpanValue, t), dtype: 'float32', fixed: [String(t)] }));
    }
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
