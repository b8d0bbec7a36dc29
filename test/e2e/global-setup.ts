/**
 * End-to-end set-up: build the app once and serve the build (as any static
 * host would) on a fixed loopback port, so buckets can carry a CORS rule for
 * exactly this origin.
 */
import { build, preview, type PreviewServer } from 'vite';
import type { TestProject } from 'vitest/node';

export const E2E_PORT = Number(process.env.TESSERA_E2E_PORT ?? 4173);

let server: PreviewServer | undefined;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!process.env.TESSERA_E2E_SKIP_BUILD) {
    await build({ logLevel: 'warn', mode: 'production' });
  }
  server = await preview({ preview: { host: '127.0.0.1', port: E2E_PORT, strictPort: true }, logLevel: 'warn' });
  project.provide('appUrl', `http://127.0.0.1:${E2E_PORT}/`);
  return async () => {
    await new Promise<void>((resolve) => server?.httpServer.close(() => resolve()));
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    appUrl: string;
  }
}
