/**
 * Connecting on the way to a dataset (the app opened at its address), in
 * Chromium against the real RGW: the dataset's open is sent alongside the
 * connection's check instead of after it, and keys the check refuses still
 * give the check's clear error in the connect form, with no dataset view
 * (its reads, signed with the refused keys, are cancelled); the right keys
 * then open and draw the dataset.
 *
 * The dataset's view is shown while the check runs (it draws as soon as its
 * chunks arrive), and goes again if the check refuses the keys.
 *
 * The store is reached through a relay that adds CORS to every answer (as
 * MinIO does), so the page can read the refusal, and that holds the check
 * (a GET of the service root) until the dataset's first read has arrived:
 * an app that opened the dataset only after the check would get no answer
 * to it until its time limit, then connect unchecked and show the
 * dataset's own failure instead.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, newPage } from '../helpers/browser';
import { loadRgwEnv } from '../helpers/rgw-env';
import { startCorsProxy, type CorsProxy } from '../helpers/cors-proxy';
import { makeReadableByAnyone } from '../integration/zarr/fixtures';
import { fixtureBucket, settled } from './zarr-helpers';

describe('connecting at a dataset’s address', () => {
  const appUrl = inject('appUrl');
  let bucket: string;
  let browser: Browser;
  let relay: CorsProxy;
  let dispose = async () => {};
  /** Paths the relay saw, in order. */
  const seen: string[] = [];

  beforeAll(async () => {
    ({ bucket, dispose } = await fixtureBucket('dataset-connect', new URL(appUrl).origin));
    relay = await startCorsProxy(loadRgwEnv().endpoint, {
      hold: {
        what: (method, path) => (seen.push(`${method} ${path}`), method === 'GET' && path === '/'),
        until: (_method, path) => path.startsWith(`/${bucket}/data/chunkings.zarr/`),
      },
    });
    browser = await launchBrowser();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await relay?.close();
    await dispose();
  });

  it('opens the dataset while the keys are checked; refused keys give the check’s error and no dataset; the right keys draw it', async () => {
    const { page, context, errors } = await newPage(browser);
    const env = loadRgwEnv();
    await page.goto(`${appUrl}#/dataset/${bucket}/data/chunkings.zarr`);
    await page.fill('input[name="endpoint"]', relay.endpoint);
    await page.fill('input[name="accessKeyId"]', env.accessKeyId);
    await page.fill('input[name="secretAccessKey"]', 'definitely-not-the-right-secret-00000000');
    await page.click('form.connect button[type="submit"]');
    // Whichever comes first: the form's error, or (connected anyway) the dataset view.
    await page.waitForSelector('[data-testid="connect-error"], [data-testid="connection"]', { timeout: 60_000 });
    expect(await page.locator('[data-testid="connection"]').count()).toBe(0);
    expect(await page.getByTestId('connect-error').textContent()).toBe(
      `${relay.endpoint} refused the secret key (SignatureDoesNotMatch): check it, it is shown only once when the key is made.`,
    );
    expect(await page.locator('[data-testid="dataset-summary"], [data-testid="dataset-error"]').count()).toBe(0);
    // The check was answered because the dataset's read had been sent before its answer.
    expect(seen.some((s) => s.includes(`/${bucket}/data/chunkings.zarr/`))).toBe(true);

    await page.fill('input[name="secretAccessKey"]', env.secretAccessKey);
    await page.click('form.connect button[type="submit"]');
    await page.waitForSelector('[data-testid="connection"]');
    await page.waitForSelector('[data-testid="dataset-summary"]');
    await settled(page);
    expect(await page.locator('[data-testid="dataset-error"]').count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows the dataset while the keys are still being checked, and the connection once the check answers', async () => {
    // The check is held until the test lets it go: the view must not wait for its answer.
    const held = await startCorsProxy(loadRgwEnv().endpoint, {
      hold: { what: (method, path) => method === 'GET' && path === '/', until: (_method, path) => path === '/release-the-check' },
    });
    try {
      const { page, context, errors } = await newPage(browser);
      const env = loadRgwEnv();
      await page.goto(`${appUrl}#/dataset/${bucket}/data/chunkings.zarr`);
      await page.fill('input[name="endpoint"]', held.endpoint);
      await page.fill('input[name="accessKeyId"]', env.accessKeyId);
      await page.fill('input[name="secretAccessKey"]', env.secretAccessKey);
      await page.click('form.connect button[type="submit"]');
      await page.waitForSelector('[data-testid="dataset-summary"]', { timeout: 30_000 });
      // Drawn while the check has no answer: no connection yet, the form is hidden and still holds what was typed.
      await settled(page);
      expect(await page.locator('[data-testid="connection"]').count()).toBe(0);
      expect(await page.locator('form.connect').isVisible()).toBe(false);
      expect(await page.inputValue('input[name="endpoint"]')).toBe(held.endpoint);
      await fetch(`${held.endpoint}/release-the-check`).catch(() => undefined);
      await page.waitForSelector('[data-testid="connection"]');
      expect(await page.locator('[data-testid="dataset-summary"]').count()).toBe(1);
      expect(await page.locator('[data-testid="dataset-error"], [data-testid="connect-error"]').count()).toBe(0);
      expect(errors).toEqual([]);
      await context.close();
    } finally {
      await held.close();
    }
  });
  it('keeps a public link’s endpoint in the address the view writes while the anonymous connection is checked', async () => {
    await makeReadableByAnyone(bucket);
    const held = await startCorsProxy(loadRgwEnv().endpoint, {
      hold: { what: (method, path) => method === 'GET' && path === '/', until: (_method, path) => path === '/release-the-check' },
    });
    try {
      const { page, context, errors } = await newPage(browser);
      await page.goto(`${appUrl}#/dataset/${bucket}/data/chunkings.zarr?at=${held.endpoint}`);
      await page.waitForSelector('[data-testid="dataset-summary"]', { timeout: 30_000 });
      await settled(page);
      // Drawn, and its variable written to the address, while the check has no answer.
      expect(await page.locator('[data-testid="connection"]').count()).toBe(0);
      expect(page.url()).toMatch(/var=/);
      expect(page.url()).toContain(`at=${held.endpoint}`);
      await fetch(`${held.endpoint}/release-the-check`).catch(() => undefined);
      await page.waitForSelector('[data-testid="connection"]');
      expect(page.url()).toContain(`at=${held.endpoint}`);
      expect(errors).toEqual([]);
      await context.close();
    } finally {
      await held.close();
    }
  });
});
