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
 *    TESSERA_BENCH_TRACE_WARM=1: every step of each warm open too;
 *  - TESSERA_BENCH_CHROME_TRACE=file.json: a Chromium trace of the first round;
 *    TESSERA_BENCH_CHROME_TRACE_WARM=file.json: of its warm open;
 *  - TESSERA_BENCH_JS_PROFILE=1 (+ TESSERA_BENCH_NO_MINIFY=1): the main thread's functions by time;
 *  - TESSERA_BENCH_CPU_PROFILE=1 (+ TESSERA_BENCH_NO_MINIFY=1): every thread's functions (page, Zarr
 *    and S3 workers) by self time in the first round, cold and warm. Each round prints its renderer CPU per thread.
 *  - TESSERA_BENCH_BASELINE=<another checkout of Tessera> (its node_modules linked): its bench page is
 *    built too and opened cold in every round next to this one's (order alternating), so a change is
 *    measured before/after in the same run, under the same load;
 *  - TESSERA_BENCH_PEERS=0: leave xarray and zarr-python out (a quicker before/after of Tessera alone);
 *  - TESSERA_BENCH_PROFILE=regular: each cold open (this page's and the baseline's) in a browser of its own
 *    with a fresh regular profile, as a user's, instead of an off-the-record context of one browser, where
 *    Chromium ignores `<link rel="preconnect">` (bench/lib/net.ts); no Chromium traces or profiles then;
 *  - TESSERA_BENCH_PROFILE=returning: the same, but a returning user's: one regular profile per page (this one's,
 *    the baseline's), visited once before the rounds (the dataset opened and drawn, not timed), then a fresh
 *    browser on that profile for every cold round (the first visit stays 5 s on the picture,
 *    TESSERA_BENCH_PRIME_LINGER_MS, as a user's would). Its HTTP cache holds the app's hashed assets as a static host
 *    serving public/_headers lets it (bench/lib/static-host.ts), with the code V8 made of them; no connection,
 *    worker or page survives between rounds. The peers' cold processes likewise start with Python's bytecode
 *    caches and the OS file cache warm. TESSERA_BENCH_REGULAR_SETTLE_MS (1000): how long a fresh browser on a
 *    regular profile is left to finish its own start-up before the page is asked for;
 *  - TESSERA_BENCH_NETLOG=file.json: Chromium's net log (sockets, HTTP/2 sessions, preconnects) of the run;
 *  - TESSERA_BENCH_OPEN=page: the cold open is started by the page's own script as soon as it runs, as the
 *    app opens the dataset at its address (App.svelte), from settings handed in before the page loads
 *    (`page.addInitScript`, never a URL), instead of by Playwright evaluating `tesseraBench.open` once
 *    `page.goto` has returned (~25 ms after the load event here). Page load to first chunk then no
 *    longer counts that Playwright round trip, which no user's page waits for. TESSERA_BENCH_BASELINE_OPEN
 *    (default: the same) sets the baseline's; a baseline page without the hook is opened by evaluation;
 *  - TESSERA_BENCH_PAGE_HOST=preview: serve the page with `vite preview` (which gzips every response on
 *    the fly) instead of a static host that gzipped each file once (bench/lib/static-host.ts).
 * With TESSERA_BENCH_TRACE=1 each cold open also prints the page's own timeline from navigation
 * start (HTML, scripts, page start-up, open, first chunk), next to its steps.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build, preview } from 'vite';
import { serveStatic } from './lib/static-host';
import { benchNet, logMark, requestsSince } from './lib/net';
import { firstAt, printTrace, type PageTrace } from './lib/page-trace';
import { loadRgwEnv } from '../test/helpers/rgw-env';
import { createBucket, destroyBucket, uniqueBucket } from '../test/helpers/s3';
import { makeReadableByAnyone, uploadDir } from '../test/integration/zarr/fixtures';
import { cpuByRole, cpuByThread, cpuDelta, threadsSince } from './upload-harness/memory';
import { CPU_TRACE_CATEGORIES, printCpuByFunction } from './lib/cpu-profile';
import { startCdpTrace } from './lib/cdp-trace';
import { debianPythonEnv, median } from './lib/stats';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PEERS_PY = join(ROOT, 'bench/zarr-peers.py');
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
/** A Chromium trace of the first round's warm open (same categories as TESSERA_BENCH_CHROME_TRACE). */
const CHROME_TRACE_WARM = process.env.TESSERA_BENCH_CHROME_TRACE_WARM;
const CHROME_TRACE_CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute', 'toplevel', 'blink', 'cc', 'gpu', 'v8', 'disabled-by-default-v8.gc', 'netlog', 'disabled-by-default-netlog', 'v8.wasm', 'disabled-by-default-v8.wasm.detailed', 'disabled-by-default-v8.compile', 'v8.compile'];
const JS_PROFILE = process.env.TESSERA_BENCH_JS_PROFILE === '1';
const SETTLE_MS = Number(process.env.TESSERA_BENCH_SETTLE_MS ?? 0);
const CPU_PROFILE = process.env.TESSERA_BENCH_CPU_PROFILE === '1';
const BASELINE = process.env.TESSERA_BENCH_BASELINE;
const PEERS = process.env.TESSERA_BENCH_PEERS !== '0';
/** Cold opens in fresh regular profiles (see the knobs above). */
const RETURNING = process.env.TESSERA_BENCH_PROFILE === 'returning';
/** How long the returning user's first visit stays on the drawn picture (TESSERA_BENCH_PRIME_LINGER_MS). */
const PRIME_LINGER_MS = Number(process.env.TESSERA_BENCH_PRIME_LINGER_MS ?? 5000);
const REGULAR = process.env.TESSERA_BENCH_PROFILE === 'regular' || RETURNING;
/** A fresh browser has start-up work of its own: the page is asked for once it is done (TESSERA_BENCH_REGULAR_SETTLE_MS). */
const REGULAR_SETTLE_MS = Number(process.env.TESSERA_BENCH_REGULAR_SETTLE_MS ?? 1000);
/** Who starts the cold open: Playwright after `page.goto` ('evaluate'), or the page's own script ('page'). */
const OPEN = process.env.TESSERA_BENCH_OPEN === 'page' ? 'page' : 'evaluate';
const BASELINE_OPEN = (process.env.TESSERA_BENCH_BASELINE_OPEN ?? OPEN) === 'page' ? 'page' : 'evaluate';



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

/** What the page's Navigation and Resource Timing say of its own load (epoch ms). */
interface PageLoad {
  navigationStart: number;
  htmlReceived: number;
  scriptsReceived: number;
  domContentLoaded: number;
  loaded: number;
}

function pageLoad(page: import('playwright-core').Page): Promise<PageLoad> {
  return page.evaluate(() => {
    const o = performance.timeOrigin;
    const n = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    const scripts = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).filter((e) => e.initiatorType === 'script' || /\.js($|\?)/.test(e.name));
    return { navigationStart: o, htmlReceived: o + n.responseEnd, scriptsReceived: o + Math.max(0, ...scripts.map((e) => e.responseEnd)), domContentLoaded: o + n.domContentLoadedEventEnd, loaded: o + n.loadEventEnd };
  });
}

/**
 * The cold open as one timeline, in ms after the bench asked for the page
 * (the origin of "page load to first chunk"): the page's load, its workers,
 * the key check, the metadata and the first chunk on its way to the screen.
 */
function printTimeline(trace: PageTrace, load: PageLoad, t0Epoch: number): void {
  const firstKey = (re: RegExp) => trace.find(([w]) => re.test(w))?.[1];
  const firstChunk = trace.find(([w]) => /^fetch:start v\//.test(w))?.[0].slice('fetch:start '.length);
  const steps: [string, number | undefined][] = [
    ['navigation start', load.navigationStart],
    ['HTML received', load.htmlReceived],
    ['scripts received', load.scriptsReceived],
    ['page script running', firstAt(trace, 'page:start')],
    ['DOM content loaded', load.domContentLoaded],
    ['load event done', load.loaded],
    ['Zarr worker started', firstAt(trace, 'worker:start')],
    ['S3 worker started', firstAt(trace, 's3:start')],
    ['open asked (bench)', firstAt(trace, 'page:connect')],
    ['key check sent', firstAt(trace, 'check:sent')],
    ['dataset open sent', firstAt(trace, 'page:open')],
    ['metadata requested', firstKey(/^fetch:start (\.zmetadata|zarr\.json)/)],
    ['metadata answered', firstKey(/^fetch:end (\.zmetadata|zarr\.json)/)],
    ['blosc compiled', firstAt(trace, 'blosc:compiled')],
    ['key check answered', firstAt(trace, 'check:answered')],
    ['view mounted', firstAt(trace, 'page:mounted')],
    ['dataset opened (page)', firstAt(trace, 'page:opened')],
    [`first chunk requested (${firstChunk})`, firstChunk ? firstAt(trace, `fetch:start ${firstChunk}`) : undefined],
    ['first chunk answered', firstKey(/^fetch:end v\//)],
    ['first chunk bytes to the decoder', firstKey(/^bytes:ready v\//)],
    ['first chunk decoded', firstKey(/^decoded \d/)],
    ['first chunk painted', firstKey(/^painted \d/)],
    ['first chunk drawn', firstAt(trace, 'page:tile')],
    ['whole slice drawn', firstAt(trace, 'page:full')],
    ['coordinates read', firstAt(trace, 'page:coords')],
  ];
  console.log('    timeline (ms after the page was asked for):');
  for (const [what, at] of steps) if (at !== undefined) console.log(`    ${(at - t0Epoch).toFixed(0).padStart(6)} ${what}`);
}

/**
 * Until the page shows its timings (the whole slice drawn), watched from inside
 * the page: a Playwright locator would first inject Playwright's script, 30-60
 * ms of the page's main thread on these cores, which the bench used to do
 * between the page's load and the open, so it counted as page start-up.
 */
function drawn(page: import('playwright-core').Page): Promise<void> {
  // A string, not a function: tsx would wrap a function's inner names in a helper the page lacks.
  return page.evaluate(`new Promise((resolve) => {
    if (document.querySelector('[data-testid=timings]')) return resolve();
    const watch = new MutationObserver(() => {
      if (!document.querySelector('[data-testid=timings]')) return;
      watch.disconnect();
      resolve();
    });
    watch.observe(document.body, { subtree: true, childList: true, attributes: true });
  })`);
}

const pyEnv = debianPythonEnv;

let extraPyEnv: Record<string, string> = {};
async function python(args: string[]): Promise<string> {
  const { stdout } = await run('/usr/bin/python3', [PEERS_PY, ...args], { env: { ...pyEnv(), ...extraPyEnv }, maxBuffer: 1 << 24, timeout: 600_000 });
  return stdout.trim();
}

async function main(): Promise<void> {
  const env = loadRgwEnv();
  const dir = mkdtempSync(join(tmpdir(), 'tessera-zarr-bench-'));
  const outDir = mkdtempSync(join(tmpdir(), 'tessera-zarr-page-'));
  const bucket = uniqueBucket('zbench');
  const origin = `http://127.0.0.1:${PORT}`;
  let server: { close(): Promise<void> } | undefined;
  let baseServer: { close(): Promise<void> } | undefined;
  /** The built page at `port`: by a static host (see static-host.ts), or by `vite preview` (TESSERA_BENCH_PAGE_HOST=preview: it gzips every response as it goes). */
  const host = async (root: string, built: string, port: number): Promise<{ close(): Promise<void> }> => {
    if (process.env.TESSERA_BENCH_PAGE_HOST !== 'preview') return serveStatic(built, port);
    const s = await preview({ root: join(root, 'bench/zarr-page'), configFile: join(root, 'vite.config.ts'), build: { outDir: built }, preview: { host: '127.0.0.1', port, strictPort: true }, logLevel: 'warn' });
    return { close: () => new Promise<void>((r) => s.httpServer.close(() => r())) };
  };
  const baseOutDir = BASELINE ? mkdtempSync(join(tmpdir(), 'tessera-zarr-base-page-')) : '';
  const baseOrigin = `http://127.0.0.1:${PORT + 1}`;
  const bn = await benchNet();
  extraPyEnv = bn.pythonEnv;
  console.log(bn.describe());
  if (REGULAR && (CHROME_TRACE_WARM || CPU_PROFILE)) throw new Error('TESSERA_BENCH_PROFILE=regular cannot be combined with TESSERA_BENCH_CHROME_TRACE_WARM or TESSERA_BENCH_CPU_PROFILE (TESSERA_BENCH_CHROME_TRACE goes through the DevTools protocol there).');
  if (OPEN === 'page' && SETTLE_MS) throw new Error('TESSERA_BENCH_OPEN=page opens as the page starts: TESSERA_BENCH_SETTLE_MS does not apply.');
  if (OPEN === 'page' && (CHROME_TRACE || JS_PROFILE || CPU_PROFILE)) console.log('Note: traces and profiles start once page.goto has returned, after the page began its open (TESSERA_BENCH_OPEN=page).');
  const browser = REGULAR ? null : await bn.launchBrowser();
  /** A cold start: a fresh context of the shared browser, or (REGULAR) a fresh profile in a browser of its own. */
  /** The returning user's profiles (TESSERA_BENCH_PROFILE=returning): this page's, the baseline's. */
  const profiles = RETURNING ? { this: mkdtempSync(join(tmpdir(), 'tessera-zarr-profile-')), base: mkdtempSync(join(tmpdir(), 'tessera-zarr-profile-base-')) } : null;
  const coldContext = async (which: 'this' | 'base' = 'this'): Promise<{ context: import('playwright-core').BrowserContext; close(): Promise<void> }> => {
    if (!browser) {
      const r = await bn.launchRegularContext(profiles?.[which]);
      await new Promise((resolve) => setTimeout(resolve, REGULAR_SETTLE_MS));
      return r;
    }
    const context = await browser.newContext();
    return { context, close: () => context.close() };
  };
  /** The connection and the dataset, for the page's own script to open at once (TESSERA_BENCH_OPEN=page). */
  const handOver = async (page: import('playwright-core').Page): Promise<void> => {
    await page.addInitScript(
      ([endpoint, accessKeyId, secretAccessKey, b]) => void (window.tesseraBenchOpen = { settings: { endpoint: endpoint!, accessKeyId, secretAccessKey }, source: { kind: 's3', bucket: b!, path: 'bench.zarr' } }),
      [bn.endpoint, env.accessKeyId, env.secretAccessKey, bucket] as const,
    );
  };
  /** The cold open: the page's own (awaited), or asked by evaluation; a page without the hook is asked. */
  const openCold = async (page: import('playwright-core').Page, how: 'page' | 'evaluate', who: string): Promise<void> => {
    if (how === 'page') {
      if (await page.evaluate(() => !!window.tesseraBench.opening)) return page.evaluate(() => window.tesseraBench.opening);
      console.log(`  (${who}: its bench page does not open by itself; opened by evaluation)`);
    }
    await page.evaluate(
      ([endpoint, accessKeyId, secretAccessKey, b]) => window.tesseraBench.open({ endpoint: endpoint!, accessKeyId, secretAccessKey }, { kind: 's3', bucket: b!, path: 'bench.zarr' }),
      [bn.endpoint, env.accessKeyId, env.secretAccessKey, bucket],
    );
  };
  try {
    console.log('writing the store with xarray…');
    await python(['write', join(dir, 'bench.zarr')]);
    await createBucket(bucket, { corsOrigins: BASELINE ? [origin, baseOrigin] : [origin] });
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
    server = await host(ROOT, outDir, PORT);
    if (BASELINE) {
      console.log(`building the baseline's bench page (${BASELINE})…`);
      await build({ root: join(BASELINE, 'bench/zarr-page'), base: './', logLevel: 'warn', configFile: join(BASELINE, 'vite.config.ts'), build: { outDir: baseOutDir, emptyOutDir: true } });
      baseServer = await host(BASELINE, baseOutDir, PORT + 1);
    }
    /** A cold open of the baseline's page (fresh context), timed as this page's is. */
    const baselineCold = async (): Promise<{ first: number; full: number; pageStart: number; coldFirst: number; cpu: number }> => {
      const { context, close } = await coldContext('base');
      const page = await context.newPage();
      if (BASELINE_OPEN === 'page') await handOver(page);
      const cpu0 = cpuByRole();
      const t0Epoch = performance.timeOrigin + performance.now();
      await page.goto(`${baseOrigin}/index.html`);
      const el = page.locator('[data-testid=timings]');
      await openCold(page, BASELINE_OPEN, 'baseline');
      await drawn(page);
      const cpu = Object.entries(cpuDelta(cpu0, cpuByRole())).filter(([k]) => k.startsWith('chromium')).reduce((n, [, v]) => n + v, 0);
      const trace: PageTrace = await page.evaluate(() => window.tesseraBench.trace());
      if (TRACE) {
        console.log('  baseline:');
        printTimeline(trace, await pageLoad(page), t0Epoch);
      }
      const r = { first: Number(await el.getAttribute('data-first')) / 1000, full: Number(await el.getAttribute('data-full')) / 1000, pageStart: (firstAt(trace, 'page:open')! - t0Epoch) / 1000, coldFirst: (firstAt(trace, 'page:tile')! - t0Epoch) / 1000, cpu };
      await close();
      return r;
    };
    const base = { first: [] as number[], full: [] as number[], pageStart: [] as number[], coldFirst: [] as number[], cpu: [] as number[], thisCpu: [] as number[] };
    const baseRound = async () => {
      if (!BASELINE) return;
      const b = await baselineCold();
      for (const k of ['first', 'full', 'pageStart', 'coldFirst', 'cpu'] as const) base[k].push(b[k]);
      console.log(`round ${base.first.length}: baseline first ${b.first.toFixed(3)} s, whole slice ${b.full.toFixed(3)} s, page load to open ${b.pageStart.toFixed(3)} s, to first chunk ${b.coldFirst.toFixed(3)} s (Chromium CPU cold ${b.cpu.toFixed(2)} s)`);
    };

    if (profiles) {
      // The returning user's first visit (not timed): the app's assets and the code made of them are cached.
      const visits: { which: 'this' | 'base'; at: string; how: 'page' | 'evaluate' }[] = [{ which: 'this', at: origin, how: OPEN }];
      if (BASELINE) visits.push({ which: 'base', at: baseOrigin, how: BASELINE_OPEN });
      for (const { which, at, how } of visits) {
        const { context, close } = await coldContext(which);
        const page = await context.newPage();
        if (how === 'page') await handOver(page);
        await page.goto(`${at}/index.html`);
        await openCold(page, how, which === 'this' ? 'this page' : 'baseline');
        await drawn(page);
        // A user looks at the picture for a while: Chromium writes the code V8 optimized for a
        // WebAssembly module to its cache 2 s after compiling it (V8's wasm_caching_timeout_ms).
        await page.waitForTimeout(PRIME_LINGER_MS);
        await close();
      }
      console.log('returning profiles primed: one visit each, the dataset opened and drawn');
    }
    const t = { opened: [] as number[], first: [] as number[], full: [] as number[], pageStart: [] as number[], coldFirst: [] as number[], warmFirst: [] as number[], warmFull: [] as number[], xarray: [] as number[], xarrayProc: [] as number[], xarrayWarm: [] as number[], zarr: [] as number[], zarrProc: [] as number[], zarrWarm: [] as number[] };
    for (let round = 0; round < ROUNDS; round++) {
      // The baseline goes first in odd rounds, last in even ones.
      if (round % 2 === 1) await baseRound();
      // Tessera: a fresh browser context (no cache, new workers) per round.
      const { context, close } = await coldContext();
      const page = await context.newPage();
      if (OPEN === 'page') await handOver(page);
      // The bench's own bookkeeping (every Chromium thread's CPU time: 13-18 ms
      // to read) goes before the page is asked for, not between its load and
      // the open, where it counted as page start-up; the cold CPU figures so
      // count from page load, as a cold Python process's do.
      const cpu0 = cpuByRole();
      const loadCpu0 = cpu0;
      const threads0 = cpuByThread();
      const mark0 = logMark(bn);
      const t0Epoch = performance.timeOrigin + performance.now();
      await page.goto(`${origin}/index.html`);
      if (SETTLE_MS) await page.waitForTimeout(SETTLE_MS);
      const el = page.locator('[data-testid=timings]');
      const profiling = CPU_PROFILE && round === 0;
      if (profiling) await browser!.startTracing(undefined, { categories: CPU_TRACE_CATEGORIES });
      const cdp = JS_PROFILE && round === 0 ? await context.newCDPSession(page) : null;
      if (cdp) {
        await cdp.send('Profiler.enable');
        await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
        await cdp.send('Profiler.start');
      }
      const cdpTrace = CHROME_TRACE && round === 0 && !browser ? await startCdpTrace(context, page, CHROME_TRACE_CATEGORIES) : null;
      if (CHROME_TRACE && round === 0 && browser) await browser.startTracing(page, { path: CHROME_TRACE, categories: CHROME_TRACE_CATEGORIES });
      await openCold(page, OPEN, 'this page');
      await drawn(page);
      // CPU seconds per process from page load until the slice was drawn (2 cores shared with the store).
      if (CHROME_TRACE && round === 0 && browser) await browser.stopTracing();
      if (cdpTrace) await cdpTrace.stop(CHROME_TRACE!);
      if (cdp) printProfile((await cdp.send('Profiler.stop')).profile);
      if (profiling) {
        console.log('  cold open, CPU by thread and function:');
        const trace = await browser!.stopTracing();
        writeFileSync(join(tmpdir(), 'tessera-zarr-cold-trace.json'), trace);
        printCpuByFunction(trace);
      }
      const coldThreads = threadsSince(threads0);
      // Chromium's CPU from page load to the slice drawn (as the baseline's is counted).
      base.thisCpu.push(Object.entries(cpuDelta(loadCpu0, cpuByRole())).filter(([k]) => k.startsWith('chromium')).reduce((n, [, v]) => n + v, 0));
      const cpu = Object.entries(cpuDelta(cpu0, cpuByRole())).filter(([k, v]) => v > 0 && k !== 'peer cli').map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ');
      t.opened.push(Number(await el.getAttribute('data-opened')) / 1000);
      t.first.push(Number(await el.getAttribute('data-first')) / 1000);
      t.full.push(Number(await el.getAttribute('data-full')) / 1000);
      const trace: PageTrace = await page.evaluate(() => window.tesseraBench.trace());
      // Page load to "open" asked (page start-up, connecting) and to the first chunk on screen, on the shared wall clock.
      t.pageStart.push((firstAt(trace, 'page:open')! - t0Epoch) / 1000);
      t.coldFirst.push((firstAt(trace, 'page:tile')! - t0Epoch) / 1000);
      if (TRACE) printTrace(trace, process.env.TESSERA_BENCH_TRACE_ALL === '1');
      if (TRACE) printTimeline(trace, await pageLoad(page), t0Epoch);
      // Warm: the app stays open (workers, connection), a second store is opened.
      await page.evaluate(() => window.tesseraBench.close());
      const warmThreads0 = cpuByThread();
      if (profiling) await browser!.startTracing(undefined, { categories: CPU_TRACE_CATEGORIES });
      if (CHROME_TRACE_WARM && round === 0) await browser!.startTracing(page, { path: CHROME_TRACE_WARM, categories: CHROME_TRACE_CATEGORIES });
      await page.evaluate((b) => window.tesseraBench.open(null, { kind: 's3', bucket: b, path: 'warm.zarr' }), bucket);
      await el.waitFor({ timeout: 120_000 });
      if (CHROME_TRACE_WARM && round === 0) await browser!.stopTracing();
      if (profiling) {
        console.log('  warm open, CPU by thread and function:');
        const trace = await browser!.stopTracing();
        writeFileSync(join(tmpdir(), 'tessera-zarr-warm-trace.json'), trace);
        printCpuByFunction(trace);
      }
      console.log(`  round ${round + 1} renderer CPU s by thread: cold ${coldThreads}; warm ${threadsSince(warmThreads0)}`);
      if (process.env.TESSERA_BENCH_TRACE_WARM === '1') {
        const all: PageTrace = await page.evaluate(() => window.tesseraBench.trace());
        const opens = all.map(([w], i) => (w === 'page:open' ? i : -1)).filter((i) => i >= 0);
        const from = opens.at(-1)!;
        const t0 = all[from]![1];
        console.log('  warm trace:');
        for (const [w, at] of all.slice(from)) console.log(`    ${(at - t0).toFixed(0).padStart(5)} ${w}`);
      }
      t.warmFirst.push(Number(await el.getAttribute('data-first')) / 1000);
      t.warmFull.push(Number(await el.getAttribute('data-full')) / 1000);
      const tesseraRequests = requestsSince(bn, mark0, bucket);
      const chromiumCpu = Object.entries(cpuDelta(cpu0, cpuByRole())).filter(([k]) => k.startsWith('chromium')).reduce((n, [, v]) => n + v, 0);
      await close();
      if (round % 2 === 0) await baseRound();
      if (BASELINE) console.log(`round ${round + 1}: this page first ${t.first.at(-1)!.toFixed(3)} s, page load to open ${t.pageStart.at(-1)!.toFixed(3)} s, to first chunk ${t.coldFirst.at(-1)!.toFixed(3)} s (Chromium CPU cold ${base.thisCpu.at(-1)!.toFixed(2)} s)`);
      if (!PEERS) continue;

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
    const m = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, v.length ? median(v) : NaN])) as Record<keyof typeof t, number>;
    if (BASELINE) {
      const b = Object.fromEntries(Object.entries(base).map(([k, v]) => [k, median(v)])) as Record<keyof typeof base, number>;
      console.log(`\nBefore/after, cold, medians of ${ROUNDS} interleaved rounds (baseline ${BASELINE}):`);
      console.log(`  page load to first chunk   baseline ${b.coldFirst.toFixed(3)} s, this ${m.coldFirst.toFixed(3)} s`);
      console.log(`  open to first chunk        baseline ${b.first.toFixed(3)} s, this ${m.first.toFixed(3)} s`);
      console.log(`  open to whole slice        baseline ${b.full.toFixed(3)} s, this ${m.full.toFixed(3)} s`);
      console.log(`  page load to open          baseline ${b.pageStart.toFixed(3)} s, this ${m.pageStart.toFixed(3)} s`);
      console.log(`  Chromium CPU, load to slice drawn  baseline ${b.cpu.toFixed(2)} s, this ${b.thisCpu.toFixed(2)} s`);
    }
    if (RETURNING) console.log('\nEach cold open in a fresh browser on a returning regular profile (visited once before the rounds: its HTTP and code caches hold the app), not an off-the-record context.');
    else if (REGULAR) console.log('\nEach cold open in a fresh regular Chromium profile (a browser of its own), not an off-the-record context.');
    if (OPEN === 'page' || BASELINE_OPEN === 'page') console.log(`\nThe cold open started by: this page ${OPEN === 'page' ? "its own script" : 'evaluation after page.goto'}${BASELINE ? `; the baseline ${BASELINE_OPEN === 'page' ? 'its own script (where it has the hook)' : 'evaluation after page.goto'}` : ''}.`);
    console.log(`\nZarr slice (16 chunks of 512x512 float32, blosc zstd), medians of ${ROUNDS} interleaved rounds${SETTLE_MS ? `, opened ${SETTLE_MS} ms after the page loaded` : ', opened as soon as the page loaded'}:`);
    console.log(`  Tessera (Chromium) dataset opened     ${m.opened.toFixed(3)} s   (worker start + metadata)`);
    console.log(`  Tessera (Chromium) first chunk drawn  ${m.first.toFixed(3)} s`);
    console.log(`  Tessera (Chromium) whole slice drawn  ${m.full.toFixed(3)} s`);
    console.log(`  Tessera page load to "open"           ${m.pageStart.toFixed(3)} s`);
    console.log(`  Tessera page load to first chunk      ${m.coldFirst.toFixed(3)} s   (cold; / xarray cold process = ${(m.coldFirst / m.xarrayProc).toFixed(2)})`);
    console.log(`  xarray open_zarr + isel().values      ${m.xarray.toFixed(3)} s   (whole cold process ${m.xarrayProc.toFixed(3)} s)`);
    console.log(`  zarr-python open_consolidated + [5]   ${m.zarr.toFixed(3)} s   (whole cold process ${m.zarrProc.toFixed(3)} s)`);
    // Cold against cold: from the page's load (as a user waits) against the peer's whole process.
    // The whole slice from page load is the open's start plus open-to-whole-slice (both medians).
    console.log(`  cold-process ratios, from page load: first chunk / xarray = ${(m.coldFirst / m.xarrayProc).toFixed(2)} (aim < 0.25); whole slice / zarr-python = ${((m.pageStart + m.full) / m.zarrProc).toFixed(2)} (aim <= 1)`);
    console.log(`  from the open against the peers' open + read (no page, no interpreter start): first chunk / xarray = ${(m.first / m.xarray).toFixed(2)}; whole slice / zarr-python = ${(m.full / m.zarr).toFixed(2)}; whole slice / xarray = ${(m.full / m.xarray).toFixed(2)}`);
    console.log(`  warm (app open / in-process): Tessera first chunk ${m.warmFirst.toFixed(3)} s, whole slice ${m.warmFull.toFixed(3)} s; xarray ${m.xarrayWarm.toFixed(3)} s; zarr-python ${m.zarrWarm.toFixed(3)} s`);
    console.log(`  warm ratios: first chunk / xarray = ${(m.warmFirst / m.xarrayWarm).toFixed(2)}; whole slice / zarr-python = ${(m.warmFull / m.zarrWarm).toFixed(2)} (aim <= 1)`);
    if (bn.net) console.log(`  shaper CPU over the whole benchmark: ${bn.shaperCpu().toFixed(2)} s`);
    console.log('  fair how: one store, endpoint, TLS front and shaper for all; rounds interleaved; cold = fresh browser context / fresh python process, warm = app already open / same python process; the peers fetch chunks concurrently (fsspec + aiohttp); Tessera reads with keys (presigned GETs), the peers anonymously (public-read).');
  } finally {
    await browser?.close();
    await server?.close();
    await baseServer?.close();
    if (baseOutDir) rmSync(baseOutDir, { recursive: true, force: true });
    await destroyBucket(bucket);
    await bn.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(outDir, { recursive: true, force: true });
    for (const p of Object.values(profiles ?? {})) rmSync(p, { recursive: true, force: true });
  }
}

await main();
