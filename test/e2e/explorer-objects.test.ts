/**
 * Objects in Chromium against the real RGW: hostile keys shown verbatim,
 * details and quick look (text, JSON, CSV, image, hex, ask before reading a
 * large object), metadata edit, share link, rename, folder marker, small
 * upload, recursive delete with its count, a download streamed to a file, and
 * every change made from the page shown in the open listing at once.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createHash, randomBytes } from 'node:crypto';
import { launchBrowser, newPage } from '../helpers/browser';
import { appCorsRule, createBucket, destroyBucket, rgwClient, rgwService, uniqueBucket } from '../helpers/s3';
import { GetObject, HeadObject, PutObject } from '../../src/lib/s3/ops/index';
import { listPages } from '../../src/lib/s3/ops/list-objects';
import { S3Error } from '../../src/lib/s3/errors';
import { routeToHash } from '../../src/state/router.svelte';
import { connectAgain, connectAt, settledStatus, visibleNames } from './explorer-helpers';

// This run's app origin (its port is chosen free at start, or pinned with TESSERA_E2E_PORT).
const ORIGIN = new URL(inject('appUrl')).origin;
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const HOSTILE = ['<script>alert(1)</script>.txt', 'emoji 🎉 ünï cødé.txt', 'a%2Fb.txt', 'spaces and +plus & "quotes".txt', '<img src=x onerror=alert(2)>'];
const BIN = randomBytes(200 * 1024);

describe('Explorer objects', () => {
  let browser: Browser;
  const appUrl = inject('appUrl');
  const bucket = uniqueBucket('explorer-e2e');
  const client = rgwClient();
  const put = (key: string, body: string | Uint8Array, contentType = 'text/plain', metadata?: Record<string, string>) => client.send(PutObject, { bucket, key, body, contentType, metadata });

  beforeAll(async () => {
    await createBucket(bucket);
    // User metadata reaches a page only through headers the CORS rule exposes by name.
    const rule = appCorsRule([ORIGIN]);
    rule.exposeHeaders.push('x-amz-meta-project', 'x-amz-meta-owner', 'x-amz-meta-reviewed-by', 'x-amz-meta-old');
    await rgwService().putBucketCors(bucket, [rule]);
    for (const k of HOSTILE) await put(`hostile/${k}`, `content of ${k}`);
    await put('data/table.csv', 'name,value\n"a, quoted",1\nb,2\n', 'text/csv');
    await put('data/doc.json', JSON.stringify({ title: 'Tessera', nested: { list: [1, 2, 3] } }), 'application/json', { project: 'tessera', owner: 'Zoë' });
    await put('data/log.txt', Array.from({ length: 10000 }, (_, i) => `line ${i}`).join('\n'));
    await put('img/pixel.png', PNG, 'image/png');
    await put('bin/blob.bin', BIN, 'application/octet-stream');
    await put('trash/one.txt', '12345');
    await put('cubes/era5.zarr/.zgroup', '{"zarr_format": 2}', 'application/json');
    await put('trash/deep/two.txt', '1234567890');
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await destroyBucket(bucket);
  });

  async function open(hash: string): Promise<{ page: Page; errors: string[]; dialogs: string[]; close: () => Promise<void> }> {
    const { page, errors, context } = await newPage(browser);
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await connectAt(page, appUrl, hash);
    return { page, errors, dialogs, close: () => context.close() };
  }

  it('shows hostile keys verbatim, as text, and opens them', async () => {
    const { page, errors, dialogs, close } = await open(routeToHash({ name: 'bucket', bucket, prefix: 'hostile/' }));
    await settledStatus(page);
    // `</script>` holds a slash, so that key sits in the pseudo-folder `<script>alert(1)</`.
    const expected = HOSTILE.map((k) => (k.includes('/') ? k.slice(0, k.indexOf('/') + 1) : k)).sort();
    expect((await visibleNames(page)).sort()).toEqual(expected);
    expect(await page.$$('[data-testid="objects"] img, [data-testid="objects"] script')).toHaveLength(0);
    await page.click('[data-testid="objects"] tbody tr[data-key="hostile/<script>alert(1)</"] a');
    await page.waitForFunction(() => document.querySelector('[data-testid="objects"] tbody td.key')?.textContent === 'script>.txt');
    // Open the `<img onerror>` key: its details page names it exactly, and quick look shows its text.
    await page.goto(appUrl + routeToHash({ name: 'object', bucket, key: `hostile/${HOSTILE[4]}` }));
    await page.waitForSelector('[data-testid="object-key"]');
    expect(await page.textContent('[data-testid="object-key"]')).toBe(HOSTILE[4]);
    await page.waitForSelector('[data-testid="look-text"]');
    expect(await page.textContent('[data-testid="look-text"]')).toBe(`content of ${HOSTILE[4]}`);
    // The `%2F` key: a deep link round trip keeps it one key, not a folder.
    await page.goto(appUrl + routeToHash({ name: 'object', bucket, key: 'hostile/a%2Fb.txt' }));
    await page.reload();
    await connectAgain(page);
    await page.waitForSelector('[data-testid="look-text"]');
    expect(await page.textContent('[data-testid="object-key"]')).toBe('a%2Fb.txt');
    expect(await page.textContent('[data-testid="look-text"]')).toBe('content of a%2Fb.txt');
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    await close();
  });

  it('shows details, metadata, and quick looks at JSON, CSV, image, text tail and hex', async () => {
    const { page, errors, close } = await open(routeToHash({ name: 'object', bucket, key: 'data/doc.json' }));
    await page.waitForSelector('[data-testid="object-facts"]');
    expect(await page.textContent('[data-testid="object-content-type"]')).toBe('application/json');
    const meta = await page.textContent('[data-testid="object-metadata"]');
    expect(meta).toContain('project');
    expect(meta).toContain('Zoë');
    await page.waitForSelector('[data-testid="look-json"]');
    expect(await page.textContent('[data-testid="look-json"]')).toContain('"Tessera"');

    await page.goto(appUrl + routeToHash({ name: 'object', bucket, key: 'data/table.csv' }));
    await page.waitForSelector('[data-testid="look-csv"]');
    expect(await page.$$eval('[data-testid="look-csv"] tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)))).toEqual([
      ['a, quoted', '1'],
      ['b', '2'],
    ]);

    await page.goto(appUrl + routeToHash({ name: 'object', bucket, key: 'img/pixel.png' }));
    await page.waitForSelector('[data-testid="look-image"]');
    await page.waitForFunction(() => (document.querySelector('[data-testid="look-image"]') as HTMLImageElement).naturalWidth === 1);

    await page.goto(appUrl + routeToHash({ name: 'object', bucket, key: 'data/log.txt' }));
    await page.waitForSelector('[data-testid="look-tail"]');
    await page.click('[data-testid="look-tail"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="look-text"]')?.textContent?.endsWith("line 9999"));

    // 200 KiB of random bytes: hex of the first 64 KiB, and a question before reading it all.
    await page.goto(appUrl + routeToHash({ name: 'object', bucket, key: 'bin/blob.bin' }));
    await page.waitForSelector('[data-testid="look-hex"]');
    const firstLine = (await page.textContent('[data-testid="look-hex"]'))!.split('\n')[0]!;
    expect(firstLine.slice(10, 57).replace(/ /g, '')).toBe(BIN.subarray(0, 16).toString('hex'));
    expect(await page.textContent('[data-testid="look-range"]')).toContain('Bytes 0–65,536 of 204,800');
    await page.click('[data-testid="look-whole"]');
    expect(await page.textContent('[role="alertdialog"]')).toContain('200 KiB');
    await page.click('[data-testid="look-whole-confirm"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="look-range"]')?.textContent?.includes('whole object'));
    expect(errors).toEqual([]);
    await close();
  });

  it('edits metadata in place, makes a working share link, and renames', async () => {
    await put('ops/edit-me.txt', 'edit me', 'text/plain', { old: 'value' });
    const { page, errors, close } = await open(routeToHash({ name: 'object', bucket, key: 'ops/edit-me.txt' }));
    await page.click('[data-testid="object-edit"]');
    await page.fill('input[name="contentType"]', 'text/markdown');
    await page.fill('input[name="metaKey0"]', 'reviewed-by');
    await page.fill('input[name="metaValue0"]', 'Ada Lovelace');
    await page.click('[data-testid="metadata-save"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="object-content-type"]')?.textContent === 'text/markdown');
    const head = await client.send(HeadObject, { bucket, key: 'ops/edit-me.txt' });
    expect(head.contentType).toBe('text/markdown');
    expect(head.metadata).toEqual({ 'reviewed-by': 'Ada Lovelace' });

    // Share link: 30 days asked, 7 days given; the link works without keys.
    await page.click('[data-testid="object-share"]');
    await page.selectOption('select[name="expiryUnit"]', 'days');
    await page.fill('input[name="expiryAmount"]', '30');
    await page.click('[data-testid="share-make"]');
    await page.waitForSelector('[data-testid="share-url"]');
    expect(await page.textContent('[data-testid="share-note"]')).toContain('7 days');
    const url = await page.inputValue('[data-testid="share-url"]');
    expect(url).toContain('X-Amz-Expires=604800');
    const res = await fetch(url);
    expect(await res.text()).toBe('edit me');

    // Rename (move) within the bucket: the old key goes, the new one has the same bytes.
    await page.click('[data-testid="object-copy"]');
    await page.check('input[name="copy-mode"][value="move"]');
    await page.fill('input[name="target"]', 'ops/renamed ✓.txt');
    await page.click('[data-testid="copy-go"]');
    await page.waitForFunction(() => location.hash.startsWith('#/b/'));
    await expect(client.send(HeadObject, { bucket, key: 'ops/edit-me.txt' })).rejects.toSatisfy((e: unknown) => e instanceof S3Error && e.status === 404);
    const moved = await client.send(GetObject, { bucket, key: 'ops/renamed ✓.txt' });
    expect(await moved.body.text()).toBe('edit me');
    expect(errors).toEqual([]);
    await close();
  });

  it('creates a folder, uploads a small file, and deletes a prefix after saying how much', async () => {
    const { page, errors, close } = await open(routeToHash({ name: 'bucket', bucket, prefix: 'trash/' }));
    await settledStatus(page);
    await page.click('button:has-text("New folder")');
    await page.fill('input[name="folderName"]', 'made-here');
    await page.click('[data-testid="create-panel"] button[type="submit"]');
    await page.waitForSelector('[data-testid="objects"] tbody tr[data-key="trash/made-here/"]');
    await page.click('button:has-text("Quick upload")');
    await page.setInputFiles('input[name="file"]', { name: 'note.txt', mimeType: 'text/plain', buffer: Buffer.from('uploaded from the page') });
    await page.click('[data-testid="create-panel"] button[type="submit"]');
    await page.waitForSelector('[data-testid="objects"] tbody tr[data-key="trash/note.txt"]');
    expect(await (await client.send(GetObject, { bucket, key: 'trash/note.txt' })).body.text()).toBe('uploaded from the page');

    // Select the folder `deep/` and the object `one.txt`: 2 objects, 15 bytes.
    await page.check('tr[data-key="trash/deep/"] input[type="checkbox"]');
    await page.check('tr[data-key="trash/one.txt"] input[type="checkbox"]');
    await page.click('[data-testid="open-delete"]');
    await page.waitForSelector('[data-testid="delete-summary"]');
    expect(await page.textContent('[data-testid="delete-summary"]')).toContain('2 objects (15 B)');
    await page.click('[data-testid="delete-confirm"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="delete-status"]')?.textContent?.replace(/\s+/g, ' ').includes('Deleted 2 of 2'));
    const left: string[] = [];
    for await (const p of listPages(client, { bucket, prefix: 'trash/' })) left.push(...p.objects.map((o) => o.key));
    expect(left.sort()).toEqual(['trash/made-here/', 'trash/note.txt']);
    expect(await visibleNames(page)).toEqual(['made-here/', 'note.txt']);
    expect(errors).toEqual([]);
    await close();
  });

  it('shows what copy, move, delete, new folder and quick upload did in the open listing at once', async () => {
    for (const k of ['a.txt', 'b.txt', 'c.txt']) await put(`lively/${k}`, `content of ${k}`);
    const { page, errors, close } = await open(routeToHash({ name: 'bucket', bucket, prefix: 'lively/' }));
    await settledStatus(page);
    const row = (key: string) => `[data-testid="objects"] tbody tr[data-key="${key}"]`;
    const appears = (key: string) => page.waitForSelector(row(key), { timeout: 5000 });
    const goes = (key: string) => page.waitForSelector(row(key), { state: 'detached', timeout: 5000 });
    const runCopy = async (key: string, mode: 'copy' | 'move', target: string) => {
      await page.check(`${row(key)} input[type="checkbox"]`);
      await page.click('[data-testid="open-copy"]');
      await page.check(`input[name="copy-mode"][value="${mode}"]`);
      await page.fill('input[name="target"]', target);
      await page.click('[data-testid="copy-go"]');
      await page.waitForFunction(() => /^\s*Done/.test(document.querySelector('[data-testid="copy-status"]')?.textContent ?? ''));
    };

    await runCopy('lively/a.txt', 'copy', 'lively/a copy.txt');
    await appears('lively/a copy.txt');
    expect(await page.locator(row('lively/a.txt')).count()).toBe(1);

    await page.click('[data-testid="copy-panel"] button:has-text("Close")');
    await runCopy('lively/b.txt', 'move', 'lively/moved/b.txt');
    await goes('lively/b.txt');
    await appears('lively/moved/');

    await page.click('[data-testid="copy-panel"] button:has-text("Close")');
    await page.check(`${row('lively/c.txt')} input[type="checkbox"]`);
    await page.click('[data-testid="open-delete"]');
    await page.click('[data-testid="delete-confirm"]');
    await goes('lively/c.txt');

    await page.click('button:has-text("New folder")');
    await page.fill('input[name="folderName"]', 'fresh');
    await page.click('[data-testid="create-panel"] button[type="submit"]');
    await appears('lively/fresh/');
    await page.click('button:has-text("Quick upload")');
    await page.setInputFiles('input[name="file"]', { name: 'quick.txt', mimeType: 'text/plain', buffer: Buffer.from('quick') });
    await page.click('[data-testid="create-panel"] button[type="submit"]');
    await appears('lively/quick.txt');

    // The page's rows are the store's, and the status line counts them.
    expect(await visibleNames(page)).toEqual(['fresh/', 'moved/', 'a copy.txt', 'a.txt', 'quick.txt']);
    const stored: string[] = [];
    for await (const p of listPages(client, { bucket, prefix: 'lively/' })) stored.push(...p.objects.map((o) => o.key));
    expect(stored.sort()).toEqual(['lively/a copy.txt', 'lively/a.txt', 'lively/fresh/', 'lively/moved/b.txt', 'lively/quick.txt']);
    expect(await page.textContent('[data-testid="listing-status"]')).toMatch(/^\s*3 objects, 37 B, 2 folders/);
    expect(errors).toEqual([]);
    await close();
  });

  it('offers "open as dataset" on folders that look like Zarr stores', async () => {
    const { page, errors, close } = await open(routeToHash({ name: 'bucket', bucket, prefix: 'cubes/' }));
    await settledStatus(page);
    expect(await page.getAttribute('tr[data-key="cubes/era5.zarr/"] [data-testid="row-open-dataset"]', 'href')).toBe(routeToHash({ name: 'dataset', bucket, path: 'cubes/era5.zarr/' }));
    await page.click('tr[data-key="cubes/era5.zarr/"] td.key a:first-child');
    await page.waitForSelector('[data-testid="open-dataset"]');
    expect(errors).toEqual([]);
    await close();
  });

  it('streams a download to a file in parallel ranges and checks its size', async () => {
    const { page, errors, close } = await open(routeToHash({ name: 'object', bucket, key: 'bin/blob.bin' }));
    // The save dialog cannot be driven headless: answer it with a file of the origin's private file system.
    await page.evaluate(() => {
      (window as unknown as { showSaveFilePicker: () => Promise<FileSystemFileHandle> }).showSaveFilePicker = async () => (await navigator.storage.getDirectory()).getFileHandle('saved.bin', { create: true });
    });
    await page.click('[data-testid="object-download"]');
    await page.click('[data-testid="download-file"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="download-status"]')?.textContent?.includes('saved'));
    const saved = await page.evaluate(async () => {
      const f = await (await (await navigator.storage.getDirectory()).getFileHandle('saved.bin')).getFile();
      return Array.from(new Uint8Array(await f.arrayBuffer()));
    });
    expect(createHash('md5').update(Uint8Array.from(saved)).digest('hex')).toBe(createHash('md5').update(BIN).digest('hex'));
    expect(errors).toEqual([]);
    await close();
  });

  it('downloads a folder and an object into a chosen folder, recreating sub-folders', async () => {
    const { page, errors, close } = await open(routeToHash({ name: 'bucket', bucket, prefix: '' }));
    await settledStatus(page);
    // Answer the folder dialog with a fresh folder of the origin's private file system.
    await page.evaluate(() => {
      (window as unknown as { showDirectoryPicker: () => Promise<FileSystemDirectoryHandle> }).showDirectoryPicker = async () => (await navigator.storage.getDirectory()).getDirectoryHandle('into', { create: true });
    });
    await page.check('tr[data-key="data/"] input[type="checkbox"]');
    await page.check('tr[data-key="img/"] input[type="checkbox"]');
    await page.click('[data-testid="open-download"]');
    await page.click('[data-testid="download-folder"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="download-status"]')?.textContent?.includes('done'));
    const files = await page.evaluate(async () => {
      const out: Record<string, number> = {};
      const walk = async (dir: FileSystemDirectoryHandle, path: string): Promise<void> => {
        for await (const [name, h] of (dir as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }).entries()) {
          if (h.kind === 'directory') await walk(h as FileSystemDirectoryHandle, `${path}${name}/`);
          else out[`${path}${name}`] = (await (h as FileSystemFileHandle).getFile()).size;
        }
      };
      await walk(await (await navigator.storage.getDirectory()).getDirectoryHandle('into'), '');
      return out;
    });
    expect(Object.keys(files).sort()).toEqual(['data/doc.json', 'data/log.txt', 'data/table.csv', 'img/pixel.png']);
    expect(files['img/pixel.png']).toBe(PNG.length);
    expect(errors).toEqual([]);
    await close();
  });
});
