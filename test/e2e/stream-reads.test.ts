/**
 * Reading blobs' streams in Chromium as the app does, with garbage collection
 * running all the while: picked files for the upload's hashes, and ranges
 * gathered by the browser for a download. A `Blob.stream()` waiting on a read
 * used to be collected there, and its read never settled: the 398-file folder
 * upload stopped for ever with files left "uploading" (src/lib/held-streams.ts
 * holds the streams now). Without the forced collections the fault showed only
 * after 53-380 files; with them, at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM, CHROMIUM_ARGS } from '../helpers/browser';
import { requireChromium } from '../helpers/requirements';
import type { ReadReport } from './read-harness/worker';

const KiB = 1024;

describe('reading blob streams while the collector runs', () => {
  const work = mkdtempSync(join(tmpdir(), 'tessera-file-reads-'));
  const expected = new Map<string, string>();
  const paths: string[] = [];
  let server: PreviewServer;
  let browser: Browser;

  beforeAll(async () => {
    requireChromium();
    // Sizes around the read buffer (64 KiB): less than one read, several, a remainder, an exact multiple.
    for (let i = 0; i < 60; i++) {
      const size = [1000, 64 * KiB + 1, 200 * KiB, 577 * KiB + 13, 1024 * KiB][i % 5]! + i;
      const bytes = randomBytes(size);
      const path = join(work, `chunk-${i}.bin`);
      writeFileSync(path, bytes);
      paths.push(path);
      expected.set(`chunk-${i}.bin`, createHash('md5').update(bytes).digest('hex'));
    }
    const outDir = join(work, 'page');
    await build({ configFile: false, root: join(import.meta.dirname, 'read-harness'), base: './', logLevel: 'warn', worker: { format: 'es' }, build: { outDir, emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 4096 } });
    server = await preview({ configFile: false, root: work, build: { outDir: 'page' }, preview: { host: '127.0.0.1', port: 0 }, logLevel: 'warn' });
    // gc() in pages and workers, so the test can collect between reads.
    browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, '--js-flags=--expose-gc'], headless: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(work, { recursive: true, force: true });
  });

  for (const [via, concurrency] of [['upload', 1], ['upload', 20], ['download', 4]] as const) {
    it(`every ${via} read ends with the file's bytes, ${concurrency} at once`, async () => {
      const page = await browser.newPage();
      try {
        await page.goto(server.resolvedUrls!.local[0]!);
        await page.waitForFunction(() => document.title === 'ready');
        await page.setInputFiles('#files', paths);
        const report = await page.evaluate(
          (request) => (window as unknown as { readAll(r: typeof request): Promise<ReadReport> }).readAll(request),
          { via, concurrency, buffer: 64 * KiB, patience: 20_000 },
        );
        expect(report.collected, 'gc() is there to call').toBe(true);
        expect(report.errors).toEqual([]);
        expect(report.waiting, 'reads that never settled').toEqual([]);
        expect(report.md5).toEqual(Object.fromEntries(expected));
        expect(report.held, 'streams held after their reads').toBe(0);
      } finally {
        await page.close();
      }
    }, 120_000);
  }
});
