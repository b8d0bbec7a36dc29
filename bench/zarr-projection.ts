/**
 * Projected redraw benchmark (not a test): a 1440 x 720 lon/lat grid painted
 * at 1280 x 720 in Equal Earth and on a globe, as the Zarr worker paints it
 * (bench/projection/run.ts), in a Chromium worker and in Node. Prints the
 * median milliseconds of a new view (every pixel inverse-projected again)
 * and of a new slice in the same view (cells reused); the aim is under
 * 100 ms. Run by `npm run bench -- zarr`, or alone with
 * `npx tsx bench/zarr-projection.ts`.
 */
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { launchBrowser } from '../test/helpers/browser';
import { runProjectionBench, type ProjectionTimes } from './projection/run';

const ROUNDS = Number(process.env.TESSERA_BENCH_ROUNDS ?? 9);
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;

/** The bench as one script a worker can run: it posts its times back. */
async function workerScript(): Promise<string> {
  const entry = fileURLToPath(new URL('./projection/worker.ts', import.meta.url));
  const r = await build({
    configFile: false,
    logLevel: 'warn',
    build: { write: false, minify: true, lib: { entry, formats: ['iife'], name: 'projectionBench' } },
  });
  const outputs = (Array.isArray(r) ? r : [r]).flatMap((x) => ('output' in x ? x.output : []));
  const chunk = outputs.find((o) => o.type === 'chunk');
  if (!chunk || chunk.type !== 'chunk') throw new Error('The projection bench did not bundle.');
  return chunk.code;
}

function print(where: string, times: ProjectionTimes[]): void {
  for (const t of times) {
    const label = t.kind === 'orthographic' ? 'globe' : 'Equal Earth';
    console.log(`  ${where.padEnd(17)} ${label.padEnd(12)} new view ${median(t.view).toFixed(1).padStart(6)} ms   new slice ${median(t.slice).toFixed(1).padStart(6)} ms   (aim < 100 ms)`);
  }
}

async function main(): Promise<void> {
  const code = await workerScript();
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    const times = await page.evaluate(
      ([src, rounds]) =>
        new Promise<ProjectionTimes[]>((resolve, reject) => {
          const w = new Worker(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })));
          w.onmessage = (e) => resolve(e.data as ProjectionTimes[]);
          w.onerror = (e) => reject(new Error(e.message));
          w.postMessage(rounds);
        }),
      [code, ROUNDS] as const,
    );
    console.log(`\nProjected redraw of a 1440 x 720 grid at 1280 x 720, medians of ${ROUNDS} rounds:`);
    print('Chromium worker', times);
  } finally {
    await browser.close();
  }
  print('Node', runProjectionBench(ROUNDS));
  // CPU time of this thread alone: what the work costs when the cores are shared.
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  print('Node (CPU time)', runProjectionBench(ROUNDS, 1280, 720, cpu));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
