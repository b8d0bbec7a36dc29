/**
 * Download tuning probe: one object fetched in Chromium in byte ranges, bytes
 * discarded / written to OPFS in the fetching worker / handed to a writer
 * worker. `npx tsx bench/download-harness/probe.ts [MiB=1024]`. Env MODES,
 * PLANS (JSON [[rangeMiB, parallel], ...]), ROUNDS, CHROMIUM_EXTRA (JSON list of
 * extra Chromium flags, e.g. ["--disable-http2"]). With TESSERA_BENCH_NET=wan
 * (bench/lib/net.ts) through the HTTPS front and a shaper; each line then gives
 * Chromium's CPU seconds by process and its busiest threads.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import { chromium } from 'playwright-core';
import { serveDir } from '../lib/serve-dir';
import { CHROMIUM, CHROMIUM_ARGS } from '../../test/helpers/browser';
import { createBucket, destroyBucket, rgwClient, uniqueBucket } from '../../test/helpers/s3';
import { CompleteMultipartUpload, CreateMultipartUpload, GetObject, HeadObject, UploadPart } from '../../src/lib/s3/ops/index';
import { S3Client } from '../../src/lib/s3/client';
import { resolveEndpoint } from '../../src/lib/s3/endpoint';
import { loadRgwEnv } from '../../test/helpers/rgw-env';
import { benchNet } from '../lib/net';
import { cpuByRole, cpuByThread, cpuDelta } from '../upload-harness/memory';

const mib = Number(process.argv[2] ?? 1024);
const size = mib * 1024 * 1024;
const bn = await benchNet();
console.log(bn.describe());
const server = await serveDir(import.meta.dirname);
const origin = server.origin;
const bucket = uniqueBucket('dlprobe');
await createBucket(bucket, { corsOrigins: [origin] });
const profile = mkdtempSync(join(tmpdir(), 'tessera-probe-profile-'));
try {
  const c = rgwClient();
  const { uploadId } = await c.send(CreateMultipartUpload, { bucket, key: 'x' });
  const parts = [];
  for (let n = 1, off = 0; off < size; n++, off += 64 << 20) parts.push({ partNumber: n, etag: (await c.send(UploadPart, { bucket, key: 'x', uploadId, partNumber: n, body: randomBytes(Math.min(64 << 20, size - off)) })).etag! });
  await c.send(CompleteMultipartUpload, { bucket, key: 'x', uploadId, parts });
  const env = loadRgwEnv();
  const netClient = new S3Client({ endpoint: resolveEndpoint(bn.endpoint, { region: env.region }).endpoint, credentials: { accessKeyId: env.accessKeyId, secretAccessKey: env.secretAccessKey } });
  const url = await netClient.presign(GetObject.build({ bucket, key: 'x' }), 3600);
  const etag = `"${(await c.send(HeadObject, { bucket, key: 'x' })).etag}"`;
  const extra = JSON.parse(process.env.CHROMIUM_EXTRA ?? '[]') as string[];
  const browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, ...extra], headless: true, env: bn.chromiumEnv as Record<string, string> });
  const page = await browser.newPage();
  await page.goto(`${origin}/index.html`);
  await page.waitForFunction(() => document.title === 'ready');
  const modes = JSON.parse(process.env.MODES ?? '["discard","sync","writer"]') as string[];
  const plans = JSON.parse(process.env.PLANS ?? '[[64,4]]') as number[][];
  for (let round = 0; round < Number(process.env.ROUNDS ?? 2); round++)
    for (const [r, p] of plans)
      for (const mode of modes) {
        if (process.env.DD) execFileSync('sh', ['-c', 'dd if=/dev/urandom of=/tmp/tessera-probe-dd bs=4M count=256 status=none; sync']);
        if (process.env.SETTLE) execFileSync('sync');
        const pg = process.env.NEWPAGE ? await browser.newPage() : page;
        if (pg !== page) {
          await pg.goto(`${origin}/index.html`);
          await pg.waitForFunction(() => document.title === 'ready');
        }
        const role0 = cpuByRole();
        const thr0 = cpuByThread();
        const sh0 = bn.shaperCpu();
        const out = (await pg.evaluate((a) => (window as unknown as { probe(a: unknown): Promise<unknown> }).probe(a), { url, size, range: r! << 20, parallel: p, mode, etag, pace: Number(process.env.PACE ?? 4), enough: Number(process.env.ENOUGH ?? 1 << 20) })) as { ms: number; total: number; writeMs: number; reads?: number };
        if (pg !== page) await pg.close();
        const roles = cpuDelta(role0, cpuByRole());
        const cpu = Object.entries(roles).filter(([k]) => k.startsWith('chromium')).map(([k, v]) => `${k.slice(9)} ${v.toFixed(2)}`).join(', ');
        const total = Object.entries(roles).filter(([k]) => k.startsWith('chromium')).reduce((a, [, v]) => a + v, 0);
        const threads = Object.entries(cpuDelta(thr0, cpuByThread())).sort((a, b) => b[1] - a[1]).slice(0, 6).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ');
        console.log(`${mode.padEnd(8)} ${r} MiB x${p}: ${(out.ms / 1000).toFixed(2)} s ${((size / 1e6) / (out.ms / 1000)).toFixed(0)} MB/s (write ${out.writeMs.toFixed(0)} ms${out.reads ? `, ${out.reads} reads` : ''})${out.total !== size ? ' SHORT' : ''} | Chromium CPU ${total.toFixed(2)} s (${cpu}; shaper ${(bn.shaperCpu() - sh0).toFixed(2)}, radosgw ${(roles.radosgw ?? 0).toFixed(2)}) | ${threads}`);
      }
  await browser.close();
} finally {
  rmSync(profile, { recursive: true, force: true });
  await destroyBucket(bucket);
  server.close();
  await bn.close();
}
