/**
 * Uploads in Chromium through the built app, against the real RGW (through a
 * recording proxy, so the test sees every byte that reaches the store):
 * a reload mid-upload resumes after re-attaching the file and sends only the
 * missing parts; folders keep their relative paths; cancel leaves nothing;
 * the incomplete-upload manager aborts what others left; bytes show as they
 * are sent (before any part is stored; a part sent again counted once); a
 * finished upload shows in the open listing at once; an anonymous connection
 * offers no upload.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { launchBrowser, newPage } from '../helpers/browser';
import { loadRgwEnv } from '../helpers/rgw-env';
import { appCorsRule, createBucket, destroyBucket, rgwClient, rgwService, uniqueBucket } from '../helpers/s3';
import { partsForwarded, startFaultProxy, type FaultProxy } from '../helpers/fault-proxy';
import { startThrottleProxy } from '../helpers/throttle-proxy';
import { until } from '../helpers/wait';
import { connectAgain, connectAt, settledStatus } from './explorer-helpers';
import { CreateMultipartUpload, HeadObject, PutObject, UploadPart, listAllMultipartUploads, listAllParts } from '../../src/lib/s3/ops/index';
import { checksumBase64 } from '../../src/lib/s3/checksum';
import { describeChecksum, support, wrongChecksum } from '../../src/lib/upload/checksum-probe';
import { listPages } from '../../src/lib/s3/ops/list-objects';
import { downloadedSha256 } from '../integration/upload/harness';

const MiB = 1024 * 1024;

const connect = (page: Page, appUrl: string, endpoint: string, hash: string): Promise<void> => connectAt(page, appUrl, hash, { endpoint });

/** Fill the connect form already on screen (no navigation: the S3 worker and its uploads live on). */
const connectHere = (page: Page, endpoint: string, secret: string): Promise<void> => connectAgain(page, { endpoint, secret });

async function openUploads(page: Page): Promise<Locator> {
  await page.click('[data-testid="open-uploads"]');
  const panel = page.locator('[data-testid="upload-panel"]');
  await panel.waitFor();
  return panel;
}

function row(page: Page, key: string): Locator {
  return page.locator(`[data-testid="upload-row"][data-key="${key}"]`);
}

/** Record every value the page shows for bytes sent, per row, in order (to see that it never goes back). */
async function recordSent(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: Record<string, number[]> = {};
    (window as unknown as { sentSeen: typeof seen }).sentSeen = seen;
    const record = () => {
      for (const el of document.querySelectorAll<HTMLElement>('[data-testid="upload-row"] [data-testid="upload-sent"]')) {
        const key = el.closest('[data-testid="upload-row"]')!.getAttribute('data-key')!;
        const v = Number(el.dataset.bytes);
        const list = (seen[key] ??= []);
        if (list.at(-1) !== v) list.push(v);
      }
    };
    new MutationObserver(record).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  });
}

function sentSeen(page: Page, key: string): Promise<number[]> {
  return page.evaluate((k) => (window as unknown as { sentSeen: Record<string, number[]> }).sentSeen[k] ?? [], key);
}

async function waitStatus(page: Page, key: string, status: string, timeout = 120_000): Promise<void> {
  await page.waitForSelector(`[data-testid="upload-row"][data-key="${key}"][data-status="${status}"]`, { timeout });
}

describe('Uploads in the browser', () => {
  const appUrl = inject('appUrl');
  const origin = new URL(appUrl).origin;
  const bucket = uniqueBucket('upe2e');
  const dir = mkdtempSync(join(tmpdir(), 'tessera-upload-e2e-'));
  let browser: Browser;
  let proxy: FaultProxy;

  beforeAll(async () => {
    await createBucket(bucket, { corsOrigins: [origin] });
    proxy = await startFaultProxy(loadRgwEnv().endpoint);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    await destroyBucket(bucket);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a reload mid-upload resumes after re-attaching the file and sends only the missing parts', async () => {
    const data = randomBytes(96 * MiB);
    const path = join(dir, 'resume me.bin');
    writeFileSync(path, data);
    const sha = createHash('sha256').update(data).digest('hex');
    const { page, errors, context } = await newPage(browser);
    await connect(page, appUrl, proxy.endpoint, `#/b/${bucket}/`);
    const panel = await openUploads(page);
    // Later parts are held back by the proxy, so the reload surely lands mid-upload.
    proxy.setFaults(Object.fromEntries(Array.from({ length: 20 }, (_, i) => [i + 5, { kind: 'stall', ms: 4000 }])));
    await panel.locator('[data-testid="upload-input"]').setInputFiles(path);
    const key = 'resume me.bin';
    // Part progress is shown as "parts k/N": reload once a few parts are on the store.
    await page.waitForFunction((k) => {
      const m = /parts (\d+)\/(\d+)/.exec(document.querySelector(`[data-testid="upload-row"][data-key="${k}"]`)?.textContent ?? '');
      return m && Number(m[1]) >= 3 && Number(m[1]) < Number(m[2]);
    }, key);
    await page.reload();
    proxy.setFaults({});
    // The keys are not kept by the page: connect again, as a user would.
    await connect(page, appUrl, proxy.endpoint, `#/b/${bucket}/`);
    await openUploads(page);
    await waitStatus(page, key, 'needs-file');
    await expect(row(page, key).textContent()).resolves.toContain('Needs file re-attached');

    // What the store holds once the first page's parts have settled: held-back parts were cut
    // off by the reload, but a part whose whole body had reached the RGW may still be stored.
    // Settled: every part the RGW accepted is listed, and two listings in a row agree.
    const client = rgwClient();
    const [upload] = await listAllMultipartUploads(client, { bucket, prefix: key });
    const accepted = [...partsForwarded(proxy.log, { acceptedOnly: true }).keys()];
    let previous = '';
    const onServer = await until(
      async () => {
        const parts = new Set((await listAllParts(client, { bucket, key, uploadId: upload!.uploadId })).map((p) => p.partNumber));
        const now = [...parts].sort((a, b) => a - b).join(',');
        const settled = now === previous && accepted.every((n) => parts.has(n));
        previous = now;
        return settled && parts;
      },
      { interval: 500, timeout: 20_000, what: 'the parts on the store to settle after the reload' },
    );
    expect(onServer.size).toBeGreaterThanOrEqual(3);
    expect(onServer.size).toBeLessThan(12);
    const mark = proxy.log.length;

    // A different file is refused in plain words; the same file resumes.
    const other = join(dir, 'other.bin');
    writeFileSync(other, randomBytes(96 * MiB));
    await row(page, key).locator('input[type="file"]').setInputFiles(other);
    await page.waitForSelector('[data-testid="upload-panel"] [role="alert"]');
    expect(await page.textContent('[data-testid="upload-panel"] [role="alert"]')).toMatch(/differs/);
    await row(page, key).locator('input[type="file"]').setInputFiles(path);
    await waitStatus(page, key, 'done');
    expect(await row(page, key).textContent()).toMatch(/verified: size ok, MD5 ok, SHA-256 ok/);

    const partCount = Number(/parts \d+\/(\d+)/.exec((await row(page, key).textContent()) ?? '')![1]);
    const resent = partsForwarded(proxy.log.slice(mark));
    const missing = Array.from({ length: partCount }, (_, i) => i + 1).filter((n) => !onServer.has(n));
    expect([...resent.keys()].sort((a, b) => a - b)).toEqual(missing);
    expect(Math.max(...resent.values())).toBe(1);
    expect(await downloadedSha256(client, bucket, key)).toBe(sha);
    expect((await client.send(HeadObject, { bucket, key })).metadata.sha256).toBe(sha);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('wrong keys mid-upload: stops with a clear message, continues after good keys, nothing sent twice', async () => {
    const data = randomBytes(96 * MiB);
    const path = join(dir, 'keys.bin');
    writeFileSync(path, data);
    const { page, errors, context } = await newPage(browser);
    await connect(page, appUrl, proxy.endpoint, `#/b/${bucket}/`);
    const panel = await openUploads(page);
    const mark = proxy.log.length;
    proxy.setFaults(Object.fromEntries(Array.from({ length: 20 }, (_, i) => [i + 4, { kind: 'stall', ms: 3000 }])));
    await panel.locator('[data-testid="upload-input"]').setInputFiles(path);
    const key = 'keys.bin';
    await page.waitForFunction((k) => /parts [2-9]\d*\//.test(document.querySelector(`[data-testid="upload-row"][data-key="${k}"]`)?.textContent ?? ''), key);

    // The keys change under the upload: RGW answers without CORS headers, so the browser sees network errors.
    await page.getByRole('button', { name: 'Disconnect' }).click();
    await connectHere(page, proxy.endpoint, 'not-the-secret-not-the-secret-not-the-sec');
    await page.evaluate((b) => (location.hash = `#/b/${b}/`), bucket);
    await openUploads(page);
    // The store is asked in ways that need no preflight, and the answer is shown in plain words.
    await page.waitForFunction(
      (k) => {
        const r = document.querySelector(`[data-testid="upload-row"][data-key="${k}"]`);
        return r?.getAttribute('data-status') === 'needs-credentials' && /secret key \(or the access key\) is most likely wrong/.test(r.querySelector('.error')?.textContent ?? '');
      },
      key,
      { timeout: 120_000 },
    );

    await page.getByRole('button', { name: 'Disconnect' }).click();
    proxy.setFaults({});
    await connectHere(page, proxy.endpoint, loadRgwEnv().secretAccessKey);
    await page.evaluate((b) => (location.hash = `#/b/${b}/`), bucket);
    await openUploads(page);
    await waitStatus(page, key, 'done');
    const client = rgwClient();
    expect(await downloadedSha256(client, bucket, key)).toBe(createHash('sha256').update(data).digest('hex'));
    // No part stored twice: refused attempts are not stored, and what was stored is not sent again.
    const stored = partsForwarded(proxy.log.slice(mark), { acceptedOnly: true });
    expect(stored.size).toBeGreaterThanOrEqual(10);
    expect(Math.max(...stored.values())).toBe(1);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('uploads a folder keeping relative paths as keys, and cancel leaves nothing on the store', async () => {
    const root = join(dir, 'data.zarr');
    mkdirSync(join(root, 'temp', 'ünï #%+'), { recursive: true });
    const files: Record<string, Buffer> = {
      '.zgroup': Buffer.from('{"zarr_format": 2}'),
      'temp/.zarray': Buffer.from('{}'),
      'temp/0.0': randomBytes(300_000),
      'temp/0.1': randomBytes(1),
      'temp/ünï #%+/empty': Buffer.alloc(0),
    };
    for (const [p, b] of Object.entries(files)) writeFileSync(join(root, p), b);
    const { page, errors, context } = await newPage(browser);
    await connect(page, appUrl, loadRgwEnv().endpoint, `#/b/${bucket}/folder/`);
    const panel = await openUploads(page);
    await panel.locator('[data-testid="upload-folder-input"]').setInputFiles(root);
    for (const p of Object.keys(files)) await waitStatus(page, `folder/data.zarr/${p}`, 'done');
    const client = rgwClient();
    const keys: string[] = [];
    for await (const pg of listPages(client, { bucket, prefix: 'folder/' })) keys.push(...pg.objects.map((o) => o.key));
    expect(keys.sort()).toEqual(Object.keys(files).map((p) => `folder/data.zarr/${p}`).sort());
    for (const [p, b] of Object.entries(files)) {
      expect(await downloadedSha256(client, bucket, `folder/data.zarr/${p}`)).toBe(createHash('sha256').update(b).digest('hex'));
    }
    // The checksum verdict is what the store does with a wrong CRC32C (asked here directly), in plain words.
    const probeBody = new TextEncoder().encode('direct question');
    const storeChecks = await client
      .send(PutObject, { bucket, key: 'direct-question', body: probeBody, headers: { 'x-amz-checksum-crc32c': wrongChecksum(await checksumBase64('CRC32C', probeBody)) } })
      .then(() => false, () => true);
    expect(await row(page, 'folder/data.zarr/temp/0.0').locator('[data-testid="upload-checksum"]').textContent()).toBe(describeChecksum(support('CRC32C', storeChecks ? 'verified' : 'ignored')));
    const rootKeys: string[] = [];
    for await (const pg of listPages(client, { bucket })) rootKeys.push(...pg.objects.map((o) => o.key));
    expect(rootKeys.filter((k) => k.startsWith('.tessera-checksum-probe'))).toEqual([]);

    // Cancel a big upload midway: the multipart upload is aborted on the store.
    const big = join(dir, 'cancel.bin');
    writeFileSync(big, randomBytes(200 * MiB));
    await panel.locator('[data-testid="upload-input"]').setInputFiles(big);
    const key = 'folder/cancel.bin';
    await page.waitForFunction((k) => /parts [1-9]\d*\//.test(document.querySelector(`[data-testid="upload-row"][data-key="${k}"]`)?.textContent ?? ''), key);
    await row(page, key).getByRole('button', { name: 'Cancel' }).click();
    await waitStatus(page, key, 'cancelled');
    expect(await listAllMultipartUploads(client, { bucket, prefix: key })).toEqual([]);

    // The small files' records (kept as one IndexedDB value for the folder) come back after a reload, finished.
    await page.reload();
    await connect(page, appUrl, loadRgwEnv().endpoint, `#/b/${bucket}/folder/`);
    await openUploads(page);
    for (const p of Object.keys(files)) await waitStatus(page, `folder/data.zarr/${p}`, 'done', 10_000);
    await waitStatus(page, key, 'cancelled', 10_000);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a CORS rule that does not allow x-amz-checksum headers: the probe says so, the upload goes on with Content-MD5', async () => {
    const strict = uniqueBucket('upe2e-cors');
    await createBucket(strict);
    const headers = ['authorization', 'content-type', 'content-md5', 'x-amz-date', 'x-amz-content-sha256', 'x-amz-security-token', 'x-amz-user-agent', 'x-amz-meta-sha256'];
    await rgwService().putBucketCors(strict, [{ ...appCorsRule([origin]), allowedHeaders: headers }]);
    try {
      const path = join(dir, 'strict.bin');
      const data = randomBytes(123_457);
      writeFileSync(path, data);
      const { page, errors, context } = await newPage(browser);
      await connect(page, appUrl, loadRgwEnv().endpoint, `#/b/${strict}/`);
      const panel = await openUploads(page);
      await panel.locator('[data-testid="upload-input"]').setInputFiles(path);
      await waitStatus(page, 'strict.bin', 'done');
      expect(await row(page, 'strict.bin').locator('[data-testid="upload-checksum"]').getAttribute('data-verdict')).toBe('blocked');
      expect(await row(page, 'strict.bin').textContent()).toMatch(/CORS rule does not let the browser send x-amz-checksum-crc32c: Content-MD5 only/);
      expect(await downloadedSha256(rgwClient(), strict, 'strict.bin')).toBe(createHash('sha256').update(data).digest('hex'));
      expect(errors).toEqual([]);
      await context.close();
    } finally {
      await destroyBucket(strict);
    }
  });

  it('the incomplete-upload manager shows what an orphan holds and aborts it', async () => {
    const client = rgwClient();
    const orphan = await client.send(CreateMultipartUpload, { bucket, key: 'orphans/left behind.bin' });
    await client.send(UploadPart, { bucket, key: 'orphans/left behind.bin', uploadId: orphan.uploadId, partNumber: 1, body: new Uint8Array(6 * MiB) });
    const { page, errors, context } = await newPage(browser);
    await connect(page, appUrl, loadRgwEnv().endpoint, `#/b/${bucket}/`);
    await page.click('details.tools summary');
    const tr = page.locator('[data-testid="incomplete-row"][data-key="orphans/left behind.bin"]');
    await tr.waitFor();
    expect(await tr.textContent()).toContain('6.00 MiB');
    expect(await tr.textContent()).toContain('elsewhere');
    await tr.getByRole('button', { name: 'Abort' }).click();
    await tr.waitFor({ state: 'detached' });
    expect((await listAllMultipartUploads(client, { bucket, prefix: 'orphans/' })).length).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows bytes as they are sent, with speed and time left, before any part is stored; over HTTP/1.1 a big file waits its turn, and a listing still answers', async () => {
    // 256 KiB/s for every body together: no part (5 MiB or more) can reach the store for many seconds.
    // The proxy speaks HTTP/1.1: 6 uploads in flight, at most 4 of them over 4 MiB (s3/protocol.ts).
    const slow = await startThrottleProxy(loadRgwEnv().endpoint, { bytesPerSecond: 256 * 1024 });
    try {
      const files = { 'slow big.bin': randomBytes(40 * MiB), 'slow small.bin': randomBytes(3 * MiB), 'slow next.bin': randomBytes(8 * MiB) };
      const paths = Object.keys(files).map((name) => join(dir, name));
      for (const [name, data] of Object.entries(files)) writeFileSync(join(dir, name), data);
      const { page, errors, context } = await newPage(browser);
      await connect(page, appUrl, slow.endpoint, `#/b/${bucket}/slow/`);
      const panel = await openUploads(page);
      await recordSent(page);
      await panel.locator('[data-testid="upload-input"]').setInputFiles(paths.slice(0, 2));
      // The big file (5 parts of 8 MiB) moves: bytes sent, a speed and a time left, as does the overall line.
      // The small one (one PUT of 3 MiB) shows bytes sent too; its whole body fits the sockets' buffers at
      // once, so its count jumps and then holds (no speed of its own to show) until the store answers. The
      // 8 MiB file added then, a long body too, waits for one of the 4 long slots the big file's parts hold,
      // and says so.
      await page.waitForFunction(
        ([big, small]) => {
          const text = (sel: string) => document.querySelector(sel)?.textContent ?? '';
          const moving = (t: string) => / left/.test(t) && /\/s/.test(t);
          const row = (k: string) => `[data-testid="upload-row"][data-key="${k}"]`;
          const sent = (k: string) => Number(document.querySelector(`${row(k)} [data-testid="upload-sent"]`)?.getAttribute('data-bytes') ?? 0);
          return sent(big!) > 0 && moving(text(row(big!))) && sent(small!) > 0 && moving(text('[data-testid="upload-overall"]'));
        },
        ['slow/slow big.bin', 'slow/slow small.bin'],
        { timeout: 30_000 },
      );
      await panel.locator('[data-testid="upload-input"]').setInputFiles(paths[2]!);
      await page.locator('[data-testid="upload-row"][data-key="slow/slow next.bin"] [data-testid="upload-waiting"]').waitFor({ timeout: 10_000 });
      expect(await page.locator('[data-testid="upload-overall-waiting"]').textContent()).toBe('1 waiting for a connection');
      // What the page showed, and what the store had answered by then: nothing for our objects.
      const shown = await page.evaluate(() => [...document.querySelectorAll('[data-testid="upload-row"]')].map((r) => r.textContent ?? ''));
      const ours = (l: { method: string; url: URL }) => l.method === 'PUT' && /slow(%20| )(big|small|next)\.bin/.test(l.url.pathname);
      const answered = slow.log.filter((l) => (ours(l) && l.status !== 0) || (l.method === 'POST' && l.url.searchParams.has('uploadId')));
      expect(answered).toEqual([]);
      expect(shown.join('\n')).toMatch(/[1-9][\d.]* (B|KiB|MiB) of 40\.0 MiB sent/);
      expect(shown.join('\n')).toMatch(/[1-9][\d.]* (B|KiB|MiB) of 3\.00 MiB sent/);
      expect(shown.join('\n')).toMatch(/Waiting for a connection[\s\S]*0 B of 8\.00 MiB sent/);
      // Long bodies on the wire: 4, so 2 of the browser's 6 connections stay free ...
      const longOnWire = () => slow.log.filter((l) => ours(l) && l.status === 0 && l.contentLength > 4 * MiB).length;
      await expect.poll(longOnWire, { timeout: 10_000 }).toBe(4);
      // ... and a listing asked for now answers while every upload still crawls.
      const listed = slow.log.length;
      await page.getByRole('button', { name: 'Refresh' }).click();
      await expect.poll(() => slow.log.slice(listed).some((l) => l.method === 'GET' && l.url.searchParams.get('list-type') === '2' && l.status === 200), { timeout: 10_000 }).toBe(true);
      expect(slow.log.filter((l) => ours(l) && l.status !== 0)).toEqual([]);
      expect(longOnWire()).toBe(4);

      slow.setRate(Infinity);
      for (const name of Object.keys(files)) await waitStatus(page, `slow/${name}`, 'done');
      for (const [name, data] of Object.entries(files)) {
        const values = await sentSeen(page, `slow/${name}`);
        // The big file's count grows step by step; the small one's jumps (see above), and the one that
        // waited went once the link was fast: each ends at its size, never going back.
        expect(values.length).toBeGreaterThan(name === 'slow big.bin' ? 2 : 0);
        expect(values).toEqual([...values].sort((a, b) => a - b));
        expect(values.at(-1)).toBe(data.length);
        expect(await downloadedSha256(rgwClient(), bucket, `slow/${name}`)).toBe(createHash('sha256').update(data).digest('hex'));
      }
      expect(errors).toEqual([]);
      await context.close();
    } finally {
      await slow.close();
    }
  });

  it('a part sent again is counted once: the bytes sent never go back', async () => {
    // Each request gets a slow link of its own, in front of the fault proxy, which answers the first
    // part with 503 SlowDown once its whole body is in: the page has counted all of it. The part's
    // second attempt counts from 0 again (a new request), and must not pull the count back. The
    // other parts are held meanwhile, so their bytes cannot make up for a count that went back.
    // (A connection cut mid-body would not do: Chromium sends such a PUT again by itself, unseen.)
    const slow = await startThrottleProxy(proxy.endpoint, { bytesPerSecond: 1 * MiB, perRequest: true });
    try {
      const data = randomBytes(40 * MiB);
      const path = join(dir, 'again.bin');
      writeFileSync(path, data);
      const key = 'retried/again.bin';
      const { page, errors, context } = await newPage(browser);
      await connect(page, appUrl, slow.endpoint, `#/b/${bucket}/retried/`);
      const panel = await openUploads(page);
      await recordSent(page);
      const mark = proxy.log.length;
      proxy.setFaults({ 1: { kind: 'slowdown' }, ...Object.fromEntries([2, 3, 4, 5].map((n) => [n, { kind: 'stall', ms: 10_000 }])) });
      await panel.locator('[data-testid="upload-input"]').setInputFiles(path);
      // The second attempt of the refused part is on its way (a megabyte of it through the slow link).
      const attempts = () => {
        const log = proxy.log.slice(mark);
        const refused = log.find((l) => l.fault === 'slowdown');
        return refused ? log.filter((l) => l.method === 'PUT' && l.url.searchParams.get('partNumber') === refused.url.searchParams.get('partNumber')) : [];
      };
      await expect.poll(() => attempts()[1]?.forwardedBytes ?? 0, { timeout: 60_000 }).toBeGreaterThan(MiB);
      slow.setRate(Infinity);
      await waitStatus(page, key, 'done');
      const values = await sentSeen(page, key);
      expect(values.length).toBeGreaterThan(2);
      expect(values).toEqual([...values].sort((a, b) => a - b));
      expect(values.at(-1)).toBe(data.length);
      // Sent twice, stored once.
      expect(attempts()).toHaveLength(2);
      expect(Math.max(...partsForwarded(proxy.log.slice(mark), { acceptedOnly: true }).values())).toBe(1);
      expect(await downloadedSha256(rgwClient(), bucket, key)).toBe(createHash('sha256').update(data).digest('hex'));
      expect(errors).toEqual([]);
      await context.close();
    } finally {
      proxy.setFaults({});
      await slow.close();
    }
  });

  it('a finished small upload (one PUT) shows in the open listing at once, without Refresh', async () => {
    const { page, errors, context } = await newPage(browser);
    await connectAt(page, appUrl, `#/b/${bucket}/listed/`);
    await settledStatus(page);
    const panel = await openUploads(page);
    // Two in turn: the second finds the store's checksum support known and is done within one update of the page.
    for (const name of ['first.txt', 'second.txt']) {
      await panel.locator('[data-testid="upload-input"]').setInputFiles({ name, mimeType: 'text/plain', buffer: Buffer.from(`small ${name}`) });
      await waitStatus(page, `listed/${name}`, 'done');
      await page.waitForSelector(`[data-testid="objects"] tbody tr[data-key="listed/${name}"]`, { timeout: 5000 });
    }
    expect(await settledStatus(page)).toMatch(/^\s*2 objects/);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('an anonymous connection shows no upload panel, and a drop says that uploads need keys', async () => {
    const { page, errors, context } = await newPage(browser);
    await connectAt(page, appUrl, `#/b/${bucket}/`, 'anonymous');
    await settledStatus(page);
    expect(await page.locator('[data-testid="upload-panel"]').count()).toBe(0);
    expect(await page.locator('[data-testid="open-uploads"]').count()).toBe(0);
    await page.evaluate(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['hello'], 'hello.txt', { type: 'text/plain' }));
      for (const type of ['dragenter', 'dragover', 'drop']) document.body.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    await page.waitForSelector('[data-testid="upload-needs-keys"]', { timeout: 5000 });
    expect(await page.textContent('[data-testid="upload-needs-keys"]')).toMatch(/Uploads need keys/);
    expect(await page.locator('[data-testid="upload-panel"]').count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });
});
