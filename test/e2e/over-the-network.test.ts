/**
 * Tessera as users reach their store: over HTTPS, through a network with a
 * real round-trip time (scripts/net.sh: nginx offering HTTP/2 in front of the
 * RGW, a shaper in front of nginx; the `wan` profile in `npm test`). The
 * foundation slice (connect, list a folder), an upload resumed after a reload,
 * a folder downloaded as a zip, and a Zarr dataset drawn, in Chromium; the
 * protocol the browser actually spoke is read from nginx's log.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { spawn, type ChildProcess, execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newPage } from '../helpers/browser';
import { accessLogSince, accessLogSize, launchBrowserOverNet, loadNetEnv } from '../helpers/net-env';
import { createBucket, destroyBucket, rgwClient, uniqueBucket } from '../helpers/s3';
import { makeFixtures, uploadDir, type Expected } from '../integration/zarr/fixtures';
import { PutObject, HeadObject } from '../../src/lib/s3/ops/index';
import { downloadedSha256 } from '../integration/upload/harness';
import { exportCsv, settled } from './zarr-helpers';
import { connectAt } from './explorer-helpers';

const MiB = 1024 * 1024;
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

const connect = (page: Page, appUrl: string, endpoint: string, hash: string): Promise<void> => connectAt(page, appUrl, hash, { endpoint });

async function listed(page: Page): Promise<string> {
  await page.waitForFunction(() => (document.querySelector('[data-testid="listing-status"]')?.textContent ?? '').includes('listed in'), undefined, { timeout: 60_000 });
  return (await page.textContent('[data-testid="listing-status"]')) ?? '';
}

/** A shaper of this test's own in front of the HTTP/2 front: a slower uplink, so a reload lands mid-upload. */
async function slowUplink(upMbit: number): Promise<{ endpoint: string; stop: () => void }> {
  const net = loadNetEnv();
  const script = fileURLToPath(new URL('../../scripts/shaper.mjs', import.meta.url));
  const child: ChildProcess = spawn(process.execPath, [script, '--listen', '0', '--to', net.nginxH2, '--rtt-ms', String(net.rttMs), '--down-mbit', String(net.downMbit || 1000), '--up-mbit', String(upMbit)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve((JSON.parse(d.toString().split('\n')[0]!) as { listening: number }).listening));
    child.once('exit', (code) => reject(new Error(`the shaper exited (${code})`)));
  });
  return { endpoint: `https://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') };
}

describe('over HTTPS and a shaped network', () => {
  const appUrl = inject('appUrl');
  const origin = new URL(appUrl).origin;
  const bucket = uniqueBucket('net-e2e');
  const tmp = mkdtempSync(join(tmpdir(), 'tessera-net-e2e-'));
  const folder: Record<string, Uint8Array> = { 'run/a.txt': Buffer.from('first'), 'run/sub/b.csv': Buffer.from('x,y\n1,2\n'), 'run/c.bin': randomBytes(3 * MiB + 7) };
  /** This test's requests in the front's log (a bench or another run may share the front). */
  const ours = (l: { uri: string }): boolean => l.uri.startsWith(`/${bucket}/`) || l.uri.startsWith(`/${bucket}?`);
  let browser: Browser;
  let expected: Expected;
  let cleanup = () => {};

  beforeAll(async () => {
    loadNetEnv();
    const f = await makeFixtures();
    expected = f.expected;
    cleanup = f.cleanup;
    await createBucket(bucket, { corsOrigins: [origin] });
    await uploadDir(join(f.dir, 'cf.zarr'), bucket, 'data/cf.zarr/');
    const client = rgwClient();
    for (const [key, body] of Object.entries(folder)) await client.send(PutObject, { bucket, key, body });
    browser = await launchBrowserOverNet();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    cleanup();
    rmSync(tmp, { recursive: true, force: true });
    await destroyBucket(bucket);
  });

  it('lists, downloads a folder as a zip and draws a Zarr slice like xarray, all over HTTP/2', async () => {
    const net = loadNetEnv();
    const from = accessLogSize();
    const { page, errors, context } = await newPage(browser);
    // Without a save dialog (as in Firefox): the zip is built in OPFS and handed to the browser's download.
    await context.addInitScript(() => Object.defineProperty(window, 'showSaveFilePicker', { value: undefined, configurable: true }));
    await connect(page, appUrl, net.h2, `#/b/${bucket}/`);
    // The app tells which HTTP the store answered over, from the answers' status lines (no reason phrase over HTTP/2).
    expect(await listed(page)).toMatch(/listed in [\d.]+ s, over HTTP\/2/);
    expect(await page.textContent('[data-testid="objects"]')).toContain('run/');

    await page.check('tr[data-key="run/"] input[type="checkbox"]');
    await page.click('[data-testid="open-download"]');
    const download = page.waitForEvent('download');
    await page.click('[data-testid="download-zip"]');
    const zipPath = join(tmp, 'run.zip');
    await (await download).saveAs(zipPath);
    const entries = JSON.parse(
      execFileSync('/usr/bin/python3', ['-c', 'import hashlib, json, sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nprint(json.dumps({i.filename: hashlib.sha256(z.read(i)).hexdigest() for i in z.infolist()}))', zipPath], { encoding: 'utf8' }),
    ) as Record<string, string>;
    expect(entries).toEqual(Object.fromEntries(Object.entries(folder).map(([k, v]) => [k, sha(v)])));

    const datasetFrom = accessLogSize();
    await page.evaluate((b) => (location.hash = `#/dataset/${b}/data/cf.zarr?var=tas&i=time:2`), bucket);
    await settled(page);
    const { values } = await exportCsv(page);
    const want = expected.checks.find((c) => c.store === 'cf.zarr' && c.var === 'tas' && c.index[0] === 2 && c.free.join() === '1,2')!.values;
    expect(values.map((v) => (v === '' ? null : Math.fround(Number(v))))).toEqual(want);

    // Every request the page made reached the store over HTTP/2.
    const log = accessLogSince(from).filter(ours);
    expect(log.length).toBeGreaterThan(10);
    expect(new Set(log.map((l) => l.protocol))).toEqual(new Set(['HTTP/2.0']));
    expect(log.some((l) => l.method === 'GET' && l.uri.includes('list-type=2'))).toBe(true);
    expect(log.some((l) => l.uri.includes('cf.zarr/tas/'))).toBe(true);
    // Listing pages and the dataset's reads (metadata, listings, chunks) are presigned GETs: no preflight.
    expect(log.filter((l) => l.method === 'OPTIONS' && l.uri.includes('list-type=2')).map((l) => l.uri)).toEqual([]);
    // So are the zip's object reads (each checked against its listed ETag on the response).
    expect(log.filter((l) => l.method === 'GET' && l.uri.includes('/run/')).length).toBeGreaterThanOrEqual(Object.keys(folder).length);
    expect(log.filter((l) => l.method === 'OPTIONS' && l.uri.includes('/run/')).map((l) => l.uri)).toEqual([]);
    expect(accessLogSince(datasetFrom).filter(ours).filter((l) => l.method === 'OPTIONS').map((l) => l.uri)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('resumes an upload after a reload, over HTTP/2, and the store holds the file verified', async () => {
    const link = await slowUplink(80);
    try {
      const data = randomBytes(72 * MiB);
      const path = join(tmp, 'over the wan.bin');
      writeFileSync(path, data);
      const from = accessLogSize();
      const { page, errors, context } = await newPage(browser);
      await connect(page, appUrl, link.endpoint, `#/b/${bucket}/`);
      await page.click('[data-testid="open-uploads"]');
      await page.locator('[data-testid="upload-input"]').setInputFiles(path);
      const key = 'over the wan.bin';
      const rowSel = `[data-testid="upload-row"][data-key="${key}"]`;
      await page.waitForFunction((sel) => {
        const m = /parts (\d+)\/(\d+)/.exec(document.querySelector(sel)?.textContent ?? '');
        return m && Number(m[1]) >= 2 && Number(m[1]) < Number(m[2]);
      }, rowSel, { timeout: 120_000 });
      await page.reload();
      await connect(page, appUrl, link.endpoint, `#/b/${bucket}/`);
      await page.click('[data-testid="open-uploads"]');
      await page.waitForSelector(`${rowSel}[data-status="needs-file"]`);
      await page.locator(`${rowSel} input[type="file"]`).setInputFiles(path);
      await page.waitForSelector(`${rowSel}[data-status="done"]`, { timeout: 180_000 });
      expect(await page.textContent(rowSel)).toMatch(/verified: size ok, MD5 ok, SHA-256 ok/);
      const client = rgwClient();
      expect(await downloadedSha256(client, bucket, key)).toBe(sha(data));
      expect((await client.send(HeadObject, { bucket, key })).metadata.sha256).toBe(sha(data));
      // Resumed, not restarted: fewer part PUTs than twice the part count reached the store, all over HTTP/2.
      const parts = accessLogSince(from).filter(ours).filter((l) => l.method === 'PUT' && l.uri.includes('partNumber='));
      const partCount = Number(/parts \d+\/(\d+)/.exec((await page.textContent(rowSel)) ?? '')![1]);
      expect(parts.length).toBeLessThan(2 * partCount);
      expect(new Set(accessLogSince(from).filter(ours).map((l) => l.protocol))).toEqual(new Set(['HTTP/2.0']));
      expect(errors).toEqual([]);
      await context.close();
    } finally {
      link.stop();
    }
  });
});
