/**
 * A folder upload in Chromium over the HTTPS front (HTTP/2, the shaped
 * network of scripts/net.sh): small files go as form uploads (PostObject),
 * simple requests that need no CORS preflight, and bigger ones as PUTs (each
 * preflighted); a bucket whose CORS rule does not allow POST gets one POST,
 * then PUTs for every file. What reached the store is read from nginx's log,
 * and every object is read back and compared with its file.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newPage } from '../helpers/browser';
import { accessLogSince, accessLogSize, launchBrowserOverNet, loadNetEnv } from '../helpers/net-env';
import { appCorsRule, createBucket, destroyBucket, rgwClient, rgwService, uniqueBucket } from '../helpers/s3';
import { downloadedSha256 } from '../integration/upload/harness';
import { FORM_UPLOAD_MAX } from '../../src/lib/upload/multipart';
import { connectAt } from './explorer-helpers';

const MiB = 1024 * 1024;
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

const connect = (page: Page, appUrl: string, endpoint: string, hash: string): Promise<void> => connectAt(page, appUrl, hash, { endpoint });

/** A folder `name` of small files (below FORM_UPLOAD_MAX: form uploads) and two bigger ones (PUTs), written to disk. */
function folder(dir: string, name: string, count: number): Record<string, Buffer> {
  const root = join(dir, name);
  mkdirSync(join(root, 'temp', 'ünï #%+'), { recursive: true });
  const files: Record<string, Buffer> = { '.zgroup': Buffer.from('{"zarr_format": 2}'), 'temp/.zarray': Buffer.from('{}'), 'temp/ünï #%+/empty': Buffer.alloc(0), 'temp/big': randomBytes(2 * MiB), 'temp/edge': randomBytes(FORM_UPLOAD_MAX) };
  for (let i = 0; i < count; i++) files[`temp/${i}.0`] = randomBytes(1 + ((i * 37_003) % (FORM_UPLOAD_MAX - 1)));
  for (const [p, b] of Object.entries(files)) writeFileSync(join(root, p), b);
  return files;
}

/** Upload a folder through the panel and wait until every file is done. */
async function uploadFolder(page: Page, root: string, keys: string[]): Promise<void> {
  await page.click('[data-testid="open-uploads"]');
  const panel = page.locator('[data-testid="upload-panel"]');
  await panel.waitFor();
  await panel.locator('[data-testid="upload-folder-input"]').setInputFiles(root);
  for (const key of keys) await page.waitForSelector(`[data-testid="upload-row"][data-key="${key}"][data-status="done"]`, { timeout: 120_000 });
}

describe('folder uploads as form uploads over HTTPS', () => {
  const appUrl = inject('appUrl');
  const origin = new URL(appUrl).origin;
  const bucket = uniqueBucket('post-e2e');
  const noPost = uniqueBucket('nopost-e2e');
  const tmp = mkdtempSync(join(tmpdir(), 'tessera-post-e2e-'));
  let browser: Browser;

  beforeAll(async () => {
    loadNetEnv();
    await createBucket(bucket, { corsOrigins: [origin] });
    await createBucket(noPost);
    // Everything Tessera's recommended rule allows, but POST.
    const rule = appCorsRule([origin]);
    await rgwService().putBucketCors(noPost, [{ ...rule, allowedMethods: rule.allowedMethods.filter((m) => m !== 'POST') }]);
    browser = await launchBrowserOverNet();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    rmSync(tmp, { recursive: true, force: true });
    await destroyBucket(bucket);
    await destroyBucket(noPost);
  });

  it('sends the small files as POSTs without a preflight, bigger ones as PUTs, over HTTP/2, and the store holds every file', async () => {
    const net = loadNetEnv();
    const files = folder(tmp, 'form.zarr', 12);
    const keys = Object.keys(files).map((p) => `up/form.zarr/${p}`);
    const from = accessLogSize();
    const { page, errors, context } = await newPage(browser);
    await connect(page, appUrl, net.h2, `#/b/${bucket}/up/`);
    await uploadFolder(page, join(tmp, 'form.zarr'), keys);

    const log = accessLogSince(from).filter((l) => l.uri === `/${bucket}` || l.uri.startsWith(`/${bucket}/`) || l.uri.startsWith(`/${bucket}?`));
    const small = Object.entries(files).filter(([, b]) => b.length < FORM_UPLOAD_MAX).length;
    const posts = log.filter((l) => l.method === 'POST' && (l.uri === `/${bucket}` || l.uri === `/${bucket}/`));
    expect(posts.map((l) => l.status)).toEqual(Array(small).fill(201));
    // No preflight for any small file, and no PUT either; the bigger ones are preflighted and PUT.
    const onKey = (l: { uri: string }) => decodeURIComponent(l.uri.split('?')[0]!).slice(bucket.length + 2);
    for (const [p, b] of Object.entries(files)) {
      const mine = log.filter((l) => onKey(l) === `up/form.zarr/${p}` && (l.method === 'PUT' || l.method === 'OPTIONS'));
      if (b.length < FORM_UPLOAD_MAX) expect(mine).toEqual([]);
      else expect(mine.map((l) => l.method).sort()).toEqual(['OPTIONS', 'PUT']);
    }
    expect(new Set(log.map((l) => l.protocol))).toEqual(new Set(['HTTP/2.0']));

    const client = rgwClient();
    for (const [p, b] of Object.entries(files)) expect(await downloadedSha256(client, bucket, `up/form.zarr/${p}`)).toBe(sha(b));
    expect(errors).toEqual([]);
    await context.close();
  });

  it('falls back to PUT where the bucket CORS rule does not allow POST: one POST, then PUTs, every file stored', async () => {
    const net = loadNetEnv();
    const files = folder(tmp, 'put.zarr', 6);
    const keys = Object.keys(files).map((p) => `up/put.zarr/${p}`);
    const from = accessLogSize();
    const { page, errors, context } = await newPage(browser);
    await connect(page, appUrl, net.h2, `#/b/${noPost}/up/`);
    await uploadFolder(page, join(tmp, 'put.zarr'), keys);

    const log = accessLogSince(from).filter((l) => l.uri === `/${noPost}` || l.uri.startsWith(`/${noPost}/`) || l.uri.startsWith(`/${noPost}?`));
    // The first small file's POST reached the store (a simple request is sent without asking) but its answer was not the page's to read.
    expect(log.filter((l) => l.method === 'POST' && !l.uri.includes('?'))).toHaveLength(1);
    const onKey = (l: { uri: string }) => decodeURIComponent(l.uri.split('?')[0]!).slice(noPost.length + 2);
    for (const p of Object.keys(files)) {
      expect(log.filter((l) => l.method === 'PUT' && onKey(l) === `up/put.zarr/${p}`).map((l) => l.status)).toEqual([200]);
    }
    const client = rgwClient();
    for (const [p, b] of Object.entries(files)) expect(await downloadedSha256(client, noPost, `up/put.zarr/${p}`)).toBe(sha(b));
    // The refused POST is no error the user sees.
    expect(await page.locator('[data-testid="upload-row"][data-status="failed"]').count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });
});
