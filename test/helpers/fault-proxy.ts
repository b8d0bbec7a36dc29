/**
 * A fault-injecting HTTP proxy in front of the real RGW, for upload tests:
 * it drops connections mid-body, answers 503 SlowDown, stalls requests, and
 * can cut the network for a while. Requests are forwarded byte for byte with
 * their Host header, so SigV4 signatures made for the proxy's address verify
 * at the RGW. It records what the RGW itself answered, per request.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './loopback-server';

export type Fault = { kind: 'drop' } | { kind: 'slowdown' } | { kind: 'stall'; ms: number } | { kind: 'cut'; ms: number };

export interface Forwarded {
  method: string;
  url: URL;
  /** Status the RGW answered; 0 when the request never reached it or was cut. */
  upstreamStatus: number;
  /** Body bytes forwarded to the RGW, and the body's declared length. */
  forwardedBytes: number;
  contentLength: number;
  fault?: Fault['kind'];
}

export interface FaultProxyOptions {
  /** Which requests count for `faults` (default: UploadPart requests). */
  match?: (method: string, url: URL) => boolean;
  /** Fault for the n-th matching request (1-based). */
  faults?: Record<number, Fault>;
}

/**
 * Part numbers whose whole body reached the RGW, with how many times, among
 * these log entries; with `acceptedOnly`, only those the RGW answered 200
 * (a body sent with refused keys is not stored).
 */
export function partsForwarded(log: Forwarded[], options: { acceptedOnly?: boolean } = {}): Map<number, number> {
  const out = new Map<number, number>();
  for (const l of log) {
    if (l.method !== 'PUT' || !l.url.searchParams.has('partNumber') || l.contentLength === 0 || l.forwardedBytes < l.contentLength) continue;
    if (options.acceptedOnly && l.upstreamStatus !== 200) continue;
    const n = Number(l.url.searchParams.get('partNumber'));
    out.set(n, (out.get(n) ?? 0) + 1);
  }
  return out;
}

export interface FaultProxy {
  endpoint: string;
  log: Forwarded[];
  /** Refuse every connection for `ms` from now. */
  cut(ms: number): void;
  /** Change the fault plan (counting restarts). */
  setFaults(faults: Record<number, Fault>): void;
  close(): Promise<void>;
}

const isUploadPart = (method: string, url: URL) => method === 'PUT' && url.searchParams.has('partNumber');

const SLOW_DOWN = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>fault-proxy</RequestId></Error>';

export async function startFaultProxy(target: string, options: FaultProxyOptions = {}): Promise<FaultProxy> {
  const upstream = new URL(target);
  const match = options.match ?? isUploadPart;
  let faults = options.faults ?? {};
  let counter = 0;
  let cutUntil = 0;
  const log: Forwarded[] = [];

  const forward = (req: IncomingMessage, res: ServerResponse, entry: Forwarded, dropAfterBytes?: number) => {
    const up = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers });
    up.on('response', (r) => {
      entry.upstreamStatus = r.statusCode ?? 0;
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    res.on('close', () => {
      if (!res.writableFinished) up.destroy();
    });
    if (dropAfterBytes === undefined) {
      req.on('data', (chunk: Buffer) => (entry.forwardedBytes += chunk.length));
      req.pipe(up);
      return;
    }
    // Forward part of the body, then cut both sides: the RGW never gets the whole part.
    let sent = 0;
    req.on('data', (chunk: Buffer) => {
      if (sent >= dropAfterBytes) return;
      sent += chunk.length;
      entry.forwardedBytes += chunk.length;
      up.write(chunk);
      if (sent >= dropAfterBytes) {
        up.destroy();
        req.socket.destroy();
      }
    });
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', upstream);
    const entry: Forwarded = { method: req.method ?? 'GET', url, upstreamStatus: 0, forwardedBytes: 0, contentLength: Number(req.headers['content-length'] ?? 0) };
    log.push(entry);
    if (Date.now() < cutUntil) {
      entry.fault = 'cut';
      req.socket.destroy();
      return;
    }
    const fault = match(entry.method, url) ? faults[++counter] : undefined;
    entry.fault = fault?.kind;
    switch (fault?.kind) {
      case 'cut':
        cutUntil = Date.now() + fault.ms;
        req.socket.destroy();
        return;
      case 'drop':
        forward(req, res, entry, Math.max(1, Math.floor(Number(req.headers['content-length'] ?? 2) / 2)));
        return;
      case 'slowdown':
        req.resume();
        req.on('end', () => {
          res.writeHead(503, { 'content-type': 'application/xml', 'retry-after': '1' });
          res.end(SLOW_DOWN);
        });
        return;
      case 'stall':
        req.pause();
        setTimeout(() => {
          // The client may have given up meanwhile (reload, abort): then there is nothing to forward.
          if (req.destroyed || res.destroyed || req.socket.destroyed) return;
          forward(req, res, entry);
        }, fault.ms);
        return;
      default:
        forward(req, res, entry);
    }
  });
  const listening = await listenOnLoopback(server);
  return {
    endpoint: listening.endpoint,
    log,
    cut(ms: number) {
      cutUntil = Date.now() + ms;
    },
    setFaults(f) {
      faults = f;
      counter = 0;
    },
    close() {
      return listening.close();
    },
  };
}
