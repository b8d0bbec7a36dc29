/**
 * Serve the built app (`npm run bench` builds it first) on one of the origins
 * the benchmark buckets' CORS rules name: 4173, or 5173 when 4173 is taken.
 */
import { preview, type PreviewServer } from 'vite';

export async function serveBuiltApp(): Promise<{ server: PreviewServer; port: number; origin: string; close: () => Promise<void> }> {
  let port = 4173;
  let server: PreviewServer;
  try {
    server = await preview({ preview: { host: '127.0.0.1', port, strictPort: true }, logLevel: 'warn' });
  } catch {
    port = 5173;
    server = await preview({ preview: { host: '127.0.0.1', port, strictPort: true }, logLevel: 'warn' });
  }
  const close = () => new Promise<void>((r) => server.httpServer.close(() => r()));
  return { server, port, origin: `http://127.0.0.1:${port}`, close };
}
