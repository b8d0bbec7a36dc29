/**
 * A slow link in front of the real RGW, for tests of what the page shows
 * while bytes are on the wire: request bodies are forwarded at a set rate
 * (shared by every request, like one uplink, or each request's own), byte for byte with their Host
 * header so SigV4 signatures made for the proxy's address verify at the RGW.
 * It records each request and when the RGW's answer came back, so a test can
 * tell "bytes are moving" from "a part was stored". `setRate(Infinity)` opens
 * the link at once (held chunks go on).
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './loopback-server';
import { Transform } from 'node:stream';

export interface ThrottledRequest {
  method: string;
  url: URL;
  /** Declared body length, and the body bytes passed on to the RGW so far. */
  contentLength: number;
  forwardedBytes: number;
  /** Status the RGW answered; 0 while no answer has come back. */
  status: number;
}

export interface ThrottleProxy {
  endpoint: string;
  log: ThrottledRequest[];
  /** Bytes per second for every body together from now on (Infinity: no limit). */
  setRate(bytesPerSecond: number): void;
  close(): Promise<void>;
}

export async function startThrottleProxy(target: string, options: { bytesPerSecond: number; perRequest?: boolean }): Promise<ThrottleProxy> {
  const upstream = new URL(target);
  let rate = options.bytesPerSecond;
  /** When the link is free again (ms since the epoch): every chunk books its time on it. */
  const shared = { freeAt: 0 };
  const held = new Set<{ timer: ReturnType<typeof setTimeout>; go: () => void }>();
  const log: ThrottledRequest[] = [];

  const throttle = (entry: ThrottledRequest) => {
    const link = options.perRequest ? { freeAt: 0 } : shared;
    return new Transform({
      transform(chunk: Buffer, _encoding, done) {
        const pass = () => {
          entry.forwardedBytes += chunk.length;
          done(null, chunk);
        };
        if (!Number.isFinite(rate)) return pass();
        const now = Date.now();
        link.freeAt = Math.max(link.freeAt, now) + (chunk.length / rate) * 1000;
        const wait = link.freeAt - now;
        if (wait < 1) return pass();
        const h = {
          timer: setTimeout(() => {
            held.delete(h);
            pass();
          }, wait),
          go: pass,
        };
        held.add(h);
      },
    });
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', upstream);
    const entry: ThrottledRequest = { method: req.method ?? 'GET', url, contentLength: Number(req.headers['content-length'] ?? 0), forwardedBytes: 0, status: 0 };
    log.push(entry);
    const up = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers });
    up.on('response', (r) => {
      entry.status = r.statusCode ?? 502;
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    res.on('close', () => {
      if (!res.writableFinished) up.destroy();
    });
    req.pipe(throttle(entry)).pipe(up);
  });
  const listening = await listenOnLoopback(server);
  return {
    endpoint: listening.endpoint,
    log,
    setRate(bytesPerSecond) {
      rate = bytesPerSecond;
      shared.freeAt = 0;
      if (Number.isFinite(rate)) return;
      for (const h of held) {
        clearTimeout(h.timer);
        h.go();
      }
      held.clear();
    },
    close() {
      for (const h of held) clearTimeout(h.timer);
      held.clear();
      return listening.close();
    },
  };
}
