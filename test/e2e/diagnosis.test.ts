/**
 * Diagnoses in Chromium against the real RGW: a dead endpoint, a missing
 * bucket, an invalid bucket name and wrong keys are each named as such, at
 * Connect or at the first failure, without a click, and CORS commands are
 * printed only where CORS may be the cause.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, newPage } from '../helpers/browser';
import { loadRgwEnv } from '../helpers/rgw-env';
import { createBucket, destroyBucket, uniqueBucket } from '../helpers/s3';
import { startFaultProxy } from '../helpers/fault-proxy';
import { startCorsProxy, type CorsProxy } from '../helpers/cors-proxy';

const appUrl = inject('appUrl');
const ORIGIN = new URL(appUrl).origin;
const DEAD = 'http://127.0.0.1:9';
const UNCHECKED = "Connected; the keys could not be checked from this page because the store's service endpoint sends no CORS; they will be checked when you open a bucket.";

let browser: Browser;
let bucket: string;
let corsProxy: CorsProxy;

beforeAll(async () => {
  bucket = uniqueBucket('diag');
  await createBucket(bucket, { corsOrigins: [ORIGIN] });
  corsProxy = await startCorsProxy(loadRgwEnv().endpoint);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await corsProxy?.close();
  await destroyBucket(bucket);
});

interface Login {
  endpoint: string;
  secret?: string;
  anonymous?: boolean;
}

/** Fill and submit the connect form; the caller waits for what should follow. */
async function submitConnect(page: Page, login: Login): Promise<void> {
  const env = loadRgwEnv();
  await page.fill('input[name="endpoint"]', login.endpoint);
  if (login.anonymous) await page.check('input[name="anonymous"]');
  else {
    await page.fill('input[name="accessKeyId"]', env.accessKeyId);
    await page.fill('input[name="secretAccessKey"]', login.secret ?? env.secretAccessKey);
  }
  await page.click('form.connect button[type="submit"]');
}

async function connect(page: Page, login: Login): Promise<void> {
  await page.goto(appUrl);
  await submitConnect(page, login);
  await page.waitForSelector('[data-testid="connection"]');
}

async function openBucket(page: Page, name: string): Promise<void> {
  await page.fill('input[name="bucket"]', name);
  await page.click('form.open button[type="submit"]');
}

/** The diagnosis that appears on its own under the failure (nothing is clicked), once it says `title`. */
async function diagnosisText(page: Page, title: string): Promise<string> {
  const d = page.getByTestId('diagnosis').filter({ hasText: title });
  await d.waitFor();
  return (await d.textContent()) ?? '';
}

/** Go to a route in the same document: the keys live in the worker, which a reload would end. */
async function route(page: Page, hash: string): Promise<void> {
  await page.evaluate((h) => {
    location.hash = h;
  }, hash);
}

/** Every URL the page and its workers ask for. */
function recordRequests(context: BrowserContext): string[] {
  const urls: string[] = [];
  context.on('request', (r) => urls.push(r.url()));
  return urls;
}

describe('diagnosis in Chromium', () => {
  it('a dead endpoint: Connect says nothing answers there and does not connect', async () => {
    const { page, context, errors } = await newPage(browser);
    await page.goto(appUrl);
    await submitConnect(page, { endpoint: `${DEAD}/` });
    const alert = page.getByTestId('connect-error');
    await alert.waitFor();
    expect(await alert.textContent()).toContain(`Nothing answers at ${DEAD}`);
    expect(await page.locator('[data-testid="connection"]').count()).toBe(0);
    expect(await page.content()).not.toMatch(/setcors|put-bucket-cors/);

    expect(errors).toEqual([]);
    await context.close();

    // Anonymously too: there are no keys to blame.
    const anonymous = await newPage(browser);
    await anonymous.page.goto(appUrl);
    await submitConnect(anonymous.page, { endpoint: DEAD, anonymous: true });
    const anonymousAlert = anonymous.page.getByTestId('connect-error');
    await anonymousAlert.waitFor();
    expect(await anonymousAlert.textContent()).toContain(`Nothing answers at ${DEAD}`);
    expect(await anonymousAlert.textContent()).not.toMatch(/keys/);
    expect(await anonymous.page.locator('[data-testid="connection"]').count()).toBe(0);
    expect(anonymous.errors).toEqual([]);
    await anonymous.context.close();
  });

  it('an endpoint that stops answering after Connect: the failed open is diagnosed at once as nothing answering', async () => {
    const proxy = await startFaultProxy(loadRgwEnv().endpoint);
    const { page, context, errors } = await newPage(browser);
    try {
      await connect(page, { endpoint: proxy.endpoint });
      await proxy.close();
      await openBucket(page, bucket);
      const text = await diagnosisText(page, 'Nothing answers at the endpoint');
      expect(text).toContain(`Nothing answers at ${proxy.endpoint}`);
      expect(await page.getByRole('alert').textContent()).not.toMatch(/setcors|put-bucket-cors|Missing CORS/);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
      await proxy.close();
    }
  });

  it('a missing bucket: diagnosed at once, both causes a page cannot tell apart named, the existence check first', async () => {
    const { page, context, errors } = await newPage(browser);
    const missing = uniqueBucket('diag-missing');
    await connect(page, { endpoint: loadRgwEnv().endpoint });
    await openBucket(page, missing);
    const text = await diagnosisText(page, 'No such bucket, or no CORS rule for this page');
    expect(text).toContain(`bucket "${missing}"`);
    expect(text).toMatch(/Either the bucket does not exist/);
    const fix = (await page.getByTestId('diagnosis-fix').textContent()) ?? '';
    expect(fix.indexOf(`s3cmd ls s3://${missing}`)).toBeGreaterThanOrEqual(0);
    expect(fix.indexOf(`s3cmd ls s3://${missing}`)).toBeLessThan(fix.indexOf('s3cmd setcors'));
    expect(text).not.toMatch(/Missing CORS|Wrong keys|Nothing answers/);

    // An anonymous user hears the same, without a word about keys.
    await page.click('[data-testid="switch-connection"]');
    await submitConnect(page, { endpoint: loadRgwEnv().endpoint, anonymous: true });
    await page.waitForFunction(() => document.querySelector('[data-testid="connection"]')?.textContent?.includes('anonymous'));
    await openBucket(page, missing);
    // Told to the bucket's owner, since an anonymous user cannot set the rule.
    await diagnosisText(page, 'its owner must give it a CORS rule');
    expect(await page.getByRole('alert').textContent()).not.toMatch(/keys/);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('an invalid bucket name typed in Open, in a route or in Create: its rule is named and nothing is sent for it', async () => {
    const { page, context, errors } = await newPage(browser);
    const urls = recordRequests(context);
    const env = loadRgwEnv();
    await connect(page, { endpoint: env.endpoint });
    // The recorder sees the worker's requests: the check made at Connect went to the store.
    expect(urls.some((u) => u.startsWith(env.endpoint))).toBe(true);

    await openBucket(page, 'localhost:9000/x');
    const problem = page.getByTestId('bucket-name-problem');
    await problem.waitFor();
    expect(await problem.textContent()).toMatch(/Not a valid bucket name: .*colon/);

    await openBucket(page, 'My Bucket');
    await page.waitForFunction(() => /whitespace/.test(document.querySelector('[data-testid="bucket-name-problem"]')?.textContent ?? ''));

    // The same name in a route: the core refuses it before building a URL.
    await route(page, '#/b/localhost:9000%2F/');
    const banner = page.getByRole('alert').filter({ hasText: 'Not a valid bucket name' });
    await banner.waitFor();
    expect(await banner.textContent()).toMatch(/colon/);
    await route(page, '#/o/localhost:9000%2F/readme.txt');
    await page.getByRole('alert').filter({ hasText: 'Not a valid bucket name' }).waitFor();

    // Create names the rule and prints no CORS commands for a name that cannot be.
    await route(page, '#/buckets');
    await page.click('[data-testid="create-bucket"] summary');
    await page.fill('input[name="newBucket"]', 'Bad_Name');
    await page.click('[data-testid="create-bucket"] button[type="submit"]');
    const createError = page.locator('[data-testid="create-bucket"] [role="alert"]');
    await createError.waitFor();
    expect(await createError.textContent()).toMatch(/Upper-case/);
    expect(await page.getByTestId('create-bucket').textContent()).not.toMatch(/setcors|put-bucket-cors/);

    expect(urls.filter((u) => /localhost(:|%3A)9000|My%20Bucket|Bad_Name/i.test(u))).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('the CORS doctor: a conditional fix for a bucket that may not exist, none for an endpoint that stopped answering', async () => {
    const proxy = await startFaultProxy(loadRgwEnv().endpoint);
    const { page, context, errors } = await newPage(browser);
    const missing = uniqueBucket('diag-doctor');
    try {
      await connect(page, { endpoint: proxy.endpoint });
      await route(page, `#/settings/${missing}`);
      const doctor = page.getByTestId('cors-doctor');
      await doctor.getByTestId('fix-steps').waitFor();
      const text = (await doctor.textContent()) ?? '';
      expect(text).toContain('Either the bucket does not exist');
      expect(text.indexOf(`s3cmd ls s3://${missing}`)).toBeGreaterThanOrEqual(0);
      expect(text.indexOf(`s3cmd ls s3://${missing}`)).toBeLessThan(text.indexOf(`s3cmd setcors rules.xml s3://${missing}`));

      await proxy.close();
      await route(page, `#/settings/${bucket}`);
      const blocker = doctor.getByTestId('cors-blocker');
      await blocker.waitFor();
      expect(await blocker.textContent()).toContain(`Nothing answers at ${proxy.endpoint}`);
      expect(await doctor.getByTestId('fix-steps').count()).toBe(0);
      expect(await doctor.textContent()).not.toMatch(/setcors|put-bucket-cors/);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
      await proxy.close();
    }
  });

  it('wrong keys at Connect, where the service endpoint sends no CORS (RGW): said plainly, then named at the first bucket', async () => {
    const { page, context, errors } = await newPage(browser);
    await connect(page, { endpoint: loadRgwEnv().endpoint, secret: 'definitely-not-the-right-secret-00000000' });
    expect(await page.getByTestId('connection-check').textContent()).toBe(UNCHECKED);
    await openBucket(page, bucket);
    const text = await diagnosisText(page, 'Wrong keys');
    expect(text).not.toContain('definitely-not-the-right-secret');
    expect(await page.getByRole('alert').textContent()).not.toMatch(/setcors|put-bucket-cors/);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('wrong keys at Connect, where the service endpoint answers with CORS: refused at once; right keys are confirmed', async () => {
    const { page, context, errors } = await newPage(browser);
    await page.goto(appUrl);
    await submitConnect(page, { endpoint: corsProxy.endpoint, secret: 'definitely-not-the-right-secret-00000000' });
    const alert = page.getByTestId('connect-error');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/refused the secret key \(SignatureDoesNotMatch\)/);
    expect(await page.locator('[data-testid="connection"]').count()).toBe(0);

    await page.fill('input[name="secretAccessKey"]', loadRgwEnv().secretAccessKey);
    await page.click('form.connect button[type="submit"]');
    await page.waitForSelector('[data-testid="connection"]');
    expect(await page.getByTestId('connection-check').textContent()).toContain(`${corsProxy.endpoint} accepted the keys`);
    expect(errors).toEqual([]);
    await context.close();
  });
});
