/**
 * The first slice end to end in Debian Chromium against the real RGW:
 * connect with keys, open a bucket by name, see its objects and folders,
 * and get a clear message for wrong keys and for missing CORS.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import * as ops from '../../src/lib/s3/ops/index';
import { createBucket, destroyBucket, rgwClient, uniqueBucket } from '../helpers/s3';
import { loadRgwEnv } from '../helpers/rgw-env';
import { launchBrowser, newPage } from '../helpers/browser';

const appUrl = inject('appUrl');
const origin = new URL(appUrl).origin;
// No slash in it, so it stays at the top level rather than becoming a folder.
const HOSTILE = '<img src=x onerror="window.__pwned=1"> & <svg onload=alert(2)> %2F 😀.txt';

let browser: Browser;
let bucket: string;
let noCorsBucket: string;

beforeAll(async () => {
  bucket = uniqueBucket('e2e');
  noCorsBucket = uniqueBucket('e2e-nocors');
  await createBucket(bucket, { corsOrigins: [origin] });
  await createBucket(noCorsBucket);
  const c = rgwClient();
  for (const key of ['readme.txt', 'data/a.nc', 'data/b.nc', 'data/deeper/c.nc', HOSTILE]) {
    await c.send(ops.PutObject, { bucket, key, body: `body of ${key}` });
  }
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await destroyBucket(bucket);
  await destroyBucket(noCorsBucket);
});

async function connect(page: Page, secret?: string): Promise<void> {
  const env = loadRgwEnv();
  await page.goto(appUrl);
  await page.fill('input[name=endpoint]', env.endpoint);
  await page.fill('input[name=accessKeyId]', env.accessKeyId);
  await page.fill('input[name=secretAccessKey]', secret ?? env.secretAccessKey);
  await page.getByRole('button', { name: 'Connect' }).click();
  await page.getByRole('heading', { name: 'Buckets' }).waitFor();
}

async function openBucket(page: Page, name: string): Promise<void> {
  await page.fill('input[name=bucket]', name);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
}

describe('foundation slice in Chromium', () => {
  it('connects, opens a bucket by name and shows objects and folders, keys as text', async () => {
    const { page, errors, context } = await newPage(browser);
    let dialogs = 0;
    page.on('dialog', (d) => {
      dialogs++;
      void d.dismiss();
    });
    await connect(page);
    // ListBuckets gets no CORS from the store: the app says so and offers typing a name.
    await expect(page.getByTestId('list-buckets-note').textContent()).resolves.toMatch(/does not let a web page list all buckets/);
    await openBucket(page, bucket);
    const table = page.getByTestId('objects');
    await table.getByText('readme.txt').waitFor();
    await expect(page.getByTestId('listing-status').textContent()).resolves.toMatch(/2 objects/);
    // Plain HTTP to the store on loopback: HTTP/1.1, as its answers' status lines say ("200 OK").
    await page.getByTestId('listing-protocol').waitFor();
    await expect(page.getByTestId('listing-protocol').textContent()).resolves.toBe('HTTP/1.1');
    await expect(page.getByTestId('listing-status').textContent()).resolves.toMatch(/listed in [\d.]+ s, over HTTP\/1\.1/);
    const names = await table.locator('tbody tr td.key').allTextContents();
    expect(names).toEqual(expect.arrayContaining(['data/', 'readme.txt', HOSTILE]));
    // The hostile key is shown verbatim, as text: no element was injected, nothing ran.
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await table.locator('img, svg, script').count()).toBe(0);
    expect(dialogs).toBe(0);
    expect(page.url()).toContain(`#/b/${bucket}/`);

    await table.getByRole('link', { name: 'data/' }).click();
    await table.getByText('a.nc').waitFor();
    expect(await table.locator('tbody tr td.key').allTextContents()).toEqual(['deeper/', 'a.nc', 'b.nc']);
    expect(page.url()).toContain(`#/b/${bucket}/data/`);

    // The bucket is remembered (by name only) for next time.
    await page.getByRole('link', { name: 'Buckets' }).click();
    await page.getByTestId('remembered-buckets').getByText(bucket).waitFor();

    // The secret is nowhere the page can leak it from.
    const env = loadRgwEnv();
    const html = await page.content();
    const storage = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + location.href);
    expect(html).not.toContain(env.secretAccessKey);
    expect(storage).not.toContain(env.secretAccessKey);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a deep link survives a reload: keys asked again, then straight back to the folder', async () => {
    const { page, context } = await newPage(browser);
    const env = loadRgwEnv();
    await page.goto(`${appUrl}#/b/${bucket}/data/`);
    await page.fill('input[name=endpoint]', env.endpoint);
    await page.fill('input[name=accessKeyId]', env.accessKeyId);
    await page.fill('input[name=secretAccessKey]', env.secretAccessKey);
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.getByTestId('objects').getByText('b.nc').waitFor();
    await context.close();
  });

  it('wrong secret: a clear message, and the check names the cause', async () => {
    const { page, context } = await newPage(browser);
    await connect(page, 'definitely-not-the-right-secret-00000000');
    await openBucket(page, bucket);
    // Diagnosed at once, without a click.
    await page.getByTestId('diagnosis').getByText('Wrong keys').waitFor();
    const text = await page.getByTestId('diagnosis').textContent();
    expect(text).toMatch(/secret key \(or the access key\) is most likely wrong/);
    expect(text).not.toContain('definitely-not-the-right-secret');
    await context.close();
  });

  it('missing CORS: the check says so and gives the exact commands', async () => {
    const { page, context } = await newPage(browser);
    await connect(page);
    await openBucket(page, noCorsBucket);
    // RGW sends no CORS headers for a bucket it does not have either, so the page names both causes.
    const diagnosis = page.getByTestId('diagnosis');
    await diagnosis.getByText('No such bucket, or no CORS rule for this page').waitFor();
    const text = (await diagnosis.textContent()) ?? '';
    expect(text).toContain(`s3cmd setcors rules.xml s3://${noCorsBucket}`);
    expect(text).toContain(`<AllowedOrigin>${origin}</AllowedOrigin>`);
    expect(text).toContain('<ExposeHeader>ETag</ExposeHeader>');
    await context.close();
  });

  it('an unknown bucket is named as such', async () => {
    const { page, context } = await newPage(browser);
    await connect(page);
    await openBucket(page, 'tt-there-is-no-such-bucket');
    await page.getByTestId('diagnosis').getByText(/No such bucket/).waitFor();
    await context.close();
  });
});
