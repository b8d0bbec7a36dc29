/**
 * "Download as .zip" in Chromium against the real RGW. Headless Chromium
 * cannot answer a save dialog, so the two ways are driven as a browser would
 * take them: without `showSaveFilePicker` (the zip is built in OPFS by the S3
 * worker, then handed to the browser's download, caught here and read by
 * Python's zipfile), and with a save dialog answered by an OPFS file.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBrowser, newPage } from '../helpers/browser';
import { createBucket, destroyBucket, rgwClient, uniqueBucket } from '../helpers/s3';
import { PutObject } from '../../src/lib/s3/ops/index';
import { routeToHash } from '../../src/state/router.svelte';
import { connectAt, settledStatus } from './explorer-helpers';

const ORIGIN = new URL(inject('appUrl')).origin;
const BIG = randomBytes(6 * 1024 * 1024 + 3);
/** Keys below `run/` and their bodies. */
const OBJECTS: Record<string, Uint8Array> = {
  '<script>alert(1)</script>.txt': Buffer.from('script key'),
  'emoji 🎉 #?%+.txt': Buffer.from('emoji key'),
  'a%2Fb.txt': Buffer.from('percent key'),
  'sub/deep.csv': Buffer.from('a,b\n1,2\n'),
  'big.bin': BIG,
};
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** Entry name -> SHA-256, as Python's zipfile reads them (after testzip checked every CRC). */
function pythonZip(path: string): Record<string, string> {
  const script = `
import hashlib, json, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    assert z.testzip() is None
    assert all(i.flag_bits & 0x800 for i in z.infolist())
    print(json.dumps({i.filename: hashlib.sha256(z.read(i)).hexdigest() for i in z.infolist()}))
`;
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, path], { encoding: 'utf8' })) as Record<string, string>;
}

/** Names of the temp zips the worker left in OPFS. */
function tempZips(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const root = await navigator.storage.getDirectory();
    const dir = await root.getDirectoryHandle('tessera-zip', { create: true });
    const names: string[] = [];
    for await (const name of (dir as unknown as { keys(): AsyncIterable<string> }).keys()) names.push(name);
    return names;
  });
}

describe('Explorer: download as .zip', () => {
  let browser: Browser;
  const appUrl = inject('appUrl');
  const bucket = uniqueBucket('zip-e2e');
  const tmp = mkdtempSync(join(tmpdir(), 'tessera-zip-e2e-'));

  beforeAll(async () => {
    await createBucket(bucket, { corsOrigins: [ORIGIN] });
    const client = rgwClient();
    for (const [k, body] of Object.entries(OBJECTS)) await client.send(PutObject, { bucket, key: `run/${k}`, body });
    await client.send(PutObject, { bucket, key: 'elsewhere/not-selected.txt', body: 'no' });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await destroyBucket(bucket);
    rmSync(tmp, { recursive: true, force: true });
  });

  it('without a save dialog: builds the zip in OPFS, downloads it, and removes it when the panel closes', async () => {
    const { page, errors, context } = await newPage(browser);
    // A browser without the File System Access save dialog (Firefox, Safari).
    await context.addInitScript(() => Object.defineProperty(window, 'showSaveFilePicker', { value: undefined, configurable: true }));
    await connectAt(page, appUrl, routeToHash({ name: 'bucket', bucket, prefix: '' }));
    await settledStatus(page);
    await page.check('tr[data-key="run/"] input[type="checkbox"]');
    await page.click('[data-testid="open-download"]');
    expect(await page.textContent('[data-testid="download-panel"]')).toContain('private storage');
    const download = page.waitForEvent('download');
    await page.click('[data-testid="download-zip"]');
    const dl = await download;
    expect(dl.suggestedFilename()).toBe(`${bucket}.zip`);
    const path = join(tmp, 'opfs.zip');
    await dl.saveAs(path);
    await page.waitForFunction(() => document.querySelector('[data-testid="zip-status"]')?.textContent?.includes('ready'));
    expect(await page.textContent('[data-testid="zip-status"]')).toContain('5 of 5 objects');

    const zip = pythonZip(path);
    const expected = Object.fromEntries(Object.entries(OBJECTS).map(([k, b]) => [`run/${k}`, sha(b)]));
    expect(zip).toEqual(expected);
    // Hostile keys were rendered as text, never as markup.
    expect(await page.$$('[data-testid="download-panel"] script, [data-testid="download-panel"] img')).toHaveLength(0);

    expect(await tempZips(page)).toHaveLength(1);
    await page.click('[data-testid="download-panel"] button:text-is("Close")');
    await page.waitForFunction(async () => {
      const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('tessera-zip', { create: true });
      for await (const _ of (dir as unknown as { keys(): AsyncIterable<string> }).keys()) return false;
      return true;
    });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('cancel while an object is on the way: the zip stops and its temp file is removed', async () => {
    const { page, errors, context } = await newPage(browser);
    await context.addInitScript(() => Object.defineProperty(window, 'showSaveFilePicker', { value: undefined, configurable: true }));
    // Hold the big object's GET (made by the S3 worker) so Cancel surely lands mid-zip.
    let held!: () => void;
    const reached = new Promise<void>((resolve) => (held = resolve));
    await context.route(/\/run\/big\.bin/, () => held());
    await connectAt(page, appUrl, routeToHash({ name: 'bucket', bucket, prefix: '' }));
    await settledStatus(page);
    await page.check('tr[data-key="run/"] input[type="checkbox"]');
    await page.click('[data-testid="open-download"]');
    await page.click('[data-testid="download-zip"]');
    await reached;
    expect(await tempZips(page)).toHaveLength(1);
    await page.click('[data-testid="zip-cancel"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="download-panel"]')?.textContent?.includes('Zip cancelled'));
    expect(await tempZips(page)).toEqual([]);
    expect(await page.$('[data-testid="zip-link"]')).toBeNull();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('with a save dialog: streams into the picked file, names relative to the folder, started from the keyboard', async () => {
    const { page, errors, context } = await newPage(browser);
    await connectAt(page, appUrl, routeToHash({ name: 'bucket', bucket, prefix: 'run/' }));
    await settledStatus(page);
    // The save dialog cannot be answered headless: answer it with an OPFS file, remembering the suggested name.
    await page.evaluate(() => {
      const w = window as unknown as { showSaveFilePicker: (o?: { suggestedName?: string }) => Promise<FileSystemFileHandle>; suggested?: string };
      w.showSaveFilePicker = async (o) => {
        w.suggested = o?.suggestedName;
        return (await navigator.storage.getDirectory()).getFileHandle('picked.zip', { create: true });
      };
    });
    await page.check('tr[data-key="run/sub/"] input[type="checkbox"]');
    await page.check('tr[data-key="run/emoji 🎉 #?%+.txt"] input[type="checkbox"]');
    await page.click('[data-testid="open-download"]');
    await page.focus('[data-testid="download-zip"]');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('[data-testid="zip-status"]')?.textContent?.includes('saved'));
    expect(await page.evaluate(() => (window as unknown as { suggested?: string }).suggested)).toBe('run.zip');
    const b64 = await page.evaluate(async () => {
      const f = await (await (await navigator.storage.getDirectory()).getFileHandle('picked.zip')).getFile();
      return await new Promise<string>((resolve) => {
        const r = new FileReader();
        r.onload = () => resolve(String(r.result).split(',')[1] ?? '');
        r.readAsDataURL(f);
      });
    });
    const path = join(tmp, 'picked.zip');
    writeFileSync(path, Buffer.from(b64, 'base64'));
    expect(pythonZip(path)).toEqual({ 'sub/deep.csv': sha(OBJECTS['sub/deep.csv']!), 'emoji 🎉 #?%+.txt': sha(OBJECTS['emoji 🎉 #?%+.txt']!) });
    // Nothing went through OPFS temp files on this path.
    expect(await tempZips(page)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });
});
