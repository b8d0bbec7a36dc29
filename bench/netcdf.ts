/**
 * NetCDF benchmark (not a test): a NetCDF-4 file of at least 1 GiB
 * (netCDF4, deflate + shuffle, 1 x 512 x 512 chunks along time of a
 * time x 2048 x 2048 float32 variable) uploaded to the RGW, read in place.
 * Times, in the same run and interleaved:
 *  - Tessera in headless Chromium (the real DatasetView of the bench page,
 *    private bucket, keys): the file scanned by byte ranges into references,
 *    then the slice at time 0 drawn; from "open" to the dataset opened, the
 *    first chunk drawn and the whole slice drawn, and cold from page load
 *    to the first chunk and to the whole picture; requests and bytes the page
 *    fetched; then warm: the view closed and a copy of the file (another
 *    object, so nothing is served from a cache) opened in the same page, from
 *    "open" to its first chunk and whole slice;
 *  - xarray `open_dataset(fsspec HTTP file, engine="h5netcdf").v.isel(time=0)`
 *    in a cold python process (public-read object), with its range requests and bytes.
 * Prints medians, ratios and the CPU seconds of each process per round. The
 * machine is shared (2 cores, the store on the same cores): figures are noisy.
 * Run with `npm run bench -- netcdf`. TESSERA_BENCH_ROUNDS (3),
 * TESSERA_BENCH_NETCDF_STEPS (76: about 1.02 GiB on disk). The object is deleted at the end.
 * TESSERA_BENCH_CPU_PROFILE=1 (+ TESSERA_BENCH_NO_MINIFY=1): every thread's functions by self
 * time in the first round (bench/lib/cpu-profile.ts). Each round prints its renderer CPU per thread.
 * TESSERA_BENCH_TRACE=1 (+ TESSERA_BENCH_TRACE_ALL=1): each round's steps (worker start,
 * presign, fetches, decode, tiles) in ms after "open" (bench/lib/page-trace.ts).
 * TESSERA_BENCH_NETCDF_FILE=path: read that file (written by `netcdf-peers.py write`) instead of writing one.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build, preview } from 'vite';
import { benchNet } from './lib/net';
import { loadRgwEnv } from '../test/helpers/rgw-env';
import { aws } from '../test/helpers/cli';
import { createBucket, destroyBucket, uniqueBucket } from '../test/helpers/s3';
import { makeReadableByAnyone } from '../test/integration/zarr/fixtures';
import { cpuByRole, cpuByThread, cpuDelta, threadsSince } from './upload-harness/memory';
import { CPU_TRACE_CATEGORIES, printCpuByFunction } from './lib/cpu-profile';
import { debianPythonEnv, median } from './lib/stats';
import { firstAt, printTrace, type PageTrace } from './lib/page-trace';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PEERS = join(ROOT, 'bench/netcdf-peers.py');
const ROUNDS = Number(process.env.TESSERA_BENCH_ROUNDS ?? 3);
const STEPS = Number(process.env.TESSERA_BENCH_NETCDF_STEPS ?? 76);
const PORT = Number(process.env.TESSERA_BENCH_NETCDF_PORT ?? 4198);

const pyEnv = debianPythonEnv;
let extraPyEnv: Record<string, string> = {};
async function python(args: string[]): Promise<string> {
  const { stdout } = await run('/usr/bin/python3', [PEERS, ...args], { env: { ...pyEnv(), ...extraPyEnv }, maxBuffer: 1 << 24, timeout: 1_200_000 });
  return stdout.trim();
}
const CPU_PROFILE = process.env.TESSERA_BENCH_CPU_PROFILE === '1';
const TRACE = process.env.TESSERA_BENCH_TRACE === '1';
const GIVEN_FILE = process.env.TESSERA_BENCH_NETCDF_FILE;
/** Wall-clock ms (comparable with the page's `performance.timeOrigin + performance.now()`). */
const epochNow = () => performance.timeOrigin + performance.now();

const mib = (n: number) => `${(n / 2 ** 20).toFixed(2)} MiB`;

async function main(): Promise<void> {
  const env = loadRgwEnv();
  const dir = mkdtempSync(join(tmpdir(), 'tessera-netcdf-bench-'));
  const outDir = mkdtempSync(join(tmpdir(), 'tessera-netcdf-page-'));
  const bucket = uniqueBucket('ncbench');
  const origin = `http://127.0.0.1:${PORT}`;
  let server: Awaited<ReturnType<typeof preview>> | undefined;
  const bn = await benchNet();
  extraPyEnv = bn.pythonEnv;
  console.log(bn.describe());
  console.log('The machine is busy (2 shared cores, other work and the store on them): treat the figures as rough.');
  const browser = await bn.launchBrowser();
  let uploaded = false;
  try {
    const file = GIVEN_FILE ?? join(dir, 'big.nc');
    if (!GIVEN_FILE) {
      console.log(`writing ${STEPS} x 2048 x 2048 float32 with netCDF4 (deflate 1 + shuffle, 1x512x512 chunks)…`);
      await python(['write', file, String(STEPS)]);
    }
    const size = statSync(file).size;
    console.log(`file: ${mib(size)} (${(size / 2 ** 30).toFixed(3)} GiB), ${STEPS * 16} chunks`);
    await createBucket(bucket, { corsOrigins: [origin] });
    uploaded = true;
    const up = await aws(['s3', 'cp', '--only-show-errors', file, `s3://${bucket}/big.nc`]);
    if (up.code !== 0) throw new Error(`upload failed: ${up.stderr.slice(0, 500)}`);
    if (!GIVEN_FILE) rmSync(file);
    // The warm open reads a copy: the same bytes, at other URLs than the cold open's.
    const copy = await aws(['s3', 'cp', '--only-show-errors', `s3://${bucket}/big.nc`, `s3://${bucket}/warm.nc`]);
    if (copy.code !== 0) throw new Error(`copy failed: ${copy.stderr.slice(0, 500)}`);
    await makeReadableByAnyone(bucket);
    const url = `${bn.endpoint}/${bucket}/big.nc`;
    process.env.TESSERA_TRACE = '1';
    await build({ root: join(ROOT, 'bench/zarr-page'), base: './', logLevel: 'warn', configFile: join(ROOT, 'vite.config.ts'), build: { outDir, emptyOutDir: true, ...(process.env.TESSERA_BENCH_NO_MINIFY === '1' ? { minify: false } : {}) } });
    server = await preview({ root: join(ROOT, 'bench/zarr-page'), configFile: join(ROOT, 'vite.config.ts'), build: { outDir }, preview: { host: '127.0.0.1', port: PORT, strictPort: true }, logLevel: 'warn' });

    const t = { opened: [] as number[], first: [] as number[], full: [] as number[], cold: [] as number[], coldFirst: [] as number[], pageStart: [] as number[], warmOpened: [] as number[], warmFirst: [] as number[], warmFull: [] as number[], requests: [] as number[], bytes: [] as number[], metaBytes: [] as number[], xarray: [] as number[], xarrayProc: [] as number[], pyRequests: [] as number[], pyBytes: [] as number[] };
    for (let round = 0; round < ROUNDS; round++) {
      const context = await browser.newContext();
      let requests = 0;
      let bytes = 0;
      const sizes: number[] = [];
      const counting: Promise<void>[] = [];
      context.on('requestfinished', (r) => {
        if (!r.url().includes(`/${bucket}/`)) return;
        requests++;
        counting.push(r.sizes().then((s) => void ((bytes += s.responseBodySize), sizes.push(s.responseBodySize))).catch(() => {}));
      });
      const cpu0 = cpuByRole();
      const threads0 = cpuByThread();
      const profiling = CPU_PROFILE && round === 0;
      if (profiling) await browser.startTracing(undefined, { categories: CPU_TRACE_CATEGORIES });
      const page = await context.newPage();
      const t0 = performance.now();
      const t0Epoch = epochNow();
      // The address says what is opened, as the app's route does (#/dataset/<bucket>/big.nc?refs=scan).
      await page.goto(`${origin}/index.html?refs=scan`);
      const el = page.locator('[data-testid=timings]');
      await page.evaluate(
        ([endpoint, accessKeyId, secretAccessKey, b]) => window.tesseraBench.open({ endpoint: endpoint!, accessKeyId, secretAccessKey }, { kind: 's3', bucket: b!, path: 'big.nc', refs: 'scan' }),
        [bn.endpoint, env.accessKeyId, env.secretAccessKey, bucket],
      );
      await el.waitFor({ timeout: 600_000 });
      t.cold.push((performance.now() - t0) / 1000);
      const trace: PageTrace = await page.evaluate(() => window.tesseraBench.trace());
      // Page load to the first chunk on screen (the page's first tile, on the shared wall clock).
      t.coldFirst.push((firstAt(trace, 'page:tile')! - t0Epoch) / 1000);
      // Page load to "open" asked (page and app start-up, connecting).
      t.pageStart.push((firstAt(trace, 'page:open')! - t0Epoch) / 1000);
      if (TRACE) printTrace(trace, process.env.TESSERA_BENCH_TRACE_ALL === '1');
      if (profiling) {
        console.log('  page load to picture, CPU by thread and function:');
        const trace = await browser.stopTracing();
        writeFileSync(join(tmpdir(), 'tessera-netcdf-trace.json'), trace);
        printCpuByFunction(trace);
      }
      console.log(`  round ${round + 1} renderer CPU s by thread: ${threadsSince(threads0)}`);
      const cpu = Object.entries(cpuDelta(cpu0, cpuByRole())).filter(([k, v]) => v > 0 && k !== 'peer cli').map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ');
      t.opened.push(Number(await el.getAttribute('data-opened')) / 1000);
      t.first.push(Number(await el.getAttribute('data-first')) / 1000);
      t.full.push(Number(await el.getAttribute('data-full')) / 1000);
      await Promise.all(counting);
      t.requests.push(requests);
      t.bytes.push(bytes);
      // Everything but the slice's 16 chunk reads (the largest responses): the scan, the chunk index, the coordinates.
      t.metaBytes.push(sizes.sort((a, b) => a - b).slice(0, -16).reduce((a, b) => a + b, 0));
      context.removeAllListeners('requestfinished');
      // Warm: the app stays open (workers, connection); the view is closed and the copy opened.
      await page.evaluate(() => window.tesseraBench.close());
      await page.evaluate((b) => window.tesseraBench.open(null, { kind: 's3', bucket: b, path: 'warm.nc', refs: 'scan' }), bucket);
      await el.waitFor({ timeout: 600_000 });
      t.warmOpened.push(Number(await el.getAttribute('data-opened')) / 1000);
      t.warmFirst.push(Number(await el.getAttribute('data-first')) / 1000);
      t.warmFull.push(Number(await el.getAttribute('data-full')) / 1000);
      if (TRACE) printTrace(await page.evaluate(() => window.tesseraBench.trace()), process.env.TESSERA_BENCH_TRACE_ALL === '1');
      await context.close();

      const xcpu0 = cpuByRole();
      const [xa, xaProc, pyReq, pyBytes] = (await python(['xarray', url])).split(' ').map(Number);
      const xcpu = cpuDelta(xcpu0, cpuByRole());
      t.xarray.push(xa!);
      t.xarrayProc.push(xaProc!);
      t.pyRequests.push(pyReq!);
      t.pyBytes.push(pyBytes!);
      console.log(
        `round ${round + 1}: tessera opened ${t.opened.at(-1)!.toFixed(3)} s, first ${t.first.at(-1)!.toFixed(3)} s, full ${t.full.at(-1)!.toFixed(3)} s, page load to open ${t.pageStart.at(-1)!.toFixed(3)} s, to first chunk ${t.coldFirst.at(-1)!.toFixed(3)} s, to picture ${t.cold.at(-1)!.toFixed(3)} s; warm opened ${t.warmOpened.at(-1)!.toFixed(3)} s, first ${t.warmFirst.at(-1)!.toFixed(3)} s, full ${t.warmFull.at(-1)!.toFixed(3)} s; ${requests} requests, ${mib(bytes)} (CPU s: ${cpu})` +
          `; xarray+h5netcdf ${xa!.toFixed(3)} s (cold process ${xaProc!.toFixed(3)} s, ${pyReq} requests, ${mib(pyBytes!)}, CPU ${(xcpu['peer cli'] ?? 0).toFixed(2)} s)`,
      );
    }
    const m = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, median(v)])) as Record<keyof typeof t, number>;
    console.log(`\nNetCDF-4 slice (16 chunks of 512x512 float32, deflate + shuffle) of a ${(size / 2 ** 30).toFixed(2)} GiB file, medians of ${ROUNDS} interleaved rounds (busy machine):`);
    console.log(`  Tessera dataset opened (file scanned)  ${m.opened.toFixed(3)} s`);
    console.log(`  Tessera first chunk drawn              ${m.first.toFixed(3)} s`);
    console.log(`  Tessera whole slice drawn              ${m.full.toFixed(3)} s   (page load to picture ${m.cold.toFixed(3)} s)`);
    console.log(`  Tessera page load to "open"            ${m.pageStart.toFixed(3)} s`);
    console.log(`  Tessera page load to first chunk       ${m.coldFirst.toFixed(3)} s   (cold)`);
    console.log(`  Tessera warm: opened / first / whole   ${m.warmOpened.toFixed(3)} / ${m.warmFirst.toFixed(3)} / ${m.warmFull.toFixed(3)} s   (app open, a copy of the file)`);
    console.log(`  Tessera requests / bytes               ${m.requests} / ${mib(m.bytes)}   (besides the 16 chunks: ${mib(m.metaBytes)})`);
    console.log(`  xarray h5netcdf open + isel().values   ${m.xarray.toFixed(3)} s   (whole cold process ${m.xarrayProc.toFixed(3)} s); ${m.pyRequests} requests / ${mib(m.pyBytes)}`);
    console.log(`  aims: cold, page load to first chunk / xarray cold process = ${(m.coldFirst / m.xarrayProc).toFixed(2)} (< 0.5); warm, open to first chunk / xarray open + isel = ${(m.warmFirst / m.xarray).toFixed(2)} (< 0.5); bytes / file = ${((100 * m.bytes) / size).toFixed(2)} % (the slice's own chunks are most of it; besides them ${((100 * m.metaBytes) / size).toFixed(3)} %)`);
    console.log(`  ratios: first chunk / xarray = ${(m.first / m.xarray).toFixed(2)}; whole slice / xarray = ${(m.full / m.xarray).toFixed(2)}; page load to picture / cold process = ${(m.cold / m.xarrayProc).toFixed(2)}; bytes Tessera / xarray = ${(m.bytes / m.pyBytes).toFixed(2)}`);
    console.log('  fair how: one object and endpoint for both; rounds interleaved; cold = fresh browser context / fresh python process; warm = the same page opening a copy (Tessera) / open + isel in a process with its imports done (xarray); Tessera reads with keys (presigned GETs), xarray anonymously (public-read) through fsspec HTTP (aiohttp, default 5 MiB read-ahead blocks).');
  } finally {
    await browser.close();
    await new Promise<void>((r) => (server ? server.httpServer.close(() => r()) : r()));
    if (uploaded) await destroyBucket(bucket);
    await bn.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(outDir, { recursive: true, force: true });
  }
}

await main();
