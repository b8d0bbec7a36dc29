/**
 * End-to-end set-up: build the app once and serve the build (as any static
 * host would) on a fixed loopback port, so buckets can carry a CORS rule for
 * exactly this origin.
 */
import { build, preview, type PreviewServer } from 'vite';
import type { TestProject } from 'vitest/node';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const E2E_PORT = Number(process.env.TESSERA_E2E_PORT ?? 4173);

let server: PreviewServer | undefined;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // A build of its own per run, so a rebuild elsewhere never swaps files under the pages.
  const outDir = mkdtempSync(join(tmpdir(), 'tessera-e2e-app-'));
  await build({ logLevel: 'warn', mode: 'production', build: { outDir, emptyOutDir: true } });
  server = await preview({ build: { outDir }, preview: { host: '127.0.0.1', port: E2E_PORT, strictPort: true }, logLevel: 'warn' });
  project.provide('appUrl', `http://127.0.0.1:${E2E_PORT}/`);
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
