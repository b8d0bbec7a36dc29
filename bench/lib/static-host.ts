/**
 * The bench page's host: a built app served from a folder, as a static host
 * serves it. Each compressible file is gzipped once, when the host starts
 * (as nginx's `gzip_static` or a CDN's cache does), not per request: `vite
 * preview` compresses every response on the fly, and on the bench's two
 * shared cores that put ~35 ms of CPU per cold page load (its scripts, the
 * workers' and blosc's, ~1.5 MB) in the same window as the page's own start.
 *
 * Caching as `public/_headers` asks of a host: files under `assets/` (named
 * by their content's hash) may be kept for a year without asking again; the
 * rest (index.html) is asked for each time, with an ETag so an unchanged copy
 * costs a 304. Only a browser profile that comes back (the Zarr bench's
 * TESSERA_BENCH_PROFILE=returning) can tell: a fresh context has no cache.
 */
import { createServer, type Server } from 'node:http';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';

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
  etag: string;
  immutable: boolean;
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
    const name = `/${relative(dir, path).split(sep).join('/')}`;
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    entries.set(name, { type, body, gzip: compressible ? gzipSync(body) : undefined, etag, immutable: name.startsWith('/assets/') });
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
    const cache = { 'cache-control': entry.immutable ? 'public, max-age=31536000, immutable' : 'no-cache', etag: entry.etag, vary: 'Accept-Encoding' };
    if (req.headers['if-none-match'] === entry.etag) {
      res.writeHead(304, cache).end();
      return;
    }
    res.writeHead(200, { 'content-type': entry.type, 'content-length': body.length, ...cache, ...(gzip ? { 'content-encoding': 'gzip' } : {}) });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return { close: () => new Promise<void>((r) => server.close(() => r())) };
}
