/**
 * Connections in Chromium against the real RGW: each import format, profiles
 * with sealed keys (never stored in plain text) and switching without a
 * reload, and opening a public folder or object by URL where anonymous
 * listing is refused but reads are allowed.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, newPage } from '../helpers/browser';
import { loadRgwEnv } from '../helpers/rgw-env';
import { createBucket, destroyBucket, rgwClient, uniqueBucket } from '../helpers/s3';
import { PutBucketPolicy, PutObject } from '../../src/lib/s3/ops/index';

// This run's app origin (its port is chosen free at start, or pinned with TESSERA_E2E_PORT).
const ORIGIN = new URL(inject('appUrl')).origin;

describe('Explorer connections', () => {
  let browser: Browser;
  const appUrl = inject('appUrl');
  const env = loadRgwEnv();
  const bucket = uniqueBucket('explorer-conn');
  const host = env ? new URL(env.endpoint).host : '';

  beforeAll(async () => {
    await createBucket(bucket, { corsOrigins: [ORIGIN] });
    const client = rgwClient();
    await client.send(PutObject, { bucket, key: 'public/readme.txt', body: 'anyone may read this', contentType: 'text/plain' });
    // JASMIN's "read-only for everyone": GetObject for all, but no ListBucket.
    const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: ['s3:GetObject'], Resource: [`arn:aws:s3:::${bucket}/*`] }] };
    await client.send(PutBucketPolicy, { bucket, policy: JSON.stringify(policy) });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await destroyBucket(bucket);
  });

  async function importAndConnect(page: Page, text: string, expectEndpoint: string): Promise<void> {
    await page.goto(appUrl);
    await page.click('[data-testid="import"] summary');
    await page.fill('textarea[name="importText"]', text);
    await page.click('[data-testid="import-read"]');
    await page.waitForSelector('[data-testid="import-found"]');
    expect(await page.inputValue('input[name="importEndpoint0"]')).toBe(expectEndpoint);
    await page.click('[data-testid="import-use-0"]');
    await page.waitForSelector('[data-testid="connection"]');
    // Connected with those keys: the bucket opens and lists.
    await page.fill('input[name="bucket"]', bucket);
    await page.click('form.open button[type="submit"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="listing-status"]')?.textContent?.includes('listed in'));
  }

  it('imports ~/.s3cfg, JASMIN JSON, mc config.json and ~/.aws files, and connects with each', async () => {
    const { page, errors, context } = await newPage(browser);
    await importAndConnect(page, `[default]\naccess_key = ${env.accessKeyId}\nsecret_key = ${env.secretAccessKey}\nhost_base = ${host}\nhost_bucket = ${host}\nuse_https = False\n`, env.endpoint);
    await importAndConnect(page, JSON.stringify({ token: env.accessKeyId, secret: env.secretAccessKey, endpoint_url: env.endpoint }), env.endpoint);
    await importAndConnect(page, JSON.stringify({ version: '10', aliases: { rgw: { url: env.endpoint, accessKey: env.accessKeyId, secretKey: env.secretAccessKey, api: 's3v4', path: 'auto' } } }), env.endpoint);
    await importAndConnect(page, `[default]\naws_access_key_id = ${env.accessKeyId}\naws_secret_access_key = ${env.secretAccessKey}\n\n[default]\nregion = us-east-1\nendpoint_url = ${env.endpoint}\n`, env.endpoint);

    // JASMIN's internal host is turned into the external HTTPS one, with a note why.
    await page.goto(appUrl);
    await page.click('[data-testid="import"] summary');
    await page.fill('textarea[name="importText"]', JSON.stringify({ token: 'T', secret: 'S', endpoint_url: 'http://my-tenancy-o.s3.jc.rl.ac.uk' }));
    await page.click('[data-testid="import-read"]');
    expect(await page.inputValue('input[name="importEndpoint0"]')).toBe('https://my-tenancy-o.s3-ext.jc.rl.ac.uk');
    expect(await page.textContent('[data-testid="import-found"]')).toContain("JASMIN's internal endpoint");
    // Nonsense gets a plain answer.
    await page.fill('textarea[name="importText"]', 'hello');
    await page.click('[data-testid="import-read"]');
    expect(await page.textContent('[data-testid="import"] [role="alert"]')).toContain('Not a credentials file');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('saves a profile with sealed keys, connects after a reload with the passphrase, and switches without reloading', async () => {
    const { page, errors, context } = await newPage(browser);
    await page.goto(appUrl);
    await page.fill('input[name="endpoint"]', env.endpoint);
    await page.fill('input[name="accessKeyId"]', env.accessKeyId);
    await page.fill('input[name="secretAccessKey"]', env.secretAccessKey);
    await page.click('summary:has-text("Save as a named connection")');
    await page.fill('input[name="profileName"]', 'main user');
    await page.fill('input[name="profilePassphrase"]', 'correct horse battery');
    await page.click('form.connect button[type="submit"]');
    await page.waitForSelector('[data-testid="connection"]');
    // Sealing (PBKDF2) and saving can finish just after the connection shows.
    await page.waitForFunction(() => JSON.stringify(localStorage).includes('main user'));
    const stored = await page.evaluate(() => JSON.stringify(localStorage));
    expect(stored).toContain('main user');
    expect(stored).not.toContain(env.secretAccessKey);

    await page.reload();
    await page.waitForSelector('[data-testid="profiles"]');
    await page.fill('input[aria-label="Passphrase for main user"]', 'wrong passphrase');
    await page.click('[data-testid="profiles"] button[type="submit"]');
    expect(await page.textContent('[data-testid="profiles"] [role="alert"]')).toContain('Wrong passphrase');
    await page.fill('input[aria-label="Passphrase for main user"]', 'correct horse battery');
    await page.click('[data-testid="profiles"] button[type="submit"]');
    await page.waitForSelector('[data-testid="connection"]');
    expect(await page.textContent('[data-testid="connection"]')).toContain('main user');

    // Switch to the other user's keys: same page, no reload (a marker on window survives).
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
    await page.click('[data-testid="switch-connection"]');
    await page.fill('input[name="endpoint"]', env.endpoint);
    await page.fill('input[name="accessKeyId"]', env.otherAccessKeyId);
    await page.fill('input[name="secretAccessKey"]', env.otherSecretAccessKey);
    await page.click('form.connect button[type="submit"]');
    await page.waitForFunction((hint) => document.querySelector('[data-testid="connection"]')?.textContent?.includes(hint), env.otherAccessKeyId.slice(0, 4));
    expect(await page.evaluate(() => (window as unknown as { marker: number }).marker)).toBe(42);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('opens a public object and folder by URL where anonymous listing is refused', async () => {
    const { page, errors, context } = await newPage(browser);
    await page.goto(appUrl);
    await page.fill('input[name="openUrl"]', `${env.endpoint}/${bucket}/public/readme.txt`);
    await page.click('[data-testid="open-url"] button[type="submit"]');
    await page.waitForSelector('[data-testid="look-text"]');
    expect(await page.textContent('[data-testid="look-text"]')).toBe('anyone may read this');
    expect(await page.textContent('[data-testid="connection"]')).toContain('anonymous');

    await page.goto(appUrl);
    await page.fill('input[name="openUrl"]', `s3://${bucket}/public/`);
    await page.fill('input[name="openEndpoint"]', env.endpoint);
    await page.click('[data-testid="open-url"] button[type="submit"]');
    await page.waitForSelector('[data-testid="known-key"]');
    await page.fill('input[name="knownKey"]', 'readme.txt');
    await page.click('[data-testid="known-key"] button[type="submit"]');
    await page.waitForSelector('[data-testid="look-text"]');
    expect(await page.textContent('[data-testid="object-key"]')).toBe('readme.txt');
    expect(errors).toEqual([]);
    await context.close();
  });
});
