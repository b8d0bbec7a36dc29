/**
 * An HTTP proxy that breaks responses mid-body, for download tests: the
 * response's status and headers go through, then the connection is closed
 * after a chosen number of body bytes, as a network that drops mid-object
 * does. Requests are forwarded byte for byte with their Host header (SigV4
 * signatures made for the proxy's address verify upstream), and each is
 * logged with the headers that bind a resumed read: Range and If-Match.
 *
 * Put it in front of the fault proxy (which answers 503s and logs what the
 * RGW answered) to have both kinds of failure on one path.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { listenOnLoopback } from './loopback-server';

export interface CutRequest {
  method: string;
  url: URL;
  /** The request's `Range` and `If-Match` headers, as sent. */
  range?: string;
  ifMatch?: string;
  /** Status of the response passed on; 0 when none came. */
  status: number;
  /** Body bytes passed on to the client. */
  sentBytes: number;
  /** Whether the connection was closed mid-body on purpose. */
  cut: boolean;
}

export interface CutProxyOptions {
  /**
   * Body bytes to pass on before closing the connection, for the n-th request
   * (1-based) to this method and URL; `undefined` passes the whole response.
   */
  cutAfter: (request: { method: string; url: URL; headers: IncomingHttpHeaders; n: number }) => number | undefined;
}

export interface CutProxy {
  endpoint: string;
  log: CutRequest[];
  close(): Promise<void>;
}

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const v = headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
};

export async function startCutProxy(target: string, options: CutProxyOptions): Promise<CutProxy> {
  const upstream = new URL(target);
  const log: CutRequest[] = [];
  const seen = new Map<string, number>();

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', upstream);
    const method = req.method ?? 'GET';
    const id = `${method} ${url.pathname}`;
    const n = (seen.get(id) ?? 0) + 1;
    seen.set(id, n);
    const entry: CutRequest = { method, url, range: header(req.headers, 'range'), ifMatch: header(req.headers, 'if-match'), status: 0, sentBytes: 0, cut: false };
    log.push(entry);
    const limit = options.cutAfter({ method, url, headers: req.headers, n });

    const up = httpRequest({ host: upstream.hostname, port: upstream.port, method, path: req.url, headers: req.headers });
    up.on('response', (r) => {
      entry.status = r.statusCode ?? 0;
      res.writeHead(r.statusCode ?? 502, r.headers);
      if (limit === undefined) {
        r.on('data', (chunk: Buffer) => (entry.sentBytes += chunk.length));
        r.pipe(res);
        return;
      }
      r.on('data', (chunk: Buffer) => {
        if (entry.cut) return;
        const room = limit - entry.sentBytes;
        if (chunk.length < room) {
          entry.sentBytes += chunk.length;
          if (!res.write(chunk)) {
            r.pause();
            res.once('drain', () => r.resume());
          }
          return;
        }
        // The last bytes before the break: close only once they are handed to the system, so
        // the client receives exactly `limit` bytes and then loses the connection.
        entry.cut = true;
        entry.sentBytes += room;
        r.destroy();
        res.write(chunk.subarray(0, room), () => res.destroy());
      });
      r.on('end', () => {
        if (!entry.cut) res.end();
      });
    });
    up.on('error', () => res.destroy());
    res.on('close', () => {
      if (!res.writableFinished) up.destroy();
    });
    req.pipe(up);
  });
  const listening = await listenOnLoopback(server);
  return {
    endpoint: listening.endpoint,
    log,
    close() {
      return listening.close();
    },
  };
}
