/**
 * Tuning probe (not a test, not in `npm run bench`): the Zarr worker's CPU per
 * 2-D slice without the network, browser or page: a store folder on disk
 * (e.g. the one `bench/zarr-peers.py write DIR` makes) read through a
 * SliceSession in Node, as the worker does (decode, unpack, statistics, paint
 * the tiles and the whole picture). Prints CPU milliseconds per slice (median).
 *
 *   npx tsx bench/zarr-cpu.ts DIR [variable] [rounds] [step: 4, a 2048 x 2048 slice on the 720 x 480 canvas]
 *   node --cpu-prof ... for where it goes.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

(globalThis as { __TESSERA_TRACE__?: boolean }).__TESSERA_TRACE__ = false;
const { SliceSession } = await import('../src/lib/zarr/slice-session');
const { median } = await import('./lib/stats');

const [dir, name = 'v', roundsArg = '15', stepArg = '4'] = process.argv.slice(2);
if (!dir) throw new Error('usage: npx tsx bench/zarr-cpu.ts DIR [variable] [rounds] [step: 4, a 2048 x 2048 slice on the 720 x 480 canvas]');
const files = new Map<string, Uint8Array>();
const walk = (d: string) => {
  for (const f of readdirSync(d)) {
    const p = join(d, f);
    if (statSync(p).isDirectory()) walk(p);
    else files.set(relative(dir, p), new Uint8Array(readFileSync(p)));
  }
};
walk(dir);
// A copy per read, as a fetched body is a fresh buffer.
const source = { label: `file://${dir}`, anonymous: false, get: async (key: string) => files.get(key)?.slice() };
const session = new SliceSession();
const opened = await session.open(source);
if ('error' in opened) throw new Error(opened.error.message);
const v = opened.info.dataVars.find((x) => x.name === name)!;
const n = v.shape.length;
const cpu: number[] = [];
const wall: number[] = [];
for (let round = 0; round < Number(roundsArg); round++) {
  const index = v.shape.map((_, d) => (d < n - 2 ? round % v.shape[d]! : 0));
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let tiles = 0;
  const r = await session.drawSlice({ id: round + 1, name, sel: { index, free: [n - 2, n - 1] }, cmap: 'viridis', range: null, robust: true, autoCmap: true, step: Number(stepArg) }, () => void tiles++);
  if ('error' in r) throw new Error(r.error.message);
  const c = process.cpuUsage(c0);
  cpu.push((c.user + c.system) / 1000);
  wall.push(performance.now() - t0);
  console.log(`round ${round + 1}: ${tiles} tiles, CPU ${cpu.at(-1)!.toFixed(1)} ms, wall ${wall.at(-1)!.toFixed(1)} ms`);
}
console.log(`median of ${cpu.length}: CPU ${median(cpu).toFixed(1)} ms, wall ${median(wall).toFixed(1)} ms per slice (${name}, ${v.shape.slice(-2).join(' x ')})`);
