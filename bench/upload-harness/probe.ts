/**
 * Quick probe for tuning the upload engine in Chromium: one file, several
 * integrity settings, one run each (`npx tsx bench/upload-harness/probe.ts [MiB]`, after
 * `bench/upload.ts` made the test files). Env: INTEG, SEND, READ (JSON lists).
 */
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { launchBrowser } from '../../test/helpers/browser';
import { loadRgwEnv } from '../../test/helpers/rgw-env';
import { createBucket, destroyBucket, uniqueBucket } from '../../test/helpers/s3';
import { serveDir } from '../lib/serve-dir';

const WORK = join(tmpdir(), 'tessera-bench-upload');
const dist = join(WORK, 'dist');
const size = Number(process.argv[2] ?? 128);

import { build } from 'vite';
await build({ configFile: false, root: import.meta.dirname, base: './', logLevel: 'warn', worker: { format: 'es' }, build: { outDir: dist, emptyOutDir: true, target: 'es2022' } });
const server = await serveDir(dist);
const origin = server.origin;
const env = loadRgwEnv();
const bucket = uniqueBucket('probe');
await createBucket(bucket, { corsOrigins: [origin] });
const browser = await launchBrowser();
const page = await browser.newPage();
page.on('console', (m) => console.log('console:', m.text()));
await page.goto(`${origin}/index.html`);
await page.waitForFunction(() => document.title === 'ready');
type B = { bench: { connect(s: unknown): Promise<void>; upload(b: string, k: string[], i: unknown): Promise<{ ms: number; failed: string[] }> } };
await page.evaluate((s) => (window as unknown as B).bench.connect(s), { endpoint: env.endpoint, region: env.region, accessKeyId: env.accessKeyId, secretAccessKey: env.secretAccessKey });
console.log('hash speed on page', await page.evaluate(() => (window as unknown as { bench: { hashSpeed(): Promise<unknown> } }).bench.hashSpeed()));
await page.setInputFiles('#files', [join(WORK, `random-${size * 1024 * 1024}.bin`)]);
for (const [part, conc] of JSON.parse(process.env.SEND ?? '[]') as number[][]) {
  console.log(`send ${part} MiB x${conc}`, JSON.stringify(await page.evaluate(([b, p, c]) => (window as unknown as { bench: { sendSpeed(b: string, p: number, c: number): Promise<unknown> } }).bench.sendSpeed(b as string, (p as number) * 1024 * 1024, c as number), [bucket, part, conc])));
}
for (const [part, conc] of JSON.parse(process.env.READ ?? '[]') as number[][]) {
  console.log(`read ${part} MiB x${conc}`, await page.evaluate(([p, c]) => (window as unknown as { bench: { readSpeed(p: number, c: number): Promise<unknown> } }).bench.readSpeed(p! * 1024 * 1024, c!), [part, conc]));
}
for (const integ of JSON.parse(process.env.INTEG ?? '[{"md5":true,"sha256":false}]')) {
  const r = await page.evaluate(({ bucket, integ }) => (window as unknown as B).bench.upload(bucket, [`k-${Math.random()}`], integ), { bucket, integ });
  console.log(JSON.stringify(integ), (r.ms / 1000).toFixed(2), 's', (size * 1.048576 / (r.ms / 1000)).toFixed(0), 'MB/s', r.failed.join(';'));
}
await browser.close();
server.close();
await destroyBucket(bucket);
