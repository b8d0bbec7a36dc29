/**
 * End-to-end set-up: check that what the tests need is there (the local RGW,
 * Chromium, Python for the fixtures), build the app once and serve the build
 * (as any static host would) on a loopback port chosen free at start, so two
 * runs never collide. Buckets carry a CORS rule for exactly this origin, which
 * every test takes from `inject('appUrl')`. `TESSERA_E2E_PORT` pins the port.
 */
import { build, preview, type PreviewServer } from 'vite';
import type { TestProject } from 'vitest/node';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireChromium, requirePythonXarray, requireRgw } from '../helpers/requirements';

let server: PreviewServer | undefined;

/** A loopback port nothing listens on now: the system's pick for port 0. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', resolve);
  });
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (typeof address !== 'object' || !address) throw new Error('no free loopback port');
  return address.port;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  await requireRgw();
  requireChromium();
  requirePythonXarray();
  const port = process.env.TESSERA_E2E_PORT ? Number(process.env.TESSERA_E2E_PORT) : await freePort();
  // A build of its own per run, so a rebuild elsewhere never swaps files under the pages.
  const outDir = mkdtempSync(join(tmpdir(), 'tessera-e2e-app-'));
  await build({ logLevel: 'warn', mode: 'production', build: { outDir, emptyOutDir: true } });
  // strictPort: served on exactly the origin the buckets' CORS rules name, or not at all.
  server = await preview({ build: { outDir }, preview: { host: '127.0.0.1', port, strictPort: true }, logLevel: 'warn' });
  project.provide('appUrl', `http://127.0.0.1:${port}/`);
  project.provide('appDir', outDir);
  return async () => {
    await new Promise<void>((resolve) => server?.httpServer.close(() => resolve()));
    rmSync(outDir, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    appUrl: string;
    /** The built app the pages are served from. */
    appDir: string;
  }
}
