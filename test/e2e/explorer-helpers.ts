/**
 * Shared steps of the Explorer's browser tests: open the app at a deep link
 * and connect with the RGW's test keys through the real connect form.
 */
import type { Page } from 'playwright-core';
import { loadRgwEnv } from '../helpers/rgw-env';

/** Where to connect, and as whom (the RGW's test user by default). */
export interface ConnectAs {
  who?: 'main' | 'anonymous';
  /** Another endpoint for the same store (an HTTPS front, a proxy); the RGW's own by default. */
  endpoint?: string;
  /** Another secret key (a wrong one, to see the refusal). */
  secret?: string;
}

export async function connectAt(page: Page, appUrl: string, hash: string, who: 'main' | 'anonymous' | ConnectAs = 'main'): Promise<void> {
  await page.goto(appUrl + hash);
  await connectAgain(page, who);
}

/** Fill the connect form on screen, e.g. after a reload (keys live only in the worker, so a reload forgets them). */
export async function connectAgain(page: Page, as: 'main' | 'anonymous' | ConnectAs = 'main'): Promise<void> {
  const env = loadRgwEnv();
  const { who = 'main', endpoint = env.endpoint, secret = env.secretAccessKey } = typeof as === 'string' ? { who: as } : as;
  await page.fill('input[name="endpoint"]', endpoint);
  if (who === 'anonymous') await page.check('input[name="anonymous"]');
  else {
    await page.fill('input[name="accessKeyId"]', env.accessKeyId);
    await page.fill('input[name="secretAccessKey"]', secret);
  }
  await page.click('form.connect button[type="submit"]');
  await page.waitForSelector('[data-testid="connection"]');
}

/** Text of the listing status line once it no longer says "loading". */
export async function settledStatus(page: Page, timeout = 120_000): Promise<string> {
  await page.waitForFunction(
    () => {
      const s = document.querySelector('[data-testid="listing-status"]')?.textContent ?? '';
      return s.includes('listed in') || !!document.querySelector('[role="alert"]');
    },
    undefined,
    { timeout },
  );
  return (await page.textContent('[data-testid="listing-status"]')) ?? '';
}

/** The key text of every <tr> currently in the table body. */
export function visibleNames(page: Page): Promise<string[]> {
  return page.$$eval('[data-testid="objects"] tbody tr td.key > a:first-child', (as) => as.map((a) => a.textContent ?? ''));
}
