/**
 * Download benchmark: one 1 GiB object fetched by Tessera in headless Chromium
 * (the app's "Save to disk" path: parallel presigned ranges, each checked against the ETag, streamed into
 * a file of the origin private file system, size checked) against
 * `/usr/bin/aws s3 cp` and `s3cmd get`, interleaved in the same run.
 * Not a test: nothing fails on speed.
 *
 *   npx tsx bench/download.ts [runs=3] [MiB=1024]    (the app must be built: npx vite build)
 *   TESSERA_BENCH_NET=wan|home: every client through the HTTPS front and one shaper (bench/lib/net.ts).
 *
 * Fair how: the same object, endpoint, front and shaper; clients interleaved, the page cache
 * flushed between them; Tessera is timed from the click (app open, connected: warm) while the peers
 * are cold processes, so Tessera's cold figure adds its page load + connect, measured each run.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveBuiltApp } from './lib/serve-app';
import { serveDir } from './lib/serve-dir';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../test/helpers/browser';
import { S3Client } from '../src/lib/s3/client';
import { resolveEndpoint } from '../src/lib/s3/endpoint';
import { benchNet, cpuNow, logMark, requestsSince } from './lib/net';
import { loadRgwEnv } from '../test/helpers/rgw-env';
import { createBucket, destroyBucket, rgwClient, uniqueBucket } from '../test/helpers/s3';
import { AbortMultipartUpload, CompleteMultipartUpload, CreateMultipartUpload, GetObject, HeadObject, UploadPart } from '../src/lib/s3/ops/index';

const runs = Number(process.argv[2] ?? 3);
const mib = Number(process.argv[3] ?? 1024);
const size = mib * 1024 * 1024;
const env = loadRgwEnv();
const bn = await benchNet();
console.log(bn.describe());
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const KEY = 'bench/one-gib.bin';

function run(cmd: string, args: string[], extraEnv: Record<string, string>): Promise<number> {
  const childEnv: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AWS_') && k !== 'PYTHONPATH' && k !== 'PYTHONHOME') childEnv[k] = v;
  Object.assign(childEnv, extraEnv);
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { env: childEnv, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(performance.now() - t0) : reject(new Error(`${cmd} exited ${code}: ${err.slice(-400)}`))));
  });
}

async function md5File(path: string): Promise<string> {
  const h = createHash('md5');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

const { port, close: closeApp } = await serveBuiltApp();
const origin = `http://127.0.0.1:${port}`;
// The bare-fetch probe (bench/download-harness): Chromium's fetch without the app, streamed or gathered.
const harness = await serveDir(join(import.meta.dirname, 'download-harness'));
const bucket = uniqueBucket('bench-dl');
await createBucket(bucket, { corsOrigins: [origin, harness.origin] });
const local = join(tmpdir(), `tessera-bench-dl-${process.pid}.bin`);
try {
  // The object, written as 64 MiB parts (multipart ETag: the check is by size and each range's ETag).
  const client = rgwClient();
  const part = 64 * 1024 * 1024;
  const { uploadId } = await client.send(CreateMultipartUpload, { bucket, key: KEY });
  const whole = createHash('md5');
  try {
    const parts = [];
    for (let n = 1, off = 0; off < size; n++, off += part) {
      const body = randomBytes(Math.min(part, size - off));
      whole.update(body);
      const r = await client.send(UploadPart, { bucket, key: KEY, uploadId, partNumber: n, body });
      parts.push({ partNumber: n, etag: r.etag! });
    }
    await client.send(CompleteMultipartUpload, { bucket, key: KEY, uploadId, parts });
  } catch (e) {
    await client.send(AbortMultipartUpload, { bucket, key: KEY, uploadId }).catch(() => undefined);
    throw e;
  }
  const md5 = whole.digest('hex');
  const head = await client.send(HeadObject, { bucket, key: KEY });
  console.log(`object: ${mib} MiB, ETag ${head.etag}`);

  // A profile on disk, as a user's browser has: a throw-away (incognito) context keeps the
  // private file system in memory, where Chromium writes it about ten times slower.
  const profile = mkdtempSync(join(tmpdir(), 'tessera-bench-profile-'));
  const browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, env: bn.chromiumEnv as Record<string, string> });
  async function tessera(): Promise<number> {
    const page = await browser.newPage();
    const tPage = performance.now();
    // The object's deep link (#/o/<bucket>/<key>); KEY needs no encoding.
    await page.goto(`${origin}/#/o/${bucket}/${KEY}`);
    await page.fill('input[name="endpoint"]', bn.endpoint);
    await page.fill('input[name="accessKeyId"]', env.accessKeyId);
    await page.fill('input[name="secretAccessKey"]', env.secretAccessKey);
    await page.click('form.connect button[type="submit"]');
    await page.waitForSelector('[data-testid="object-download"]');
    startups.push(performance.now() - tPage);
    // Headless Chromium cannot show the save dialog: answer it with a file of the private file system.
    await page.evaluate(() => {
      (window as unknown as { showSaveFilePicker: () => Promise<FileSystemFileHandle> }).showSaveFilePicker = async () => (await navigator.storage.getDirectory()).getFileHandle('bench.bin', { create: true });
    });
    await page.click('[data-testid="object-download"]');
    const mark0 = logMark(bn);
    const cpu0 = cpuNow();
    const t0 = performance.now();
    await page.click('[data-testid="download-file"]');
    await page.waitForFunction(() => /saved|failed|rror/.test(document.querySelector('[data-testid="download-panel"]')?.textContent ?? ''), undefined, { timeout: 600_000 });
    const ms = performance.now() - t0;
    tCpu.push(cpuNow().chromium - cpu0.chromium);
    tReq.push(requestsSince(bn, mark0, bucket));
    const status = (await page.textContent('[data-testid="download-panel"]')) ?? '';
    const onDisk = await page.evaluate(async () => (await (await (await navigator.storage.getDirectory()).getFileHandle('bench.bin')).getFile()).size);
    if (!status.includes('saved') || onDisk !== size) throw new Error(`Tessera download failed: ${status.replace(/\s+/g, ' ')} (${onDisk} bytes on disk)`);
    // The worker's own time (HEAD to last byte written), as the panel shows it.
    inWorker.push(Number(/\(([\d.]+) s\)/.exec(status)?.[1] ?? NaN) * 1000);
    await page.evaluate(async () => (await navigator.storage.getDirectory()).removeEntry('bench.bin'));
    await page.close();
    return ms;
  }
  // The same ranges (64 MiB, four in flight, past the HTTP cache) fetched by a bare worker that discards the bytes.
  const probePage = await browser.newPage();
  await probePage.goto(`${harness.origin}/index.html`);
  await probePage.waitForFunction(() => document.title === 'ready');
  // Through the same front and shaper as every other client.
  const netClient = new S3Client({ endpoint: resolveEndpoint(bn.endpoint, { region: env.region }).endpoint, credentials: { accessKeyId: env.accessKeyId, secretAccessKey: env.secretAccessKey } });
  const probeUrl = await netClient.presign(GetObject.build({ bucket, key: KEY }), 3600);
  const etag = `"${(await client.send(HeadObject, { bucket, key: KEY })).etag}"`;
  // mode `discard+nostore`: bytes streamed and dropped; `page-blobsync`: each range gathered by the
  // browser (blob), read back in 4 MiB batches and written to a new OPFS file from a page-given
  // handle, presigned with a plain Range, no preflight (what the app does, minus the app).
  const bare = async (mode = 'discard+nostore'): Promise<number> => {
    const out = (await probePage.evaluate((a) => (window as unknown as { probe(a: unknown): Promise<{ ms: number; total: number }> }).probe(a), { url: probeUrl, size, range: 64 << 20, parallel: 4, mode, etag })) as { ms: number; total: number };
    if (out.total !== size) throw new Error(`bare fetch read ${out.total} bytes`);
    return out.ms;
  };
  const awsEnv = { AWS_CONFIG_FILE: join(env.awsConfigDir, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(env.awsConfigDir, 'credentials'), AWS_PROFILE: 'default', AWS_EC2_METADATA_DISABLED: 'true' };
  const awsCp = () => run('/usr/bin/aws', [...bn.awsArgs, 's3', 'cp', '--only-show-errors', `s3://${bucket}/${KEY}`, local], awsEnv);
  const s3cmdGet = () => run('/usr/bin/s3cmd', ['-c', env.s3cfgPath, ...bn.s3cmdArgs, 'get', '--force', '--no-progress', `s3://${bucket}/${KEY}`, local], {});

  const inWorker: number[] = [];
  const startups: number[] = [];
  const tCpu: number[] = [];
  const tReq: string[] = [];
  const aCpu: number[] = [];
  const sCpu: number[] = [];
  const peerCpu = async (f: () => Promise<number>, into: number[]) => {
    const c0 = cpuNow().peers;
    const ms = await f();
    into.push(cpuNow().peers - c0);
    return ms;
  };
  const t: number[] = [];
  const a: number[] = [];
  const s: number[] = [];
  const b: number[] = [];
  const bw: number[] = [];
  // Each client writes 1 GiB to disk: flush the dirty pages between runs, so no client pays
  // for writing back the previous one's file.
  const settle = () => execFileSync('sync');
  for (let i = 0; i < runs; i++) {
    settle();
    t.push(await tessera());
    settle();
    b.push(await bare());
    settle();
    bw.push(await bare('page-blobsync'));
    settle();
    a.push(await peerCpu(awsCp, aCpu));
    settle();
    if (statSync(local).size !== size || (i === 0 && (await md5File(local)) !== md5)) throw new Error('aws cli download differs');
    s.push(await peerCpu(s3cmdGet, sCpu));
    if (statSync(local).size !== size) throw new Error('s3cmd download differs');
    const mbs = (ms: number) => (size / 1e6 / (ms / 1000)).toFixed(0);
    console.log(`run ${i + 1}: tessera ${(t.at(-1)! / 1000).toFixed(2)} s (${mbs(t.at(-1)!)} MB/s; in the worker ${(inWorker.at(-1)! / 1000).toFixed(1)} s; Chromium CPU ${tCpu.at(-1)!.toFixed(2)} s; page load + connect ${(startups.at(-1)! / 1000).toFixed(2)} s${bn.net ? `; ${tReq.at(-1)}` : ''}) | aws CPU ${aCpu.at(-1)!.toFixed(2)} s, s3cmd CPU ${sCpu.at(-1)!.toFixed(2)} s | bare streamed fetch ${(b.at(-1)! / 1000).toFixed(2)} s, gathered to OPFS ${(bw.at(-1)! / 1000).toFixed(2)} s | aws ${(a.at(-1)! / 1000).toFixed(2)} s (${mbs(a.at(-1)!)} MB/s) | s3cmd ${(s.at(-1)! / 1000).toFixed(2)} s (${mbs(s.at(-1)!)} MB/s)`);
  }
  const tm = median(t);
  const load = loadavg().map((x) => x.toFixed(2)).join(' ');
  console.log(`\nDownload of ${mib} MiB, median of ${runs} (load average ${load}):`);
  console.log(`  Tessera (Chromium, parallel ranges, to OPFS, size and ETag checked): ${(tm / 1000).toFixed(2)} s`);
  console.log(`  A bare worker streaming the same ranges and discarding the bytes:                 ${(median(b) / 1000).toFixed(2)} s (${(median(a) / median(b)).toFixed(2)}x aws)`);
  console.log(`  A bare worker gathering them (blob) into a new OPFS file as the app does:          ${(median(bw) / 1000).toFixed(2)} s (${(median(a) / median(bw)).toFixed(2)}x aws)`);
  console.log(`  Tessera cold (+ page load and connect ${(median(startups) / 1000).toFixed(2)} s): ${((tm + median(startups)) / 1000).toFixed(2)} s -> ${(median(a) / (tm + median(startups))).toFixed(2)}x aws`);
  console.log(`  CPU s (medians): Tessera's Chromium ${median(tCpu).toFixed(2)}, aws ${median(aCpu).toFixed(2)}, s3cmd ${median(sCpu).toFixed(2)}${bn.net ? `; shaper over the whole benchmark ${bn.shaperCpu().toFixed(2)}` : ''}`);
  console.log(`  aws s3 cp: ${(median(a) / 1000).toFixed(2)} s  -> Tessera ${(median(a) / tm).toFixed(2)}x`);
  console.log(`  s3cmd get: ${(median(s) / 1000).toFixed(2)} s  -> Tessera ${(median(s) / tm).toFixed(2)}x`);
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
} finally {
  rmSync(local, { force: true });
  await destroyBucket(bucket);
  await closeApp();
  harness.close();
  await bn.close();
}
