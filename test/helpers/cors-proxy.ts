/**
 * A relay in front of the real RGW that adds CORS headers to every answer,
 * as MinIO does by default (and as a store behind a CORS-adding reverse proxy
 * does): the service endpoint (ListBuckets) and error answers such as 403
 * SignatureDoesNotMatch become readable by a page. It answers preflights
 * itself and forwards everything else byte for byte with its Host header, so
 * signatures made for the relay's address verify at the RGW.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import { listenOnLoopback } from './loopback-server';

export interface CorsProxy {
  endpoint: string;
  close(): Promise<void>;
}

/** Which requests a proxy holds back, until which request has arrived (method and path, query left out). */
export interface Hold {
  what: (method: string, path: string) => boolean;
  until: (method: string, path: string) => boolean;
}

const EXPOSE = 'ETag, Content-Length, Content-Range, Content-Type, Date, x-amz-request-id, x-amz-version-id, x-amz-meta-sha256';

/**
 * `hold`: requests matching `hold.what` are forwarded only once a request
 * matching `hold.until` has arrived (say, the check made at Connect held
 * until the first read of a dataset), which proves one was sent before the
 * other had its answer.
 */
export async function startCorsProxy(target: string, { hold }: { hold?: Hold } = {}): Promise<CorsProxy> {
  const upstream = new URL(target);
  let release = () => {};
  const released = hold ? new Promise<void>((r) => (release = r)) : Promise.resolve();
  const server: Server = createServer((req, res) => {
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (hold?.until(method, path)) release();
    if (hold?.what(method, path)) void released.then(() => forward(req, res));
    else forward(req, res);
  });
  function forward(req: IncomingMessage, res: ServerResponse): void {
    const origin = req.headers.origin ?? '*';
    const cors: Record<string, string> = { 'access-control-allow-origin': origin, 'access-control-expose-headers': EXPOSE, vary: 'Origin' };
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        ...cors,
        'access-control-allow-methods': 'GET, HEAD, PUT, POST, DELETE',
        'access-control-allow-headers': req.headers['access-control-request-headers'] ?? '*',
        'access-control-max-age': '600',
      });
      res.end();
      return;
    }
    const up = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers });
    up.on('response', (r) => {
      const headers = { ...r.headers };
      for (const name of Object.keys(headers)) if (name.startsWith('access-control-')) delete headers[name];
      res.writeHead(r.statusCode ?? 502, { ...headers, ...cors });
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  }
  const listening = await listenOnLoopback(server);
  return {
    endpoint: listening.endpoint,
    close() {
      return listening.close();
    },
  };
}
