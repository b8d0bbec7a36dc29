/**
 * A relay in front of the real RGW that adds CORS headers to every answer,
 * as MinIO does by default (and as a store behind a CORS-adding reverse proxy
 * does): the service endpoint (ListBuckets) and error answers such as 403
 * SignatureDoesNotMatch become readable by a page. It answers preflights
 * itself and forwards everything else byte for byte with its Host header, so
 * signatures made for the relay's address verify at the RGW.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import { listenOnLoopback } from './loopback-server';

export interface CorsProxy {
  endpoint: string;
  close(): Promise<void>;
}

const EXPOSE = 'ETag, Content-Length, Content-Range, Content-Type, Date, x-amz-request-id, x-amz-version-id, x-amz-meta-sha256';

export async function startCorsProxy(target: string): Promise<CorsProxy> {
  const upstream = new URL(target);
  const server: Server = createServer((req, res) => {
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
  });
  const listening = await listenOnLoopback(server);
  return {
    endpoint: listening.endpoint,
    close() {
      return listening.close();
    },
  };
}
