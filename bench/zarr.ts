/**
 * Zarr benchmark (not a test): a 24 x 2048 x 2048 float32 variable in
 * 512 x 512 chunks (blosc zstd) written by xarray and uploaded to the RGW.
 * Times, in the same run and interleaved:
 *  - Tessera in headless Chromium (production build of the real DatasetView,
 *    private bucket, presigned chunk reads): from "open" to the first chunk
 *    drawn and to the whole slice drawn (the view opens at time index 0: the
 *    same 16 chunks' worth of work as time=5);
 *  - xarray `open_zarr(...).v.isel(time=5).values` in a cold python process;
 *  - zarr-python `open_consolidated(...)['v'][5]` in a cold python process;
 *  - warm: Tessera opening a second store (same shape, its own chunks) with the app
 *    already open, next to each Python process opening it after its first read
 *    (imports done, connections open: the in-process figure).
 * The peers read through fsspec's HTTP file system (aiohttp): the chunks of a
 * slice are fetched concurrently (zarr `getitems`), not one after another.
 * Prints medians and ratios, and the CPU seconds each process used per round.
 * TESSERA_BENCH_NET=wan|home: every client through the HTTPS front and one shaper (bench/lib/net.ts).
 * Run with `npm run bench -- zarr`. Environment knobs:
 *  - TESSERA_BENCH_ROUNDS (5), TESSERA_BENCH_SETTLE_MS (0: open as soon as the page loads);
 *  - TESSERA_BENCH_TRACE=1 (+ TESSERA_BENCH_TRACE_ALL=1): where each round's time went;
 *  - TESSERA_BENCH_CHROME_TRACE=file.json: a Chromium trace of the first round;
 *  - TESSERA_BENCH_JS_PROFILE=1 (+ TESSERA_BENCH_NO_MINIFY=1): the main thread's functions by time;
 *  - TESSERA_BENCH_CPU_PROFILE=1 (+ TESSERA_BENCH_NO_MINIFY=1): every thread's functions (page, Zarr
 *    and S3 workers) by self time in the first round, cold and warm. Each round prints its renderer CPU per thread.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build, preview } from 'vite';
import { benchNet, logMark, requestsSince } from './lib/net';
import { firstAt, printTrace, type PageTrace } from './lib/page-trace';
import { loadRgwEnv } from '../test/helpers/rgw-env';
import { createBucket, destroyBucket, uniqueBucket } from '../test/helpers/s3';
import { makeReadableByAnyone, uploadDir } from '../test/integration/zarr/fixtures';
import { cpuByRole, cpuByThread, cpuDelta, threadsSince } from './upload-harness/memory';
import { CPU_TRACE_CATEGORIES, printCpuByFunction } from './lib/cpu-profile';
import { debianPythonEnv, median } from './lib/stats';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PEERS = join(ROOT, 'bench/zarr-peers.py');
const ROUNDS = Number(process.env.TESSERA_BENCH_ROUNDS ?? 5);
const PORT = Number(process.env.TESSERA_BENCH_ZARR_PORT ?? 4197);
/** Print where the time went in each Tessera round (worker start, presign, fetch, decode, paint, draw). */
const TRACE = process.env.TESSERA_BENCH_TRACE === '1';
/**
 * Wait this long after the page loads before opening (a user needs time to
 * click; the app warms its Zarr worker meanwhile). 0 = open at once, the worst case.
 */
/** Write a Chromium trace of the first round's open here (chrome://tracing or Perfetto reads it). */
const CHROME_TRACE = process.env.TESSERA_BENCH_CHROME_TRACE;
const JS_PROFILE = process.env.TESSERA_BENCH_JS_PROFILE === '1';
const SETTLE_MS = Number(process.env.TESSERA_BENCH_SETTLE_MS ?? 0);
const CPU_PROFILE = process.env.TESSERA_BENCH_CPU_PROFILE === '1';



/** The main thread's functions by self time (JS_PROFILE=1; build unminified with TESSERA_BENCH_NO_MINIFY=1 for names). */
function printProfile(profile: { nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }[]; samples?: number[]; timeDeltas?: number[] }): void {
  const self = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) self.set(samples[i]!, (self.get(samples[i]!) ?? 0) + (deltas[i + 1] ?? 0) / 1000);
  const byFn = new Map<string, number>();
  for (const n of profile.nodes) {
    const f = n.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}`;
    byFn.set(key, (byFn.get(key) ?? 0) + (self.get(n.id) ?? 0));
  }
  console.log('    main thread, self ms:');
  for (const [k, v] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`    ${v.toFixed(1).padStart(7)} ${k}`);
  // Inclusive time per function (each function counted once per stack).
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes as { id: number; children?: number[] }[]) for (const c of n.children ?? []) parent.set(c, n.id);
  const total = new Map<string, number>();
  for (const [id, ms] of self) {
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const f = nodes.get(at)!.callFrame;
      const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}`;
      if (!seen.has(key)) total.set(key, (total.get(key) ?? 0) + ms);
      seen.add(key);
    }
  }
  console.log('    main thread, total ms:');
  for (const [k, v] of [...total].sort((a, b) => b[1] - a[1]).slice(0, 45)) console.log(`    ${v.toFixed(1).padStart(7)} ${k}`);
}

const pyEnv = debianPythonEnv;

let extraPyEnv: Record<string, string> = {};
async function python(args: string[]): Promise<string> {
  const { stdout } = await run('/usr/bin/python3', [PEERS, ...args], { env: { ...pyEnv(), ...extraPyEnv }, maxBuffer: 1 << 24, timeout: 600_000 });
  return stdout.trim();
}

async function main(): Promise<void> {
  const env = loadRgwEnv();
  const dir = mkdtempSync(join(tmpdir(), 'tessera-zarr-bench-'));
  const outDir = mkdtempSync(join(tmpdir(), 'tessera-zarr-page-'));
  const bucket = uniqueBucket('zbench');
  const origin = `http://127.0.0.1:${PORT}`;
  let server: Awaited<ReturnType<typeof preview>> | undefined;
  const bn = await benchNet();
  extraPyEnv = bn.pythonEnv;
  console.log(bn.describe());
  const browser = await bn.launchBrowser();
  try {
    console.log('writing the store with xarray…');
    await python(['write', join(dir, 'bench.zarr')]);
    await createBucket(bucket, { corsOrigins: [origin] });
    // The warm store: the same metadata and the chunks of time 0 only (what the view reads first).
    const warmDir = join(dir, 'warm.zarr');
    cpSync(join(dir, 'bench.zarr'), warmDir, { recursive: true, filter: (src) => !/[\\/]v[\\/]\d+\.\d+\.\d+$/.test(src) || /[\\/]v[\\/]0\.\d+\.\d+$/.test(src) });
    await uploadDir(dir, bucket, '');
    await makeReadableByAnyone(bucket);
    const url = `${bn.endpoint}/${bucket}/bench.zarr`;
    const warmUrl = `${bn.endpoint}/${bucket}/warm.zarr`;
    console.log('building the bench page…');
    // The bench page reads each thread's timing marks: only a traced build records them.
    process.env.TESSERA_TRACE = '1';
    await build({ root: join(ROOT, 'bench/zarr-page'), base: './', logLevel: 'warn', configFile: join(ROOT, 'vite.config.ts'), build: { outDir, emptyOutDir: true, ...(process.env.TESSERA_BENCH_NO_MINIFY === '1' ? { minify: false } : {}) } });
    server = await preview({ root: join(ROOT, 'bench/zarr-page'), configFile: join(ROOT, 'vite.config.ts'), build: { outDir }, preview: { host: '127.0.0.1', port: PORT, strictPort: true }, logLevel: 'warn' });

    const t = { opened: [] as number[], first: [] as number[], full: [] as number[], pageStart: [] as number[], coldFirst: [] as number[], warmFirst: [] as number[], warmFull: [] as number[], xarray: [] as number[], xarrayProc: [] as number[], xarrayWarm: [] as number[], zarr: [] as number[], zarrProc: [] as number[], zarrWarm: [] as number[] };
    for (let round = 0; round < ROUNDS; round++) {
      // Tessera: a fresh browser context (no cache, new workers) per round.
      const context = await browser.newContext();
      const page = await context.newPage();
      const t0Epoch = performance.timeOrigin + performance.now();
      await page.goto(`${origin}/index.html`);
      if (SETTLE_MS) await page.waitForTimeout(SETTLE_MS);
      const el = page.locator('[data-testid=timings]');
      // Playwright evaluates its injected script in the page on first use (~11 ms
      // on the main thread): do that before the timed open, not during it.
      await el.count();
      const cpu0 = cpuByRole();
      const threads0 = cpuByThread();
      const mark0 = logMark(bn);
      const profiling = CPU_PROFILE && round === 0;
      if (profiling) await browser.startTracing(undefined, { categories: CPU_TRACE_CATEGORIES });
      const cdp = JS_PROFILE && round === 0 ? await context.newCDPSession(page) : null;
      if (cdp) {
        await cdp.send('Profiler.enable');
        await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
        await cdp.send('Profiler.start');
      }
      if (CHROME_TRACE && round === 0) await browser.startTracing(page, { path: CHROME_TRACE, categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute', 'toplevel', 'blink', 'cc', 'gpu', 'v8', 'disabled-by-default-v8.gc'] });
      await page.evaluate(
        ([endpoint, accessKeyId, secretAccessKey, b]) => window.tesseraBench.open({ endpoint: endpoint!, accessKeyId, secretAccessKey }, { kind: 's3', bucket: b!, path: 'bench.zarr' }),
        [bn.endpoint, env.accessKeyId, env.secretAccessKey, bucket],
      );
      await el.waitFor({ timeout: 120_000 });
      // CPU seconds per process while the slice was read and drawn (2 cores shared with the store).
      if (CHROME_TRACE && round === 0) await browser.stopTracing();
      if (cdp) printProfile((await cdp.send('Profiler.stop')).profile);
      if (profiling) {
        console.log('  cold open, CPU by thread and function:');
        const trace = await browser.stopTracing();
        writeFileSync(join(tmpdir(), 'tessera-zarr-cold-trace.json'), trace);
        printCpuByFunction(trace);
      }
      const coldThreads = threadsSince(threads0);
      const cpu = Object.entries(cpuDelta(cpu0, cpuByRole())).filter(([k, v]) => v > 0 && k !== 'peer cli').map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ');
      t.opened.push(Number(await el.getAttribute('data-opened')) / 1000);
      t.first.push(Number(await el.getAttribute('data-first')) / 1000);
      t.full.push(Number(await el.getAttribute('data-full')) / 1000);
      const trace: PageTrace = await page.evaluate(() => window.tesseraBench.trace());
      // Page load to "open" asked (page start-up, connecting) and to the first chunk on screen, on the shared wall clock.
      t.pageStart.push((firstAt(trace, 'page:open')! - t0Epoch) / 1000);
      t.coldFirst.push((firstAt(trace, 'page:tile')! - t0Epoch) / 1000);
      if (TRACE) printTrace(trace, process.env.TESSERA_BENCH_TRACE_ALL === '1');
      // Warm: the app stays open (workers, connection), a second store is opened.
      await page.evaluate(() => window.tesseraBench.close());
      const warmThreads0 = cpuByThread();
      if (profiling) await browser.startTracing(undefined, { categories: CPU_TRACE_CATEGORIES });
      await page.evaluate((b) => window.tesseraBench.open(null, { kind: 's3', bucket: b, path: 'warm.zarr' }), bucket);
      await el.waitFor({ timeout: 120_000 });
      if (profiling) {
        console.log('  warm open, CPU by thread and function:');
        const trace = await browser.stopTracing();
        writeFileSync(join(tmpdir(), 'tessera-zarr-warm-trace.json'), trace);
        printCpuByFunction(trace);
      }
      console.log(`  round ${round + 1} renderer CPU s by thread: cold ${coldThreads}; warm ${threadsSince(warmThreads0)}`);
      t.warmFirst.push(Number(await el.getAttribute('data-first')) / 1000);
      t.warmFull.push(Number(await el.getAttribute('data-full')) / 1000);
      const tesseraRequests = requestsSince(bn, mark0, bucket);
      const chromiumCpu = Object.entries(cpuDelta(cpu0, cpuByRole())).filter(([k]) => k.startsWith('chromium')).reduce((n, [, v]) => n + v, 0);
      await context.close();

      const xcpu0 = cpuByRole();
      const [xa, xaProc, xaWarm] = (await python(['xarray', url, warmUrl])).split(' ').map(Number);
      const xcpu = cpuDelta(xcpu0, cpuByRole());
      t.xarray.push(xa!);
      t.xarrayProc.push(xaProc!);
      t.xarrayWarm.push(xaWarm!);
      const zcpu0 = cpuByRole();
      const [za, zaProc, zaWarm] = (await python(['zarr', url, warmUrl])).split(' ').map(Number);
      const zcpu = cpuDelta(zcpu0, cpuByRole());
      t.zarr.push(za!);
      t.zarrProc.push(zaProc!);
      t.zarrWarm.push(zaWarm!);
      console.log(
        `round ${round + 1}: tessera opened ${t.opened.at(-1)!.toFixed(3)} s, first ${t.first.at(-1)!.toFixed(3)} s, full ${t.full.at(-1)!.toFixed(3)} s, page load to open ${t.pageStart.at(-1)!.toFixed(3)} s, to first chunk ${t.coldFirst.at(-1)!.toFixed(3)} s, warm first ${t.warmFirst.at(-1)!.toFixed(3)} s, warm full ${t.warmFull.at(-1)!.toFixed(3)} s (CPU s: ${cpu}; Chromium cold+warm ${chromiumCpu.toFixed(2)}${bn.net ? `; requests ${tesseraRequests}` : ''})` +
          `; xarray ${xa!.toFixed(3)} s, warm ${xaWarm!.toFixed(3)} s (process ${xaProc!.toFixed(3)} s, CPU ${xcpu['peer cli']!.toFixed(2)} s); zarr-python ${za!.toFixed(3)} s, warm ${zaWarm!.toFixed(3)} s (process ${zaProc!.toFixed(3)} s, CPU ${zcpu['peer cli']!.toFixed(2)} s)`,
      );
    }
    const m = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, median(v)])) as Record<keyof typeof t, number>;
    console.log(`\nZarr slice (16 chunks of 512x512 float32, blosc zstd), medians of ${ROUNDS} interleaved rounds${SETTLE_MS ? `, opened ${SETTLE_MS} ms after the page loaded` : ', opened as soon as the page loaded'}:`);
    console.log(`  Tessera (Chromium) dataset opened     ${m.opened.toFixed(3)} s   (worker start + metadata)`);
    console.log(`  Tessera (Chromium) first chunk drawn  ${m.first.toFixed(3)} s`);
    console.log(`  Tessera (Chromium) whole slice drawn  ${m.full.toFixed(3)} s`);
    console.log(`  Tessera page load to "open"           ${m.pageStart.toFixed(3)} s`);
    console.log(`  Tessera page load to first chunk      ${m.coldFirst.toFixed(3)} s   (cold; / xarray cold process = ${(m.coldFirst / m.xarrayProc).toFixed(2)})`);
    console.log(`  xarray open_zarr + isel().values      ${m.xarray.toFixed(3)} s   (whole cold process ${m.xarrayProc.toFixed(3)} s)`);
    console.log(`  zarr-python open_consolidated + [5]   ${m.zarr.toFixed(3)} s   (whole cold process ${m.zarrProc.toFixed(3)} s)`);
    console.log(`  cold-process ratios: first chunk / xarray = ${(m.first / m.xarrayProc).toFixed(2)} (aim < 0.25); whole slice / zarr-python = ${(m.full / m.zarrProc).toFixed(2)} (aim <= 1)`);
    console.log(`  ratios: first chunk / xarray = ${(m.first / m.xarray).toFixed(2)} (aim < 0.25); whole slice / zarr-python = ${(m.full / m.zarr).toFixed(2)} (aim <= 1); whole slice / xarray = ${(m.full / m.xarray).toFixed(2)}`);
    console.log(`  warm (app open / in-process): Tessera first chunk ${m.warmFirst.toFixed(3)} s, whole slice ${m.warmFull.toFixed(3)} s; xarray ${m.xarrayWarm.toFixed(3)} s; zarr-python ${m.zarrWarm.toFixed(3)} s`);
    console.log(`  warm ratios: first chunk / xarray = ${(m.warmFirst / m.xarrayWarm).toFixed(2)}; whole slice / zarr-python = ${(m.warmFull / m.zarrWarm).toFixed(2)} (aim <= 1)`);
    if (bn.net) console.log(`  shaper CPU over the whole benchmark: ${bn.shaperCpu().toFixed(2)} s`);
    console.log('  fair how: one store, endpoint, TLS front and shaper for all; rounds interleaved; cold = fresh browser context / fresh python process, warm = app already open / same python process; the peers fetch chunks concurrently (fsspec + aiohttp); Tessera reads with keys (presigned GETs), the peers anonymously (public-read).');
  } finally {
    await browser.close();
    await new Promise<void>((r) => (server ? server.httpServer.close(() => r()) : r()));
    await destroyBucket(bucket);
    await bn.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(outDir, { recursive: true, force: true });
  }
}

await main();
