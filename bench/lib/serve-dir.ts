/** Serve a folder of static files (harness pages) on 127.0.0.1 at a free port. */
import { createServer } from 'node:http';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript' };

export async function serveDir(dir: string): Promise<{ origin: string; close: () => void }> {
  const server = createServer((req, res) => {
    const p = join(dir, normalize(new URL(req.url ?? '/', 'http://x').pathname));
    if (!p.startsWith(dir) || !existsSync(p) || statSync(p).isDirectory()) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': TYPES[extname(p)] ?? 'application/octet-stream' });
    createReadStream(p).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { origin: `http://127.0.0.1:${(server.address() as { port: number }).port}`, close: () => server.close() };
}
