/**
 * Probe: the renderer's CPU for reading a file part by part and hashing it in
 * a worker, by way of reading (hash-probe.worker.ts), rounds interleaved:
 *   npx tsx bench/upload-harness/hash-probe.ts [MiB]   (after bench/upload.ts made the file)
 * Env: VARIANTS (comma list: arrayBuffer, stream, byob, byob-fill, readerSync, hashOnly),
 * ALGOS (md5, sha256, crc32c), CHUNK_KIB (default 8192), PART_MIB (64), ROUNDS (3).
 * No store, no network: only the file and Chromium.
 */
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { build } from 'vite';
import { launchBrowser } from '../../test/helpers/browser';
import { serveDir } from '../lib/serve-dir';
import { cpuByRole, cpuDelta } from './memory';

const WORK = join(tmpdir(), 'tessera-bench-upload');
const dist = join(WORK, 'dist-hash-probe');
const size = Number(process.argv[2] ?? 256);
const variants = (process.env.VARIANTS ?? 'arrayBuffer,stream,byob,hashOnly').split(',');
const algos = (process.env.ALGOS ?? 'md5').split(',');
const chunks = (process.env.CHUNK_KIB ?? '8192').split(',').map((c) => Number(c) * 1024);
const part = Number(process.env.PART_MIB ?? 64) * 1024 * 1024;
const rounds = Number(process.env.ROUNDS ?? 3);

await build({ configFile: false, root: import.meta.dirname, base: './', logLevel: 'warn', worker: { format: 'es' }, build: { outDir: dist, emptyOutDir: true, target: 'es2022' } });
const server = await serveDir(dist);
const browser = await launchBrowser();
const page = await browser.newPage();
page.on('console', (m) => console.log('console:', m.text()));
await page.goto(`${server.origin}/index.html`);
await page.waitForFunction(() => document.title === 'ready');
await page.setInputFiles('#files', [join(WORK, `random-${size * 1024 * 1024}.bin`)]);
type P = { bench: { hashProbe(v: string, a: string, p: number, c: number): Promise<{ ms?: number; error?: string }> } };
const probe = (v: string, a: string, c: number) => page.evaluate(([v, a, p, c]) => (window as unknown as P).bench.hashProbe(v as string, a as string, p as number, c as number), [v, a, part, c] as const);
// Warm-up: the worker, WASM compiles, the file in the OS cache.
console.log("warm-up");
for (const a of algos) await probe('arrayBuffer', a, chunks[0]!);
const results = new Map<string, { ms: number[]; cpu: number[]; browser: number[] }>();
for (let round = 0; round < rounds; round++) {
  const cases = algos.flatMap((a) => variants.flatMap((v) => chunks.map((c) => [v, a, c] as const)));
  for (let i = 0; i < cases.length; i++) {
    const [v, a, c] = cases[(i + round) % cases.length]!;
    const before = cpuByRole();
    const r = await probe(v, a, c);
    const d = cpuDelta(before, cpuByRole());
    const name = `${a.padEnd(7)} ${v.padEnd(12)} ${String(c / 1024).padStart(6)} KiB`;
    if (r.error) {
      console.log(name, 'error', r.error);
      continue;
    }
    console.log(name, r.ms!.toFixed(0), "ms", (d["chromium renderer"] ?? 0).toFixed(2), "renderer CPU s");
    const e = results.get(name) ?? { ms: [], cpu: [], browser: [] };
    e.ms.push(r.ms!);
    e.cpu.push(d['chromium renderer'] ?? 0);
    e.browser.push((d['chromium browser'] ?? 0) + (d['chromium network'] ?? 0));
    results.set(name, e);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`\n${size} MiB in parts of ${part / 2 ** 20} MiB, medians of ${rounds} (load ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')})`);
console.log('algo    variant      chunk          worker ms  MB/s   renderer CPU s  browser CPU s');
for (const [name, e] of results) {
  const ms = median(e.ms);
  console.log(`${name}  ${ms.toFixed(0).padStart(8)} ${((size * 1.048576) / (ms / 1000)).toFixed(0).padStart(6)}   ${median(e.cpu).toFixed(2).padStart(12)}  ${median(e.browser).toFixed(2).padStart(12)}`);
}
await browser.close();
server.close();
