/**
 * The page's security in Chromium against the real RGW and the built app:
 * - after a full session (keys pasted into the import box and saved sealed
 *   with a passphrase, a reload and an unlock with it, browse, upload,
 *   quick look, download, share, a dataset drawn), the secret key and the
 *   passphrase are nowhere the page can reach or leak: localStorage,
 *   sessionStorage, IndexedDB, OPFS, cookies, the DOM and every input value,
 *   the console, the page's JavaScript heap, every request URL and body;
 *   presigned URLs only in the share box the user asked for;
 * - every request of that session (page and workers) goes to the app's own
 *   origin or the store's; the Content Security Policy reported no violation;
 * - an inline script, inserted by script or present in a modified copy of
 *   index.html, is blocked by the built app's policy;
 * - "forget all keys" leaves no sealed record behind; a share link cannot
 *   outlive the key's recorded expiry;
 * - served from a bucket of the store it talks to, the app warns and keeps
 *   no sealed keys unless the user insists.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser, newPage } from '../helpers/browser';
import { createBucket, destroyBucket, rgwClient } from '../helpers/s3';
import { loadRgwEnv } from '../helpers/rgw-env';
import { PutObject } from '../../src/lib/s3/ops/index';
import { routeToHash } from '../../src/state/router.svelte';
import { makeFixtures, uploadDir } from '../integration/zarr/fixtures';
import { settledStatus } from './explorer-helpers';
import { settled } from './zarr-helpers';
import { aws } from '../helpers/cli';

const appUrl = inject('appUrl');
const appDir = inject('appDir');
const ORIGIN = new URL(appUrl).origin;
const PASSPHRASE = 'a passphrase nobody else knows 7431';

interface Violation {
  directive: string;
  blocked: string;
  sample: string;
}

/** Record every CSP violation from the first byte of every document. */
async function watchViolations(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const w = window as unknown as { __violations: Violation[] };
    w.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__violations.push({ directive: e.effectiveDirective, blocked: e.blockedURI, sample: e.sample }));
  });
}

const violations = (page: Page) => page.evaluate(() => (window as unknown as { __violations: Violation[] }).__violations);

/** Everything the page can reach in storage, as text: local/session storage, every IndexedDB record, every OPFS file, cookies. */
async function storageDump(page: Page, context: BrowserContext): Promise<Record<string, string>> {
  const inPage = await page.evaluate(async () => {
    const out: Record<string, string> = {};
    const kv = (s: Storage) => JSON.stringify(Object.fromEntries(Array.from({ length: s.length }, (_, i) => [s.key(i), s.getItem(s.key(i)!)])));
    out.localStorage = kv(localStorage);
    out.sessionStorage = kv(sessionStorage);
    out.cookie = document.cookie;
    const idb: string[] = [];
    for (const info of await indexedDB.databases()) {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const r = indexedDB.open(info.name!);
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      for (const name of Array.from(db.objectStoreNames)) {
        const rows = await new Promise<unknown[]>((resolve, reject) => {
          const r = db.transaction(name).objectStore(name).getAll();
          r.onsuccess = () => resolve(r.result);
          r.onerror = () => reject(r.error);
        });
        idb.push(`${info.name}/${name}: ${JSON.stringify(rows)}`);
      }
      db.close();
    }
    out.indexedDB = idb.join('\n');
    const files: string[] = [];
    async function walk(dir: FileSystemDirectoryHandle, path: string): Promise<void> {
      for await (const [name, handle] of (dir as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }).entries()) {
        if (handle.kind === 'directory') await walk(handle as FileSystemDirectoryHandle, `${path}${name}/`);
        else {
          const bytes = new Uint8Array(await (await (handle as FileSystemFileHandle).getFile()).arrayBuffer());
          files.push(`${path}${name}: ${Array.from(bytes, (b) => String.fromCharCode(b)).join('')}`);
        }
      }
    }
    await walk(await navigator.storage.getDirectory(), '/');
    out.opfs = files.join('\n');
    return out;
  });
  inPage.contextCookies = JSON.stringify(await context.cookies());
  return inPage;
}

/** The DOM as HTML plus every form field's current value (values typed are not in the HTML). */
function domDump(page: Page): Promise<string> {
  return page.evaluate(() => {
    const values = Array.from(document.querySelectorAll('input, textarea, select'), (e) => (e as HTMLInputElement).value);
    return document.documentElement.outerHTML + '\n' + values.join('\n');
  });
}

/** Strings of the page's JavaScript heap after a full collection (a heap snapshot through the DevTools protocol). */
async function heapStrings(page: Page): Promise<string> {
  const cdp = await page.context().newCDPSession(page);
  const chunks: string[] = [];
  cdp.on('HeapProfiler.addHeapSnapshotChunk', (e: { chunk: string }) => chunks.push(e.chunk));
  await cdp.send('HeapProfiler.enable');
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  await cdp.detach();
  return (JSON.parse(chunks.join('')) as { strings: string[] }).strings.join('\n');
}

describe('Security of the built page', () => {
  let browser: Browser;
  const env = loadRgwEnv();
  const bucket = `page-keys-sec-${Date.now().toString(36)}`;
  const STORE = new URL(env.endpoint).origin;
  let cleanupFixtures = () => {};

  beforeAll(async () => {
    const f = await makeFixtures();
    cleanupFixtures = f.cleanup;
    await createBucket(bucket, { corsOrigins: [ORIGIN] });
    await uploadDir(f.dir, bucket, 'data/');
    await rgwClient().send(PutObject, { bucket, key: 'docs/readme.txt', body: 'a text to read', contentType: 'text/plain' });
    // Labelled a PNG, holding HTML: the quick look must not give it an image type on our origin.
    await rgwClient().send(PutObject, { bucket, key: 'docs/evil.png', body: '<!doctype html><script>top.__pwned = 1</script>', contentType: 'image/png' });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await destroyBucket(bucket);
    cleanupFixtures();
  });

  it('keeps the secret and the passphrase out of every place a page can reach through a full session, and talks only to its origin and the store', async () => {
    const { context, page, errors, consoleLines } = await newPage(browser);
    await watchViolations(context);
    const requests: { url: string; body: string }[] = [];
    const record = (r: { url(): string; postData(): string | null }) => requests.push({ url: r.url(), body: r.postData() ?? '' });
    context.on('request', record);

    // 1. Paste a JASMIN JSON into the import box: the page keeps no copy once it is read.
    await page.goto(appUrl);
    await page.click('[data-testid="import"] summary');
    await page.fill('#import-text', JSON.stringify({ token: env.accessKeyId, secret: env.secretAccessKey, endpoint_url: env.endpoint }));
    await page.click('[data-testid="import-read"]');
    await page.waitForSelector('[data-testid="import-found"]');
    expect(await page.inputValue('#import-text')).toBe('');
    expect(await domDump(page)).not.toContain(env.secretAccessKey);
    // 2. Save it sealed with a passphrase (in the worker), and connect.
    await page.fill('input[name="importName0"]', 'rgw');
    await page.fill('input[name="importPassphrase0"]', PASSPHRASE);
    await page.fill('input[name="importExpiry0"]', `${new Date().getUTCFullYear() + 1}-12-31`);
    await page.click('[data-testid="import-save-0"]');
    await page.waitForSelector('[data-testid="connection"]');
    // Connected first, then sealed by the worker and stored.
    await page.waitForFunction(() => localStorage.getItem('tessera.profiles')?.includes('"sealed"'));
    const stored = JSON.parse((await page.evaluate(() => localStorage.getItem('tessera.profiles'))) ?? '[]') as { sealed?: { v: number; kdf: string } }[];
    expect(stored[0]!.sealed).toMatchObject({ v: 2, kdf: 'argon2id' });

    // 3. Reload (the worker forgets the keys) and unlock the saved profile with its passphrase.
    await page.goto(appUrl + routeToHash({ name: 'bucket', bucket, prefix: 'docs/' }));
    await page.reload();
    await page.fill('[data-testid="profiles"] input[name="passphrase"]', PASSPHRASE);
    await page.click('[data-testid="profiles"] button[type="submit"]');
    await page.waitForSelector('[data-testid="connection"]');
    expect(await page.inputValue('[data-testid="profiles"] input[name="passphrase"]').catch(() => '')).toBe('');

    // 4. Browse and upload.
    await settledStatus(page);
    await page.click('button:has-text("Quick upload")');
    await page.setInputFiles('input[name="file"]', { name: 'up.txt', mimeType: 'text/plain', buffer: Buffer.from('uploaded during the security session') });
    await page.click('[data-testid="create-panel"] button[type="submit"]');
    await page.waitForSelector('[data-testid="objects"] tbody tr[data-key="docs/up.txt"]');

    // 5. A quick look at an object that claims to be a PNG but holds HTML: shown as bytes, nothing runs.
    await page.goto(appUrl + routeToHash({ name: 'object', bucket, key: 'docs/evil.png' }));
    await page.waitForSelector('[data-testid="look-range"]');
    expect(await page.$('[data-testid="look-image"]')).toBeNull();
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();

    // 6. Download to a file (the save dialog answered with a file of the origin's private file system).
    await page.goto(appUrl + routeToHash({ name: 'object', bucket, key: 'docs/readme.txt' }));
    await page.waitForSelector('[data-testid="object-download"]');
    await page.evaluate(() => {
      (window as unknown as { showSaveFilePicker: () => Promise<FileSystemFileHandle> }).showSaveFilePicker = async () => (await navigator.storage.getDirectory()).getFileHandle('saved.txt', { create: true });
    });
    await page.click('[data-testid="object-download"]');
    await page.click('[data-testid="download-file"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="download-status"]')?.textContent?.includes('saved'));

    // 7. Share: the one presigned URL the user asked for.
    await page.click('[data-testid="object-share"]');
    await page.click('[data-testid="share-make"]');
    await page.waitForSelector('[data-testid="share-url"]');
    const shareUrl = await page.inputValue('[data-testid="share-url"]');
    expect(shareUrl).toContain('X-Amz-Signature=');

    // 8. A dataset, drawn.
    await page.goto(appUrl + routeToHash({ name: 'dataset', bucket, path: 'data/cf.zarr/' }));
    await settled(page);
    expect(await page.$('[data-testid="draw-error"]')).toBeNull();

    // The search: the secret and the passphrase appear nowhere.
    const places: Record<string, string> = {
      ...(await storageDump(page, context)),
      dom: await domDump(page),
      console: consoleLines.join('\n'),
      requests: requests.map((r) => `${r.url}\n${r.body}`).join('\n'),
      heap: await heapStrings(page),
    };
    expect(places.heap!.length).toBeGreaterThan(100_000);
    expect(places.requests).toContain(env.accessKeyId); // the search looks where the keys travel: the id is in every signature
    for (const [where, text] of Object.entries(places)) {
      expect(text.includes(env.secretAccessKey), `secret key found in ${where}`).toBe(false);
      expect(text.includes(PASSPHRASE), `passphrase found in ${where}`).toBe(false);
    }
    // Presigned URLs only where the user asked for one: the share box (nowhere in storage, the console or the rest of the DOM).
    for (const where of ['localStorage', 'sessionStorage', 'indexedDB', 'opfs', 'console', 'cookie']) expect(places[where], where).not.toMatch(/X-Amz-Signature/i);
    const domSignatures = await page.evaluate(() => {
      const values = Array.from(document.querySelectorAll('input, textarea'), (e) => (e as HTMLInputElement).value);
      return [document.documentElement.outerHTML, ...values].join('\n').match(/X-Amz-Signature/gi)?.length ?? 0;
    });
    expect(domSignatures).toBe(0); // the share box went with the object page

    // Every request: this app's origin or the store's, nothing else (no fonts, scripts, maps or workers from elsewhere).
    const origins = new Set(requests.map((r) => (r.url.startsWith('blob:') || r.url.startsWith('data:') ? 'local' : new URL(r.url).origin)));
    origins.delete('local');
    expect([...origins].sort()).toEqual([ORIGIN, STORE].sort());
    // The workers' requests were recorded too (every S3 request is sent by the S3 worker).
    expect(requests.some((r) => r.url.startsWith(STORE) && r.url.includes('list-type=2'))).toBe(true);
    expect(requests.some((r) => /s3\.worker-[\w-]+\.js$/.test(r.url))).toBe(true);

    // The policy held all session long without getting in the way.
    expect(await violations(page)).toEqual([]);
    expect(errors).toEqual([]);

    // "Forget all keys": no sealed record is left, and the page is back at Connect.
    await page.goto(appUrl + '#/connect');
    await page.click('[data-testid="key-settings"] summary');
    await page.click('[data-testid="forget-all"]');
    await page.click('[data-testid="forget-all-confirm"]');
    await page.waitForFunction(() => !document.querySelector('[data-testid="connection"]'));
    const after = await storageDump(page, context);
    expect(after.localStorage).not.toMatch(/"sealed"|argon2id/);
    expect(after.localStorage).toContain('rgw');
    await context.close();
  });

  it('refuses a share link that would outlive the access key, saying why', async () => {
    const { context, page, errors } = await newPage(browser);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    await page.goto(appUrl + routeToHash({ name: 'object', bucket, key: 'docs/readme.txt' }));
    await page.fill('input[name="endpoint"]', env.endpoint);
    await page.fill('input[name="accessKeyId"]', env.accessKeyId);
    await page.fill('input[name="secretAccessKey"]', env.secretAccessKey);
    await page.click('form.connect details summary');
    await page.fill('input[name="keyExpiresAt"]', tomorrow);
    await page.click('form.connect button[type="submit"]');
    await page.waitForSelector('[data-testid="object-share"]');
    await page.click('[data-testid="object-share"]');
    await page.selectOption('select[name="expiryUnit"]', 'days');
    await page.fill('input[name="expiryAmount"]', '3');
    await page.click('[data-testid="share-make"]');
    await page.waitForFunction(() => /outlive the access key/.test(document.body.textContent ?? ''));
    expect(await page.textContent('body')).toContain(`which expires on ${tomorrow}`);
    expect(await page.$('[data-testid="share-url"]')).toBeNull();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('served from a bucket of the store it talks to, warns and keeps no sealed keys or upload state unless the user insists', async () => {
    const site = `${bucket}-site`;
    await createBucket(site);
    try {
      const r = await aws(['s3', 'sync', '--only-show-errors', '--acl', 'public-read', appDir, `s3://${site}/`]);
      expect(r.code, r.stderr).toBe(0);
      const { context, page, errors } = await newPage(browser);
      await watchViolations(context);
      // Same origin as the store: path-style, every bucket of the host shares it.
      await page.goto(`${env.endpoint}/${site}/index.html`);
      await page.fill('input[name="endpoint"]', env.endpoint);
      await page.fill('input[name="accessKeyId"]', env.accessKeyId);
      await page.fill('input[name="secretAccessKey"]', env.secretAccessKey);
      await page.click('form.connect details summary');
      await page.fill('input[name="profileName"]', 'shared');
      await page.fill('input[name="profilePassphrase"]', PASSPHRASE);
      await page.click('form.connect button[type="submit"]');
      await page.waitForSelector('[data-testid="same-origin-warning"]');
      expect(await page.textContent('[data-testid="same-origin-warning"]')).toContain('runs as Tessera');
      await page.waitForFunction(() => localStorage.getItem('tessera.profiles')?.includes('shared'));
      expect(await page.evaluate(() => localStorage.getItem('tessera.profiles'))).not.toContain('"sealed"');
      // Insisting after the warning keeps keys sealed here from then on.
      await page.click('[data-testid="same-origin-warning"] button.link');
      await page.click('[data-testid="same-origin-insist"]');
      expect(await page.evaluate(() => localStorage.getItem('tessera.sharedOrigin.keepState'))).toBe(new URL(env.endpoint).origin);
      expect(await violations(page)).toEqual([]);
      expect(errors).toEqual([]);
      await context.close();
    } finally {
      await destroyBucket(site);
    }
  });

  it('blocks an inline script inserted into the running app, and one in a modified copy of index.html', async () => {
    const { context, page, errors } = await newPage(browser);
    await watchViolations(context);
    await page.goto(appUrl);
    await page.waitForSelector('form.connect');
    const policy = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
    expect(policy).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(policy).toContain("object-src 'none'");
    expect(policy).toContain("base-uri 'none'");

    await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__injected = 1';
      document.body.append(s);
      const a = document.createElement('img');
      a.setAttribute('src', 'data:,not-an-image');
      a.setAttribute('onerror', 'window.__handler = 1');
      document.body.append(a);
    });
    await page.waitForFunction(() => (window as unknown as { __violations: Violation[] }).__violations.length >= 2);
    expect(await page.evaluate(() => [(window as unknown as { __injected?: number }).__injected, (window as unknown as { __handler?: number }).__handler])).toEqual([undefined, undefined]);
    const v = await violations(page);
    expect(v.map((x) => x.directive).sort()).toEqual(['script-src-attr', 'script-src-elem']);

    // A copy of the built index.html with an inline script added, served by the same host.
    const html = readFileSync(join(appDir, 'index.html'), 'utf8').replace('</body>', '<script>window.__inline = 1; document.title = "pwned"</script></body>');
    writeFileSync(join(appDir, 'csp-probe.html'), html);
    await page.goto(appUrl + 'csp-probe.html');
    await page.waitForSelector('form.connect');
    await page.waitForFunction(() => (window as unknown as { __violations: Violation[] }).__violations.length >= 1);
    expect(await page.evaluate(() => (window as unknown as { __inline?: number }).__inline)).toBeUndefined();
    expect(await page.title()).toBe('Tessera');
    expect((await violations(page)).map((x) => [x.directive, x.blocked])).toEqual([['script-src-elem', 'inline']]);
    expect(errors).toEqual([]);
    await context.close();
  });
});
