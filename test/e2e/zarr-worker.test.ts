/**
 * The Zarr worker costs a download and a blosc compile: a page that shows no
 * dataset never starts it, and moving between the groups of a store (a new
 * view each) keeps using the one already warm.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import * as zarr from 'zarrita';
import { launchBrowser, newPage } from '../helpers/browser';
import { createBucket, destroyBucket, rgwService, uniqueBucket } from '../helpers/s3';
import { connectAgain } from './explorer-helpers';

/** A v3 store: orog(y, x) at the root, tas(y, x) in group `a`. */
async function writeGroups(put: (key: string, body: Uint8Array) => Promise<unknown>, prefix: string): Promise<void> {
  const mem = new Map<string, Uint8Array>();
  const root = zarr.root(mem);
  await zarr.create(root, { attributes: {} });
  await zarr.create(root.resolve('a'), { attributes: {} });
  for (const path of ['orog', 'a/tas']) {
    const a = await zarr.create(root.resolve(path), { shape: [4, 6], chunkShape: [2, 3], dtype: 'float32', dimensionNames: ['y', 'x'] });
    await zarr.set(a, null, { data: new Float32Array(24).map((_, i) => i), shape: [4, 6], stride: [6, 1] });
  }
  for (const [k, body] of mem) await put(prefix + k.slice(1), body);
}

async function drawn(page: Page): Promise<void> {
  await page.waitForFunction(() => /chunks? drawn/.test(document.querySelector('[data-testid="draw-status"]')?.textContent ?? ''), undefined, { timeout: 60_000 });
}

describe('the Zarr worker', () => {
  const appUrl = inject('appUrl');
  const bucket = uniqueBucket('zarr-worker');
  let browser: Browser;

  beforeAll(async () => {
    await createBucket(bucket, { corsOrigins: [new URL(appUrl).origin] });
    const service = rgwService();
    await writeGroups((key, body) => service.putObject({ bucket, key, body, md5: false }), 'data/groups.zarr/');
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await destroyBucket(bucket);
  });

  it('starts only for a dataset (at its address, while keys are asked), never on other pages, and serves every group of the store', async () => {
    const { page, errors } = await newPage(browser);
    const started: string[] = [];
    const ended: string[] = [];
    page.on('worker', (w) => {
      if (!/zarr/i.test(w.url())) return;
      started.push(w.url());
      w.on('close', () => ended.push(w.url()));
    });
    // The connect page and a folder's address start no Zarr worker.
    await page.goto(`${appUrl}#/b/${bucket}/data/`);
    await page.waitForSelector('form.connect');
    await page.waitForLoadState('networkidle');
    expect(started).toEqual([]);
    // A dataset's address does, while keys are asked for: its decoders are ready when the dataset opens.
    await page.goto(`${appUrl}#/dataset/${bucket}/data/groups.zarr`);
    await page.reload();
    await page.waitForSelector('form.connect');
    await expect.poll(() => started.length).toBe(1);

    await connectAgain(page);
    await page.waitForSelector('[data-testid="group-a"]');
    await drawn(page);
    expect(started).toHaveLength(1);

    await page.click('[data-testid="group-a"]');
    await page.waitForSelector('[data-testid="var-tas"]');
    await drawn(page);
    await page.click('[data-testid="group-crumbs"] a:text("store root")');
    await page.waitForSelector('[data-testid="var-orog"]');
    await drawn(page);
    // One worker, handed from each group's view to the next.
    expect(started).toHaveLength(1);
    expect(ended).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('that cannot load (the app redeployed under an open page) ends the open with a message, not a wait for ever', async () => {
    const { page } = await newPage(browser);
    // The worker's script is gone, as after a redeploy replaced the hashed files.
    await page.route(/zarr\.worker/, (route) => route.fulfill({ status: 404, body: 'not found' }));
    await page.goto(`${appUrl}#/dataset/${bucket}/data/groups.zarr`);
    await page.waitForSelector('form.connect');
    await connectAgain(page);
    const error = await page.waitForSelector('[data-testid="dataset-error"]', { timeout: 60_000 });
    expect(await error.textContent()).toMatch(/could not start.*Reload the page/s);
    await page.context().close();
  });
});
