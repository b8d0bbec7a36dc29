/**
 * Debian's Chromium driven by playwright-core (browsers cannot be downloaded
 * here). The flags keep it from reaching for Google's hosts on a closed network.
 */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { existsSync } from 'node:fs';

export const CHROMIUM = process.env.TESSERA_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  // Chromium 156 preloads its omnibox popup (a "top chrome" WebUI renderer of
  // Lit components) for every new context, headless or not: ~1 CPU-second per
  // context that competed with the page under test and was counted as renderer
  // CPU in the benchmarks. Playwright merges this list with its own.
  '--disable-features=WebUIOmniboxPopup,WebUIOmniboxFullPopup,WebUIOmniboxAimPopup',
];

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: run scripts/install-deps.sh (Debian package chromium).`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/** A fresh context and page that fail the test on uncaught page errors. */
export async function newPage(browser: Browser): Promise<{ context: BrowserContext; page: Page; errors: string[]; consoleLines: string[] }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors: string[] = [];
  const consoleLines: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
  return { context, page, errors, consoleLines };
}
