import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Plugin } from 'vite';
import { numcodecsBloscPlugin } from './scripts/numcodecs-blosc.ts';

/**
 * Where the page may send requests. By default any HTTPS origin (the stores
 * users connect to are not known when the app is built) plus plain HTTP on
 * this machine (the demo store). A deployment for known stores lists them:
 * `TESSERA_CONNECT_SRC="https://my-tenancy-o.s3-ext.jc.rl.ac.uk" npm run build`
 * (space-separated origins; `'self'` is always added).
 */
export const DEFAULT_CONNECT_SRC = 'https: http://127.0.0.1:* http://localhost:*';

/** The Content Security Policy of the built app (README, "Security"). */
export function contentSecurityPolicy(connectSrc = process.env.TESSERA_CONNECT_SRC?.trim() || DEFAULT_CONNECT_SRC): string {
  if (/[;,\n]/.test(connectSrc)) throw new Error('TESSERA_CONNECT_SRC takes space-separated origins only.');
  return [
    "default-src 'self'",
    // No inline script and no eval; WebAssembly (hash-wasm, Blosc/Zstd/LZ4 decoders) needs 'wasm-unsafe-eval' only.
    "script-src 'self' 'wasm-unsafe-eval'",
    "worker-src 'self'",
    `connect-src 'self' ${connectSrc}`,
    // Quick-look images and exported PNGs are blob: URLs; nothing is loaded from another origin.
    "img-src 'self' blob: data:",
    // Svelte sets style attributes (widths, colours) from script through the CSSOM, which CSP allows;
    // component styles are bundled into a file: no inline <style> is needed.
    "style-src 'self'",
    "font-src 'self'",
    "media-src 'none'",
    "object-src 'none'",
    "frame-src 'none'",
    "base-uri 'none'",
    // Uploads are fetch requests from a worker, never form posts.
    "form-action 'none'",
    "manifest-src 'self'",
  ].join('; ');
}

/**
 * Put the policy in the built index.html (a meta tag) and in `_headers` (for
 * hosts that read one: Netlify, Cloudflare Pages), where `frame-ancestors`
 * works too (a meta tag cannot carry it). Build only: Vite's dev server
 * injects inline scripts of its own.
 */
function contentSecurityPolicyPlugin(): Plugin {
  let outDir = 'dist';
  return {
    name: 'tessera-csp',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    transformIndexHtml: {
      order: 'post',
      handler(html) {
        if (/<script(?![^>]*\bsrc=)[^>]*>/i.test(html)) throw new Error('index.html has an inline script: the Content Security Policy forbids it.');
        // Right after the charset (which must stay in the first 1,024 bytes), before any script it governs.
        const meta = `<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy().replaceAll('"', '&quot;')}" />`;
        if (!/<meta charset="UTF-8" \/>/.test(html)) throw new Error('index.html lost its <meta charset>: the CSP meta tag goes right after it.');
        return html.replace(/<meta charset="UTF-8" \/>/, (m) => `${m}\n    ${meta}`);
      },
    },
    writeBundle() {
      const headers = join(outDir, '_headers');
      if (existsSync(headers)) writeFileSync(headers, readFileSync(headers, 'utf8').replace('%TESSERA_CSP%', `${contentSecurityPolicy()}; frame-ancestors 'none'`));
    },
  };
}

export default defineConfig({
  // Relative base: the built app works from any sub-path, e.g. served from a
  // public bucket of the same tenancy (same origin: no CORS needed at all).
  base: './',
  // numcodecsBloscPlugin: blosc chunks decoded straight into reused buffers (scripts/numcodecs-blosc.ts).
  plugins: [svelte(), contentSecurityPolicyPlugin(), numcodecsBloscPlugin()],
  // Timing marks for the Zarr benchmark (src/lib/zarr/trace.ts): compiled out of every other build.
  define: { __TESSERA_TRACE__: JSON.stringify(process.env.TESSERA_TRACE === '1') },
  // config.plugins reach worker bundles in dev only; the Zarr worker decodes blosc, so it gets the plugin here.
  worker: { format: 'es', plugins: () => [numcodecsBloscPlugin()] },
  // No module-preload polyfill: it is an inline script, which the Content Security Policy refuses
  // (every browser Tessera supports has modulepreload).
  build: { target: 'es2022', sourcemap: true, modulePreload: { polyfill: false } },
  server: { host: '127.0.0.1', port: 5173, strictPort: false },
  preview: { host: '127.0.0.1', port: 4173 },
  test: {
    // numcodecs through Vite's transforms, as in the build, so Node tests decode blosc as the app does.
    server: { deps: { inline: ['numcodecs'] } },
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node' },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          globalSetup: ['test/integration/global-setup.ts', 'test/integration/net-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 180_000,
          hookTimeout: 180_000,
          globalSetup: ['test/e2e/global-setup.ts'],
          fileParallelism: false,
        },
      },
    ],
  },
});
