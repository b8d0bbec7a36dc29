/**
 * Browsing at scale in Chromium against the real RGW: a 100,000-object prefix
 * fills a windowed table page by page (count and size growing, the DOM holding
 * only the rows on screen), sorts, filters, and `du`/find walk it with progress.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, newPage } from '../helpers/browser';
import { BIG_BUCKET, BIG_COUNT, bigTotalBytes, ensureBigPrefix } from '../integration/explorer/fixture-100k';
import { connectAt, settledStatus, visibleNames } from './explorer-helpers';

describe('Explorer at scale', () => {
  let browser: Browser;
  const appUrl = inject('appUrl');

  beforeAll(async () => {
    await ensureBigPrefix();
    browser = await launchBrowser();
  }, 600_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('lists 100,000 keys into a windowed table with the count and size growing', async () => {
    const { page, errors, context } = await newPage(browser);
    await connectAt(page, appUrl, `#/b/${BIG_BUCKET}/big/`);
    // While it fills: rows are on screen before the listing ends.
    await page.waitForSelector('[data-testid="objects"] tbody tr');
    const early = (await page.textContent('[data-testid="listing-status"]')) ?? '';
    const status = await settledStatus(page);
    expect(status).toContain(`${BIG_COUNT.toLocaleString('en-GB')} objects`);
    expect(early).not.toContain('listed in');
    const rows = await page.$$eval('[data-testid="objects"] tbody tr', (trs) => trs.length);
    expect(rows).toBeGreaterThan(5);
    expect(rows).toBeLessThan(200);
    const first = await visibleNames(page);
    expect(first[0]).toBe('obj-000000.txt');
    // Total size of the prefix, as the store reports it.
    const total = bigTotalBytes();
    expect(status).toMatch(/objects, [\d.]+ (KiB|MiB)/);
    expect(total).toBeGreaterThan(0);

    // The keyboard takes the table to its end: the last keys appear, still only a window of rows.
    await page.focus('[data-testid="objects-scroller"]');
    await page.keyboard.press('End');
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="objects"] tbody td.key')].some((td) => td.textContent === 'obj-099999.txt'));
    expect(await page.$$eval('[data-testid="objects"] tbody tr', (trs) => trs.length)).toBeLessThan(200);

    // Sort by size, descending first: the biggest objects (96 bytes) lead.
    await page.$eval('[data-testid="objects-scroller"]', (el) => el.scrollTo(0, 0));
    await page.click('[data-testid="sort-size"]');
    await page.waitForFunction(() => document.querySelector('th[aria-sort="descending"] [data-testid="sort-size"]'));
    const bySize = await page.$$eval('[data-testid="objects"] tbody tr td.num', (tds) => tds.slice(0, 3).map((t) => t.textContent));
    expect(bySize).toEqual(['96 B', '96 B', '96 B']);
    // Name, descending.
    await page.click('[data-testid="sort-name"]');
    await page.click('[data-testid="sort-name"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="objects"] tbody td.key')?.textContent === 'obj-099999.txt');

    // Filter: substring and wildcard, over all 100,000 rows.
    // Filter: substring and wildcard, over all 100,000 rows (counted here the same way).
    let expected = 0;
    for (let i = 0; i < BIG_COUNT; i++) if (`obj-${String(i).padStart(6, '0')}.txt`.includes('0999')) expected++;
    await page.fill('[data-testid="filter"]', '0999');
    await page.waitForFunction((n) => document.querySelector('[data-testid="listing-status"]')?.textContent?.includes(`${n} shown by the filter`), expected.toLocaleString('en-GB'));
    const shown = await visibleNames(page);
    expect(shown.length).toBeGreaterThan(5);
    expect(shown.every((n) => n.includes('0999'))).toBe(true);
    await page.fill('[data-testid="filter"]', 'obj-00000?.txt');
    await page.waitForFunction(() => document.querySelector('[data-testid="listing-status"]')?.textContent?.includes('10 shown'));
    expect(errors).toEqual([]);
    await context.close();
  });

  it('du and find walk the prefix with progress, and find can be cancelled', async () => {
    const { page, errors, context } = await newPage(browser);
    await connectAt(page, appUrl, `#/b/${BIG_BUCKET}/`);
    await settledStatus(page);
    await page.click('[data-testid="open-du"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="walk-status"]')?.textContent?.includes('complete'), undefined, { timeout: 120_000 });
    const du = (await page.textContent('[data-testid="walk-status"]')) ?? '';
    // The bucket holds the 100,000 keys plus the fixture's marker object.
    expect(du).toContain(`${(BIG_COUNT + 1).toLocaleString('en-GB')} objects`);

    await page.click('[data-testid="open-find"]');
    await page.fill('input[name="find"]', '12345');
    await page.click('[data-testid="walk-panel"] button[type="submit"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="walk-status"]')?.textContent?.includes('complete'), undefined, { timeout: 120_000 });
    expect(await page.$$eval('[data-testid="find-results"] li a', (as) => as.map((a) => a.textContent))).toEqual(['big/obj-012345.txt']);

    // Cancel a walk half-way: it stops and says the result is partial. Listing pages after the
    // first are held until then, so a fast store cannot finish the walk before the click.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let pages = 0;
    const isListing = (url: URL) => url.pathname.replace(/\/$/, '') === `/${BIG_BUCKET}` && url.searchParams.get('list-type') === '2';
    await context.route(isListing, async (route) => {
      if (++pages > 1) await held;
      await route.continue().catch(() => undefined);
    });
    await page.fill('input[name="find"]', 'obj');
    await page.click('[data-testid="walk-panel"] button[type="submit"]');
    await page.waitForSelector('[data-testid="walk-cancel"]');
    // Cancel once the walk is held at its second page (a click before it asked for one raced it).
    await expect.poll(() => pages, { timeout: 30_000 }).toBeGreaterThan(1);
    await page.click('[data-testid="walk-cancel"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="walk-status"]')?.textContent?.includes('cancelled'));
    release();
    await context.unroute(isListing);
    expect(pages).toBeGreaterThan(1); // the walk was under way, held at its second page
    expect(errors).toEqual([]);
    await context.close();
  });
});
