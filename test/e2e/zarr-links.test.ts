/**
 * A dataset view is its address: reloading it (or opening it elsewhere)
 * shows the same variable, slider positions, axes, colours, range and zoom;
 * a link to public data opened anonymously reopens by itself; and the
 * dataset page leads back to the folder it came from.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, newPage } from '../helpers/browser';
import { loadRgwEnv } from '../helpers/rgw-env';
import { makeReadableByAnyone, type Expected } from '../integration/zarr/fixtures';
import { exportCsv, fixtureBucket, settled } from './zarr-helpers';
import { connectAgain, connectAt } from './explorer-helpers';

const text = (page: Page, id: string) => page.textContent(`[data-testid="${id}"]`).then((t) => t ?? '');

/** The CSV of the slice on screen: its file name and the value column. */
async function csv(page: Page): Promise<{ name: string; values: string[] }> {
  const { name, values } = await exportCsv(page);
  return { name, values };
}

describe('dataset views by their address', () => {
  const appUrl = inject('appUrl');
  let bucket: string;
  let browser: Browser;
  let expected: Expected;
  let dispose = async () => {};

  beforeAll(async () => {
    ({ bucket, expected, dispose } = await fixtureBucket('zarr-links', new URL(appUrl).origin));
    await makeReadableByAnyone(bucket);
    browser = await launchBrowser();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await dispose();
  });

  it('reopens a public dataset opened anonymously after a reload, at the same variable and slider position', async () => {
    const { page, errors } = await newPage(browser);
    await page.goto(appUrl);
    await page.fill('input[name="openUrl"]', `${loadRgwEnv().endpoint}/${bucket}/data/chunkings.zarr/`);
    await page.click('[data-testid="open-url"] button[type="submit"]');
    await page.waitForSelector('[data-testid="dataset-summary"]');
    await page.click('[data-testid="var-span"]');
    await settled(page);
    await page.focus('[data-testid="slider-time"]');
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
    await page.waitForFunction(() => document.querySelector('[data-testid="label-time"]')?.textContent === '2001-06-04');
    await settled(page);
    const before = await csv(page);
    expect(before.name).toBe('chunkings-span-2001-06-04.csv');
    // The address names the endpoint (anonymous: nothing secret) and the view.
    expect(page.url()).toContain(`at=${loadRgwEnv().endpoint}`);
    expect(page.url()).toMatch(/var=span.*i=time:3/);

    await page.reload();
    // No connect form: the link opens by itself, anonymously, at the same place.
    await page.waitForSelector('[data-testid="dataset-summary"]');
    expect(await text(page, 'connection')).toContain('anonymous');
    await page.waitForFunction(() => document.querySelector('[data-testid="label-time"]')?.textContent === '2001-06-04');
    await settled(page);
    const after = await csv(page);
    expect(after).toEqual(before);
    const want = expected.checks.find((c) => c.store === 'chunkings.zarr' && c.var === 'span' && c.index[0] === 3)!.values;
    expect(after.values.map(Number).map(Math.fround)).toEqual(want);

    // The same address in a fresh browser context (another machine): the same view.
    const other = await newPage(browser);
    await other.page.goto(page.url());
    await other.page.waitForFunction(() => document.querySelector('[data-testid="label-time"]')?.textContent === '2001-06-04');
    await settled(other.page);
    expect(await csv(other.page)).toEqual(before);
    expect(errors).toEqual([]);
    expect(other.errors).toEqual([]);
    await other.context.close();
    await page.context().close();
  });

  it('keeps variable, sliders, colours, range and zoom in the address, restores them after a reload with keys, and leads back to the folder', async () => {
    const { page, errors } = await newPage(browser);
    await connectAt(page, appUrl, `#/dataset/${bucket}/data/chunkings.zarr`);
    await page.waitForSelector('[data-testid="dataset-summary"]');
    await page.click('[data-testid="var-level"]');
    await settled(page);
    await page.focus('[data-testid="slider-plev"]');
    await page.keyboard.press('ArrowRight');
    await settled(page);
    await page.focus('[data-testid="slider-time"]');
    await page.keyboard.press('End');
    await settled(page);
    await page.selectOption('[data-testid="cmap"]', 'greys');
    await page.fill('[data-testid="range-min"]', '50');
    await page.fill('[data-testid="range-max"]', '150');
    await page.click('form.range button');
    await page.focus('[data-testid="heatmap"]');
    await page.keyboard.press('+');
    await page.keyboard.press('+');
    await page.waitForFunction(() => /zoom=/.test(location.hash));
    const url = page.url();
    expect(url).toMatch(/var=level/);
    expect(url).toMatch(/i=time:4/);
    expect(url).toMatch(/i=plev:1/);
    expect(url).toMatch(/cmap=greys/);
    expect(url).toMatch(/range=50,150/);
    expect(url).not.toContain('at=');
    const before = await csv(page);
    expect(before.name).toBe('chunkings-level-2001-06-05-85000.csv');
    const picture = () => page.evaluate(() => (document.querySelector('[data-testid="heatmap"]') as HTMLCanvasElement).toDataURL());
    const pixels = await picture();

    await page.reload();
    // Keys live only in the worker: a reload asks for them, then the same view.
    await connectAgain(page);
    await page.waitForFunction(() => document.querySelector('[data-testid="label-plev"]')?.textContent === '85000');
    await settled(page);
    expect(await text(page, 'label-time')).toBe('2001-06-05');
    expect(await page.inputValue('[data-testid="cmap"]')).toBe('greys');
    expect(await page.inputValue('[data-testid="range-min"]')).toBe('50');
    expect(await csv(page)).toEqual(before);
    // Same colours, range and zoom: the same picture, pixel for pixel.
    await expect.poll(picture, { timeout: 10_000 }).toBe(pixels);

    // Back to the folder the store is in.
    await page.click('nav[aria-label="Location"] >> text=data');
    await page.waitForFunction(() => location.hash.startsWith('#/b/'));
    expect(page.url()).toContain(`#/b/${bucket}/data/`);
    await page.waitForSelector('[data-testid="objects"]');
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
