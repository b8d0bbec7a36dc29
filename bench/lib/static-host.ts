/**
 * The bench page's host: a built app served from a folder, as a static host
 * serves it. Each compressible file is gzipped once, when the host starts
 * (as nginx's `gzip_static` or a CDN's cache does), not per request: `vite
 * preview` compresses every response on the fly, and on the bench's two
 * shared cores that put ~35 ms of CPU per cold page load (its scripts, the
 * workers' and blosc's, ~1.5 MB) in the same window as the page's own start.
 */
import { createServer, type Server } from 'node:http';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.wasm': 'application/wasm',
};

interface Entry {
  type: string;
  body: Buffer;
  gzip?: Buffer;
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

/** Serve `dir` at `http://127.0.0.1:<port>/`; resolves once listening. */
export async function serveStatic(dir: string, port: number): Promise<{ close(): Promise<void> }> {
  const entries = new Map<string, Entry>();
  for (const path of files(dir)) {
    const type = TYPES[extname(path)] ?? 'application/octet-stream';
    const body = readFileSync(path);
    const compressible = type !== 'application/wasm' && !type.startsWith('application/octet') && body.length >= 1024;
    entries.set(`/${relative(dir, path).split(sep).join('/')}`, { type, body, gzip: compressible ? gzipSync(body) : undefined });
  }
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const entry = entries.get(path === '/' ? '/index.html' : path);
    if (!entry) {
      res.writeHead(404).end();
      return;
    }
    const gzip = entry.gzip && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const body = gzip ? entry.gzip! : entry.body;
    res.writeHead(200, { 'content-type': entry.type, 'content-length': body.length, 'cache-control': 'no-cache', ...(gzip ? { 'content-encoding': 'gzip' } : {}), vary: 'Accept-Encoding' });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return { close: () => new Promise<void>((r) => server.close(() => r())) };
}
