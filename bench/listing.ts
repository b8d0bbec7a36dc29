/**
 * Listing benchmark: 100,000 keys of one prefix listed into Tessera's table in
 * headless Chromium, against `/usr/bin/aws s3 ls --recursive` and `s3cmd ls -r`
 * on the same bucket, interleaved in the same run. Prints medians, ratios,
 * time to first rows on screen and the longest main-thread task while the
 * table fills (PerformanceObserver 'longtask'). Not a test: nothing fails on speed.
 *
 *   npx tsx bench/listing.ts [runs=3]      (the app must be built: npx vite build)
 *   TESSERA_BENCH_NET=wan npx tsx bench/listing.ts   every client through the HTTPS front and a shaper (bench/lib/net.ts)
 *
 * Fair how: the same prefix, endpoint, TLS front and shaper for every client, runs interleaved
 * (Tessera, aws, s3cmd, repeat), medians. Tessera "cold" is a fresh browser context from page load
 * through connecting to the last row counted, next to the peers' cold processes (interpreter
 * start-up included); "warm" is the app already open and connected, navigating to the prefix.
 * Every client must print or count all keys (checked). CPU seconds per client: Chromium's
 * processes summed; each peer process with its children.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { serveBuiltApp } from './lib/serve-app';
import { loadRgwEnv } from '../test/helpers/rgw-env';
import { accessLogSince, accessLogSize } from '../test/helpers/net-env';
import { benchNet, cpuNow, cpuSince } from './lib/net';
import { BIG_BUCKET, BIG_COUNT, BIG_PREFIX, ensureBigPrefix } from '../test/integration/explorer/fixture-100k';

const runs = Number(process.argv[2] ?? 3);
const env = loadRgwEnv();
const bn = await benchNet();
console.log(bn.describe());
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Run a peer client; time to its first output line and to its end, and how many lines it printed. */
function timed(cmd: string, args: string[], extraEnv: Record<string, string>): Promise<{ first: number; total: number; lines: number; code: number; cpu: number }> {
  const cpu0 = cpuNow().peers;
  const childEnv: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AWS_') && k !== 'PYTHONPATH' && k !== 'PYTHONHOME') childEnv[k] = v;
  Object.assign(childEnv, extraEnv);
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let first = -1;
    let lines = 0;
    let tail = '';
    const child = spawn(cmd, args, { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d: Buffer) => {
      if (first < 0) first = performance.now() - t0;
      const s = tail + d.toString('utf8');
      const parts = s.split('\n');
      tail = parts.pop() ?? '';
      lines += parts.length;
    });
    child.stderr.resume();
    child.on('error', reject);
    child.on('close', (code) => resolve({ first, total: performance.now() - t0, lines: lines + (tail ? 1 : 0), code: code ?? -1, cpu: cpuNow().peers - cpu0 }));
  });
}

const awsLs = () =>
  timed('/usr/bin/aws', [...bn.awsArgs, 's3', 'ls', '--recursive', `s3://${BIG_BUCKET}/${BIG_PREFIX}`], {
    AWS_CONFIG_FILE: join(env.awsConfigDir, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(env.awsConfigDir, 'credentials'),
    AWS_PROFILE: 'default',
    AWS_PAGER: '',
    AWS_EC2_METADATA_DISABLED: 'true',
  });
const s3cmdLs = () => timed('/usr/bin/s3cmd', ['-c', env.s3cfgPath, ...bn.s3cmdArgs, 'ls', '-r', `s3://${BIG_BUCKET}/${BIG_PREFIX}`], {});

console.log(`fixture: ${(await ensureBigPrefix((l) => console.log(l))) ? 'created' : 'present'} (${BIG_COUNT} keys under s3://${BIG_BUCKET}/${BIG_PREFIX})`);
// The fixture's CORS rule names these origins.
const { port, close: closeApp } = await serveBuiltApp();
const appUrl = `http://127.0.0.1:${port}/`;
const browser = await bn.launchBrowser();

interface PageRun {
  requests: string;
  cold: number;
  cpu: number;
  first: number;
  total: number;
  count: string;
  longest: number;
  over50: number;
}

async function tesseraRun(): Promise<PageRun> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cpu0 = cpuNow();
  const log0 = bn.net ? accessLogSize() : 0;
  const tCold = performance.now();
  await page.addInitScript(`
    window.__long = [];
    new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__long.push({ start: e.startTime, duration: e.duration }); }).observe({ type: 'longtask', buffered: true });
  `);
  await page.goto(appUrl + '#/buckets');
  await page.fill('input[name="endpoint"]', bn.endpoint);
  await page.fill('input[name="accessKeyId"]', env.accessKeyId);
  await page.fill('input[name="secretAccessKey"]', env.secretAccessKey);
  await page.click('form.connect button[type="submit"]');
  await page.waitForSelector('[data-testid="connection"]');
  // Warm the worker and the connection once (a user is connected before opening a prefix).
  await page.waitForSelector('input[name="bucket"]');
  // Cold: a second prefix listing with the app just opened would be warm; cold is this one, from page load.
  // Passed as source text: tsx would otherwise wrap the inner arrow functions in a helper the page lacks.
  const r = (await page.evaluate(`new Promise((resolve) => {
    const t0 = performance.now();
    let first = -1;
    location.hash = ${JSON.stringify(`#/b/${BIG_BUCKET}/${BIG_PREFIX}`)};
    function tick() {
      if (first < 0 && document.querySelector('[data-testid="objects"] tbody tr')) first = performance.now() - t0;
      const s = document.querySelector('[data-testid="listing-status"]')?.textContent ?? '';
      if (s.includes('listed in') || document.querySelector('[role="alert"]')) resolve({ first, total: performance.now() - t0, count: s, t0 });
      else requestAnimationFrame(tick);
    }
    requestAnimationFrame(tick);
  })`)) as { first: number; total: number; count: string; t0: number };
  const cold = performance.now() - tCold;
  const long = (await page.evaluate(`window.__long.filter((e) => e.start >= ${r.t0})`)) as { start: number; duration: number }[];
  const cpu = cpuSince(cpu0).chromium;
  await context.close();
  // nginx's log is shared with whoever else uses the fronts: only this bucket's lines count.
  const lines = bn.net ? accessLogSince(log0).filter((l) => l.uri.startsWith(`/${BIG_BUCKET}`)) : [];
  const byKind = new Map<string, number>();
  for (const l of lines) byKind.set(`${l.protocol} ${l.method}`, (byKind.get(`${l.protocol} ${l.method}`) ?? 0) + 1);
  const requests = [...byKind].map(([k, n]) => `${n} ${k}`).join(', ');
  return { requests, cold, cpu, first: r.first, total: r.total, count: r.count.replace(/\s+/g, ' ').trim(), longest: Math.max(0, ...long.map((e) => e.duration)), over50: long.filter((e) => e.duration > 50).length };
}

const t: PageRun[] = [];
const a: Awaited<ReturnType<typeof awsLs>>[] = [];
const s: Awaited<ReturnType<typeof s3cmdLs>>[] = [];
for (let i = 0; i < runs; i++) {
  t.push(await tesseraRun());
  a.push(await awsLs());
  s.push(await s3cmdLs());
  const last = t.at(-1)!;
  console.log(
    `run ${i + 1}: tessera warm ${(last.total / 1000).toFixed(2)} s, cold ${(last.cold / 1000).toFixed(2)} s (first rows ${last.first.toFixed(0)} ms, longest task ${last.longest.toFixed(0)} ms, ${last.over50} over 50 ms, CPU ${last.cpu.toFixed(2)} s) [${last.count}]${last.requests ? ` {${last.requests}}` : ''}` +
      ` | aws ${(a.at(-1)!.total / 1000).toFixed(2)} s (${a.at(-1)!.lines} lines, first ${a.at(-1)!.first.toFixed(0)} ms, CPU ${a.at(-1)!.cpu.toFixed(2)} s)` +
      ` | s3cmd ${(s.at(-1)!.total / 1000).toFixed(2)} s (${s.at(-1)!.lines} lines, first ${s.at(-1)!.first.toFixed(0)} ms, CPU ${s.at(-1)!.cpu.toFixed(2)} s)`,
  );
}
const tm = median(t.map((x) => x.total));
const tc = median(t.map((x) => x.cold));
const am = median(a.map((x) => x.total));
const sm = median(s.map((x) => x.total));
const cpuMed = (xs: { cpu: number }[]) => median(xs.map((x) => x.cpu)).toFixed(2);
console.log(`\nListing ${BIG_COUNT.toLocaleString('en-GB')} keys (${bn.profile}), median of ${runs}:`);
console.log(`  Tessera warm (app open, into the table): ${(tm / 1000).toFixed(2)} s; first rows on screen ${median(t.map((x) => x.first)).toFixed(0)} ms; longest main-thread task ${Math.max(...t.map((x) => x.longest)).toFixed(0)} ms`);
console.log(`  Tessera cold (page load, connect, list): ${(tc / 1000).toFixed(2)} s; Chromium CPU ${cpuMed(t)} s`);
console.log(`  aws s3 ls --recursive (cold process):    ${(am / 1000).toFixed(2)} s (first line ${median(a.map((x) => x.first)).toFixed(0)} ms; CPU ${cpuMed(a)} s)  -> Tessera cold ${(am / tc).toFixed(2)}x, warm ${(am / tm).toFixed(2)}x faster`);
console.log(`  s3cmd ls -r (cold process):              ${(sm / 1000).toFixed(2)} s (first line ${median(s.map((x) => x.first)).toFixed(0)} ms; CPU ${cpuMed(s)} s)  -> Tessera cold ${(sm / tc).toFixed(2)}x, warm ${(sm / tm).toFixed(2)}x faster`);
if (bn.net) console.log(`  Shaper CPU over the whole benchmark: ${bn.shaperCpu().toFixed(2)} s`);
for (const [name, xs] of [['aws', a], ['s3cmd', s]] as const) if (xs.some((x) => x.lines < BIG_COUNT || x.code !== 0)) console.log(`  WARNING: ${name} printed fewer than ${BIG_COUNT} lines or failed in some run`);
await browser.close();
await closeApp();
await bn.close();
