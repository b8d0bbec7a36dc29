/**
 * Upload benchmark (`npm run bench -- upload`): Tessera's upload engine in
 * headless Chromium (the real S3 worker, as in the app) against the peer
 * tools on the same RGW, interleaved, median of 3:
 *   - one 1 GiB random file: Tessera with per-part Content-MD5 + whole-file
 *     SHA-256, Tessera with hashing off, `aws s3 cp` (defaults), `s3cmd put`;
 *   - the ~400-object Zarr directory xarray writes: Tessera vs `aws s3 sync`
 *     and `s3cmd sync`.
 * Peer times are the wall time of the command (what a user waits for);
 * Tessera's run from queueing the files until every upload is verified.
 * Not a test: nothing here fails on speed.
 *
 * TESSERA_BENCH_NET=wan|home: every client through the HTTPS front and one shaper (bench/lib/net.ts).
 * Fair how: same files, bucket, endpoint, front and shaper; contenders rotate each round; peers are
 * cold processes (wall time of the command), Tessera is timed with its page open and connected,
 * so its "cold" figure adds the measured page load + connect of a fresh page.
 *
 * Environment: TESSERA_BENCH_SIZE_MB (default 1024), TESSERA_BENCH_RUNS (default 3),
 * TESSERA_BENCH_CASES (default `file,folder`; `folder` alone skips the big file; `small`: 400 files
 * of 1-200 KiB, where small files go as form uploads), TESSERA_BENCH_ONLY
 * (contenders whose names contain one of these comma-separated words),
 * TESSERA_BENCH_DEVTOOLS (default `detached`: Playwright disconnects while
 * Tessera uploads, see upload-harness/detached.ts; `attached` keeps it on),
 * TESSERA_BENCH_CPU_PROFILE=1 (+ TESSERA_BENCH_NO_MINIFY=1 for readable names):
 * every thread's functions (page, S3 worker, hash workers) by self time in
 * each Tessera contender's first round (detached runs are traced over a
 * connection of their own: on Node 20, NODE_OPTIONS=--experimental-websocket).
 *
 * During Tessera's big-file runs the resident memory of the browser's renderer
 * (the page and its workers live there) and of its network service is sampled
 * from /proc; the peak is printed next to parts in flight x part size. Each
 * run also prints the CPU seconds used by Chromium's processes, the peer CLI
 * and the store (radosgw, ceph-osd), which all share the same cores.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { extname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import type { Page } from 'playwright-core';
import { benchNet, logMark, requestsSince } from './lib/net';
import { aws, s3cmd } from '../test/helpers/cli';
import { loadRgwEnv, rgwStateDir } from '../test/helpers/rgw-env';
import { createBucket, destroyBucket, rgwClient, uniqueBucket } from '../test/helpers/s3';
import { listPages } from '../src/lib/s3/ops/list-objects';
import { deleteMany } from '../src/lib/s3/ops/delete-objects';
import { planParts } from '../src/lib/upload/part-plan';
import { DEFAULT_MAX_BYTES } from '../src/lib/upload/engine';
import { longTransfers, parallelism } from '../src/lib/s3/protocol';
import { MemorySampler, cpuByRole, cpuByThread, cpuDelta } from './upload-harness/memory';
import { DetachableChromium } from './upload-harness/detached';
import { CPU_TRACE_CATEGORIES, printCpuByFunction } from './lib/cpu-profile';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const WORK = join(tmpdir(), 'tessera-bench-upload');
/**
 * A memstore RGW keeps deleted data in RAM until its garbage collector runs
 * (every 30 s): twelve 1 GiB uploads in two minutes fill an 8 GiB memstore and
 * stop every writer. `npm run bench` starts a bluestore RGW when none is up;
 * on a memstore one this defaults to 256 MiB.
 */
function rgwMode(): string {
  try {
    return readFileSync(join(rgwStateDir(), 'mode'), 'utf8').trim();
  } catch {
    return 'unknown';
  }
}
const SIZE = Number(process.env.TESSERA_BENCH_SIZE_MB ?? (rgwMode() === 'memstore' ? 256 : 1024)) * 1024 * 1024;
const RUNS = Number(process.env.TESSERA_BENCH_RUNS ?? 3);
const CASES = new Set((process.env.TESSERA_BENCH_CASES ?? 'file,folder').split(',').map((c) => c.trim()));
const CPU_PROFILE = process.env.TESSERA_BENCH_CPU_PROFILE === '1';
const DETACHED = process.env.TESSERA_BENCH_DEVTOOLS !== 'attached';
/** TESSERA_BENCH_ONLY='Tessera folder (MD5 + SHA-256),aws s3 sync': only contenders whose names contain one of these (less data through a small store). */
const ONLY = (process.env.TESSERA_BENCH_ONLY ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const picked = (name: string) => !ONLY.length || ONLY.some((o) => name.includes(o));
/** TESSERA_BENCH_THREADS=1: also print each Tessera run's CPU seconds per Chromium thread. */
const THREADS = process.env.TESSERA_BENCH_THREADS === '1';
const MIME: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.map': 'application/json', '.wasm': 'application/wasm' };

interface RunResult {
  ms: number;
  failed: string[];
}
let resultWaiter: ((r: RunResult) => void) | undefined;

async function serve(dir: string): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    if (req.method === 'POST' && req.url?.endsWith('/result')) {
      // A detached run's result (see upload-harness/main.ts `start`).
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        res.writeHead(204).end();
        resultWaiter?.(JSON.parse(body) as RunResult);
      });
      return;
    }
    const path = join(dir, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const file = existsSync(path) && statSync(path).isDirectory() ? join(path, 'index.html') : path;
    if (!file.startsWith(dir) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  return { server, origin: `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}` };
}

async function randomFile(path: string, size: number): Promise<void> {
  if (existsSync(path) && statSync(path).size === size) return;
  const out = createWriteStream(path);
  for (let done = 0; done < size; done += 8 << 20) {
    if (!out.write(randomBytes(Math.min(8 << 20, size - done)))) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r, j) => out.end((e?: Error | null) => (e ? j(e) : r())));
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(join(dir, d.name)) : [join(dir, d.name)]));
}

async function emptyPrefix(bucket: string, prefix: string): Promise<void> {
  const client = rgwClient();
  const keys: string[] = [];
  for await (const page of listPages(client, { bucket, prefix })) keys.push(...page.objects.map((o) => o.key));
  if (keys.length) await deleteMany(client, bucket, keys, { concurrency: 32 });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}

function mustSucceed(name: string) {
  return (r: { code: number; stderr: string }) => {
    if (r.code !== 0) throw new Error(`${name} failed (exit ${r.code}): ${r.stderr.slice(0, 300)}`);
  };
}

type Integrity = { md5: boolean; sha256: boolean; checksum: boolean };
// `checksum`: CRC32C too where the bucket's probe shows the store checks it.
const ALL: Integrity = { md5: true, sha256: true, checksum: true };
const MD5: Integrity = { md5: true, sha256: false, checksum: true };
const NONE: Integrity = { md5: false, sha256: false, checksum: false };

type Harness = { bench: { upload(b: string, k: string[], i: Integrity, form: boolean): Promise<RunResult>; start(b: string, k: string[], i: Integrity, form: boolean): void } };

/** How the benchmark reaches the harness page: through an attached Playwright, or by connecting for a moment. */
interface Driver {
  run<T>(fn: (page: Page) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** Trace every process of the browser until the returned function is called (CPU profiles). */
  trace(categories: string[]): Promise<() => Promise<string>>;
}

/** `form`: small files as form uploads (the app's default); false: PUT only, as before form uploads. */
/** Uploads by Tessera so far in this run: each goes to keys of its own (see `tessera`). */
let uploadsSoFar = 0;

async function tessera(driver: Driver, bucket: string, paths: string[], names: string[], integrity: Integrity, form = true): Promise<number> {
  // Keys no earlier round used, as a user's new upload has: Chromium keeps a CORS preflight's answer
  // per URL (Access-Control-Max-Age), so a round sending to the URLs of an earlier one skipped up to
  // half of its preflights (the folder through `wan` over HTTP/1.1: 4.2-4.4 s against 6.5 s for the
  // first round). The peers preflight nothing, so nothing of theirs is cached.
  const run = ++uploadsSoFar;
  const keys = names.map((k) => `${k.slice(0, k.indexOf('/') + 1)}run-${run}/${k.slice(k.indexOf('/') + 1)}`);
  const args = { bucket, keys, integrity, form };
  let r: RunResult;
  if (DETACHED) {
    const result = new Promise<RunResult>((resolve) => (resultWaiter = resolve));
    await driver.run(async (page) => {
      // Playwright would copy the files' bytes over a CDP connection (memory Blobs, 50 MB at most):
      // hand Chromium the paths instead, as the file picker does.
      const cdp = await page.context().newCDPSession(page);
      const input = await cdp.send('Runtime.evaluate', { expression: "document.getElementById('files')" });
      await cdp.send('DOM.setFileInputFiles', { files: paths, objectId: input.result.objectId! });
      await cdp.detach();
      await page.evaluate((a) => (window as unknown as Harness).bench.start(a.bucket, a.keys, a.integrity, a.form), args);
    });
    r = await result;
  } else {
    r = await driver.run(async (page) => {
      await page.setInputFiles('#files', paths);
      return page.evaluate((a) => (window as unknown as Harness).bench.upload(a.bucket, a.keys, a.integrity, a.form), args);
    });
  }
  if (r.failed.length) throw new Error(`Tessera: ${r.failed.length} uploads failed: ${r.failed.slice(0, 3).join('; ')}`);
  return r.ms / 1000;
}

async function main(): Promise<void> {
  mkdirSync(WORK, { recursive: true });
  const env = loadRgwEnv();
  const bn = await benchNet();
  console.log(bn.describe());
  const big = join(WORK, `random-${SIZE}.bin`);
  const zarr = join(WORK, 'bench.zarr');
  if (rgwMode() === 'memstore') console.log('The RGW runs on memstore: using smaller files (set TESSERA_BENCH_SIZE_MB to override; `npm run rgw:up -- --bluestore` for 1 GiB runs).');
  console.log(`Preparing ${SIZE / 2 ** 20} MiB random file and the Zarr directory in ${WORK}…`);
  if (CASES.has('file')) await randomFile(big, SIZE);
  if (!existsSync(join(zarr, '.zmetadata'))) execFileSync('/usr/bin/python3', [join(ROOT, 'bench/upload-make-zarr.py'), zarr], { stdio: 'inherit' });
  const zarrFiles = walk(zarr);
  const zarrBytes = zarrFiles.reduce((s, f) => s + statSync(f).size, 0);
  // `small`: 400 files of 1-200 KiB (metadata, small chunks): where form uploads (no preflight) apply.
  const smallDir = join(WORK, 'small-files');
  if (CASES.has('small') && !existsSync(join(smallDir, '399.bin'))) {
    mkdirSync(smallDir, { recursive: true });
    for (let i = 0; i < 400; i++) writeFileSync(join(smallDir, `${i}.bin`), randomBytes(1024 + ((i * 7919) % (199 * 1024))));
  }
  const smallFiles = CASES.has('small') ? walk(smallDir) : [];
  const smallBytes = smallFiles.reduce((s, f) => s + statSync(f).size, 0);
  const smallKeys = smallFiles.map((f) => `small/tessera/${relative(smallDir, f)}`);
  const smallRuns: Record<string, () => Promise<number>> = {
    'Tessera small files (MD5 + SHA-256)': async () => tessera(driver, bucket, smallFiles, smallKeys, ALL),
    'Tessera small files, PUT only (MD5 + SHA-256)': async () => tessera(driver, bucket, smallFiles, smallKeys.map((k) => k.replace('small/tessera/', 'small/tessera-put/')), ALL, false),
    // Named apart from the Zarr folder's peer: times are kept by contender name.
    'aws s3 sync (small files)': () => timed(async () => mustSucceed('aws s3 sync')(await aws([...bn.awsArgs, 's3', 'sync', '--only-show-errors', smallDir, `s3://${bucket}/small/aws`]))),
  };

  const dist = join(WORK, 'dist');
  await build({ configFile: false, root: join(ROOT, 'bench/upload-harness'), base: './', logLevel: 'warn', worker: { format: 'es' }, build: { outDir: dist, emptyOutDir: true, target: 'es2022', ...(process.env.TESSERA_BENCH_NO_MINIFY === '1' ? { minify: false } : {}) } });
  const { server, origin } = await serve(dist);
  const bucket = uniqueBucket('bench-up');
  await createBucket(bucket, { corsOrigins: [origin] });
  let driver: Driver;
  if (DETACHED) {
    const chrome = new DetachableChromium(bn.chromiumEnv);
    driver = { run: (fn) => chrome.with(origin, fn), close: () => chrome.close(), trace: (categories) => chrome.startTracing(categories) };
  } else {
    const browser = await bn.launchBrowser();
    const attached = await browser.newPage();
    driver = {
      run: (fn) => fn(attached),
      close: () => browser.close(),
      trace: async (categories) => {
        await browser.startTracing(undefined, { categories });
        return async () => (await browser.stopTracing()).toString();
      },
    };
  }
  let tStart = 0;
  await driver.run(async (page) => {
    page.on('pageerror', (e) => console.error('page error:', e));
    // Cold start as a user sees it: page load and connect (not Chromium's own start-up).
    tStart = performance.now();
    await page.goto(`${origin}/index.html`);
    await page.waitForFunction(() => document.title === 'ready');
    await page.evaluate((s) => (window as unknown as { bench: { connect(s: unknown): Promise<void> } }).bench.connect(s), {
      endpoint: bn.endpoint,
      region: env.region,
      accessKeyId: env.accessKeyId,
      secretAccessKey: env.secretAccessKey,
    });
  });

  const startup = (performance.now() - tStart) / 1000;
  console.log(`Harness page load + connect: ${startup.toFixed(2)} s (added to Tessera's times for its cold figure)`);
  const memory = new MemorySampler();
  const sampled = (fn: () => Promise<number>) => async () => {
    memory.start();
    try {
      return await fn();
    } finally {
      memory.stop();
    }
  };
  const fileRuns: Record<string, () => Promise<number>> = {
    'Tessera (MD5 per part + SHA-256)': sampled(async () => tessera(driver, bucket, [big], ['big/tessera.bin'], ALL)),
    'Tessera (MD5 per part)': sampled(async () => tessera(driver, bucket, [big], ['big/tessera-md5.bin'], MD5)),
    'Tessera (hashing off)': sampled(async () => tessera(driver, bucket, [big], ['big/tessera-nohash.bin'], NONE)),
    'aws s3 cp': () => timed(async () => mustSucceed('aws s3 cp')(await aws([...bn.awsArgs, 's3', 'cp', '--only-show-errors', big, `s3://${bucket}/big/aws.bin`]))),
    's3cmd put': () => timed(async () => mustSucceed('s3cmd put')(await s3cmd([...bn.s3cmdArgs, 'put', '--no-progress', big, `s3://${bucket}/big/s3cmd.bin`]))),
  };
  const zarrKeys = zarrFiles.map((f) => `zarr/tessera/bench.zarr/${relative(zarr, f).split('\\').join('/')}`);
  const folderRuns: Record<string, () => Promise<number>> = {
    'Tessera folder (MD5 + SHA-256)': async () => tessera(driver, bucket, zarrFiles, zarrKeys, ALL),
    'Tessera folder, PUT only (MD5 + SHA-256)': async () => tessera(driver, bucket, zarrFiles, zarrKeys.map((k) => k.replace('zarr/tessera/', 'zarr/tessera-put/')), ALL, false),
    'Tessera folder (MD5)': async () => tessera(driver, bucket, zarrFiles, zarrKeys.map((k) => k.replace('zarr/tessera/', 'zarr/tessera-md5/')), MD5),
    'Tessera folder (hashing off)': async () => tessera(driver, bucket, zarrFiles, zarrKeys.map((k) => k.replace('zarr/tessera/', 'zarr/tessera-nohash/')), NONE),
    'aws s3 sync': () => timed(async () => mustSucceed('aws s3 sync')(await aws([...bn.awsArgs, 's3', 'sync', '--only-show-errors', zarr, `s3://${bucket}/zarr/aws/bench.zarr`]))),
    's3cmd sync': () => timed(async () => mustSucceed('s3cmd sync')(await s3cmd([...bn.s3cmdArgs, 'sync', '--no-progress', `${zarr}/`, `s3://${bucket}/zarr/s3cmd/bench.zarr/`]))),
  };

  const times: Record<string, number[]> = {};
  try {
    // Warm-up, untimed: the first upload of a session starts the hash workers,
    // compiles the WASM hashers and asks the bucket whether it checks
    // x-amz-checksum headers; once per session, not per upload.
    await tessera(driver, bucket, zarrFiles.slice(0, 8), zarrKeys.slice(0, 8).map((k) => k.replace('zarr/tessera/', 'warm-up/')), ALL);
    await emptyPrefix(bucket, 'warm-up/');
    for (const [label, runs, prefix] of [
      ['file', fileRuns, 'big/'],
      ['folder', folderRuns, 'zarr/'],
      ['small', smallRuns, 'small/'],
    ] as const) {
      if (!CASES.has(label)) continue;
      const names = Object.keys(runs).filter(picked);
      for (let round = 0; round < RUNS; round++) {
        // Rotate the order each round so no contender always goes first (warm caches, RGW state).
        for (let i = 0; i < names.length; i++) {
          const name = names[(i + round) % names.length]!;
          const cpu0 = cpuByRole();
          const shaper0 = bn.shaperCpu();
          const mark0 = logMark(bn);
          const node0 = process.cpuUsage();
          const threads0 = THREADS ? cpuByThread() : {};
          const stopTrace = CPU_PROFILE && round === 0 && name.startsWith('Tessera') ? await driver.trace(CPU_TRACE_CATEGORIES) : undefined;
          const s = await runs[name]!();
          if (stopTrace) {
            const trace = await stopTrace();
            writeFileSync(join(WORK, `cpu-trace-${label}-${name.replace(/\W+/g, '-')}.json`), trace);
            console.log(`  ${name}: CPU by thread and function`);
            printCpuByFunction(trace);
          }
          const node = process.cpuUsage(node0);
          if (THREADS && name.startsWith('Tessera')) {
            const busy = Object.entries(cpuDelta(threads0, cpuByThread())).filter(([, v]) => v >= 0.05).sort((a, b) => b[1] - a[1]);
            console.log(`    threads (CPU s): ${busy.map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}`);
          }
          // This process drives Chromium over CDP: its CPU shows how busy the DevTools channel was.
          const shaper = bn.shaperCpu() - shaper0;
          const cpu = Object.entries({ ...cpuDelta(cpu0, cpuByRole()), 'bench driver': (node.user + node.system) / 1e6, shaper })
            .filter(([, v]) => v >= 0.05)
            .map(([k, v]) => `${k} ${v.toFixed(1)}`)
            .join(', ');
          (times[name] ??= []).push(s);
          console.log(`  ${label} round ${round + 1}: ${name.padEnd(34)} ${s.toFixed(2)} s   (CPU s: ${cpu})${bn.net ? ` [${requestsSince(bn, mark0, bucket)}]` : ''}`);
          await emptyPrefix(bucket, prefix);
        }
      }
    }
  } finally {
    await driver.close();
    server.close();
    await destroyBucket(bucket).catch(() => undefined);
    await bn.close();
  }

  const report = (title: string, names: string[], bytes: number, base: string) => {
    if (!times[base]) {
      console.log(`\n${title} (${(bytes / 1e6).toFixed(0)} MB, median of ${RUNS})`);
      for (const n of names.filter((x) => times[x])) console.log(`  ${n.padEnd(34)} ${median(times[n]!).toFixed(2).padStart(7)} s`);
      return;
    }
    console.log(`\n${title} (${(bytes / 1e6).toFixed(0)} MB, median of ${RUNS}; ratio = speed / ${base})`);
    const baseRate = bytes / 1e6 / median(times[base]!);
    for (const n of names.filter(picked)) {
      const t = median(times[n]!);
      const rate = bytes / 1e6 / t;
      console.log(`  ${n.padEnd(34)} ${t.toFixed(2).padStart(7)} s ${rate.toFixed(1).padStart(8)} MB/s   x${(rate / baseRate).toFixed(2)}${n.startsWith('Tessera') ? `   (cold, + page load and connect: ${(t + startup).toFixed(2)} s, x${(median(times[base]!) / (t + startup)).toFixed(2)})` : ''}`);
    }
  };
  if (CASES.has('file')) {
    report(`One ${SIZE / 2 ** 20} MiB file`, Object.keys(fileRuns), SIZE, 'aws s3 cp');
    const plan = planParts(SIZE);
    // What the app allows for the protocol Chromium speaks here: HTTP/2 through the TLS front, else HTTP/1.1 (s3/protocol.ts).
    const protocol = bn.net && process.env.TESSERA_BENCH_FRONT !== 'h1' ? 'h2' : 'http/1.1';
    const long = longTransfers(protocol);
    const inFlight = Math.max(1, Math.min(plan.partCount, parallelism(protocol, 'transfer'), long && plan.partSize > long.bytes ? long.max : Infinity, Math.floor(DEFAULT_MAX_BYTES / plan.partSize)));
    const bound = inFlight * plan.partSize;
    const peak = memory.peak;
    const MiB = 2 ** 20;
    console.log(`\nPage memory during Tessera's ${SIZE / MiB} MiB uploads (peak RSS sampled every ${memory.intervalMs} ms from /proc):`);
    console.log(`  renderer (page + workers) ${(peak.renderer / MiB).toFixed(0)} MiB over ${(peak.rendererBase / MiB).toFixed(0)} MiB before the upload: +${((peak.renderer - peak.rendererBase) / MiB).toFixed(0)} MiB`);
    console.log(`  network service           ${(peak.network / MiB).toFixed(0)} MiB (browser process ${(peak.browser / MiB).toFixed(0)} MiB)`);
    console.log(`  parts in flight x part size = ${inFlight} x ${(plan.partSize / MiB).toFixed(0)} MiB = ${(bound / MiB).toFixed(0)} MiB; aim: renderer growth <= ${((2 * bound) / MiB).toFixed(0)} MiB (x${((peak.renderer - peak.rendererBase) / bound).toFixed(2)} of it)`);
  }
  if (CASES.has('folder')) report(`Folder: ${zarrFiles.length} objects of a Zarr store`, Object.keys(folderRuns), zarrBytes, 'aws s3 sync');
  if (CASES.has('small')) report(`Folder: ${smallFiles.length} small files (1-200 KiB)`, Object.keys(smallRuns), smallBytes, 'aws s3 sync (small files)');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
