/**
 * Serve the built app (`npm run bench` builds it first) on one of the origins
 * the benchmark buckets' CORS rules name: 4173, or 5173 when 4173 is taken.
 * TESSERA_BENCH_DIST serves another build (say, of an earlier commit, for before/after figures).
 */
import { preview, type PreviewServer } from 'vite';

export async function serveBuiltApp(): Promise<{ server: PreviewServer; port: number; origin: string; close: () => Promise<void> }> {
  const outDir = process.env.TESSERA_BENCH_DIST ?? 'dist';
  let port = 4173;
  let server: PreviewServer;
  try {
    server = await preview({ preview: { host: '127.0.0.1', port, strictPort: true }, build: { outDir }, logLevel: 'warn' });
  } catch {
    port = 5173;
    server = await preview({ preview: { host: '127.0.0.1', port, strictPort: true }, build: { outDir }, logLevel: 'warn' });
  }
  const close = () => new Promise<void>((r) => server.httpServer.close(() => r()));
  return { server, port, origin: `http://127.0.0.1:${port}`, close };
}
