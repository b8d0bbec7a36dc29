/**
 * A hostile S3 endpoint for tests: a small Node HTTP server that speaks
 * enough S3 (ListBuckets, ListObjectsV2, HEAD and GET with ranges, CORS
 * preflights for any origin) for Tessera to connect to it with any keys,
 * and whose answers per bucket and key are hostile: entity bombs, endless or
 * lying bodies, silence, redirects, absurd Zarr metadata, compression bombs,
 * names made to run or to mislead. Big answers are generated as streams and
 * stop as soon as the client hangs up; `sent` records how far they got.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Readable } from 'node:stream';
import { createDeflate, createGzip } from 'node:zlib';

type Handler = (req: IncomingMessage, res: ServerResponse, ctx: Ctx) => void | Promise<void>;
interface Ctx {
  bucket: string;
  key: string;
  query: URLSearchParams;
  base: string;
  origin: string;
}
export interface HostileBucket {
  objects?: Record<string, Uint8Array | string | Handler>;
  /** Replaces the listing of this bucket. */
  list?: Handler;
}

const enc = new TextEncoder();
const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function listingXml(bucket: string, keys: { key: string; size: number }[], prefixes: string[] = [], prefix = '', encode = false): string {
  const e = (s: string) => (encode ? encodeURIComponent(s) : xmlEscape(s));
  return `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${bucket}</Name><Prefix>${e(prefix)}</Prefix><KeyCount>${keys.length + prefixes.length}</KeyCount><MaxKeys>1000</MaxKeys>${encode ? '<EncodingType>url</EncodingType>' : ''}<IsTruncated>false</IsTruncated>${keys
    .map((k) => `<Contents><Key>${e(k.key)}</Key><LastModified>2026-01-01T00:00:00.000Z</LastModified><ETag>"0123456789abcdef0123456789abcdef"</ETag><Size>${k.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`)
    .join('')}${prefixes.map((p) => `<CommonPrefixes><Prefix>${e(p)}</Prefix></CommonPrefixes>`).join('')}</ListBucketResult>`;
}

function bodyOf(v: Uint8Array | string): Uint8Array {
  return typeof v === 'string' ? enc.encode(v) : v;
}

/** Write `total` bytes made by `piece(i)` with back-pressure, stopping when the client hangs up. */
export async function streamOut(res: ServerResponse, head: string, piece: (i: number) => string, total: number, tail: string, onSent: (n: number) => void): Promise<void> {
  let sent = 0;
  let closed = false;
  res.on('close', () => (closed = true));
  const write = (s: string) => {
    sent += Buffer.byteLength(s);
    onSent(sent);
    return res.write(s);
  };
  if (!write(head)) await new Promise((r) => res.once('drain', r));
  for (let i = 0; sent < total && !closed; i++) {
    if (!write(piece(i))) {
      await new Promise<void>((r) => {
        const done = () => {
          res.off('drain', done);
          res.off('close', done);
          r();
        };
        res.on('drain', done);
        res.on('close', done);
      });
    }
  }
  if (!closed) res.end(tail);
}

/** A deflate or gzip stream of `mib` MiB of zeros, made once (streamed, never held uncompressed). */
export async function zeroBomb(kind: 'zlib' | 'gzip', mib: number): Promise<Uint8Array> {
  const zero = Buffer.alloc(1 << 20);
  let left = mib;
  const src = new Readable({ read() { this.push(left-- > 0 ? zero : null); } });
  const out: Buffer[] = [];
  for await (const c of src.pipe(kind === 'zlib' ? createDeflate({ level: 9 }) : createGzip({ level: 9 }))) out.push(c as Buffer);
  return new Uint8Array(Buffer.concat(out));
}

export interface HostileServer {
  url: string;
  /** The same server under another origin (`localhost` instead of `127.0.0.1`). */
  otherOrigin: string;
  /** Bytes written so far per named stream. */
  sent: Map<string, number>;
  /** Requests that reached places nothing should reach (`/__leak`, redirect targets). */
  leaks: string[];
  buckets: Map<string, HostileBucket>;
  close(): Promise<void>;
}

function cors(req: IncomingMessage, res: ServerResponse): void {
  const origin = req.headers.origin;
  if (!origin) return;
  res.setHeader('access-control-allow-origin', origin);
  res.setHeader('access-control-expose-headers', 'ETag, Content-Length, Content-Range, Date, x-amz-request-id, x-amz-meta-note, x-amz-meta-link');
  res.setHeader('vary', 'Origin');
}

export async function startHostileS3(buckets: Map<string, HostileBucket>): Promise<HostileServer> {
  const sockets = new Set<Socket>();
  const sent = new Map<string, number>();
  const leaks: string[] = [];
  let port = 0;
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname.startsWith('/__leak') || req.headers.host?.startsWith('localhost')) {
        leaks.push(`${req.method} ${req.headers.host}${req.url} auth=${req.headers.authorization ? 'yes' : 'no'}`);
      }
      cors(req, res);
      if (req.method === 'OPTIONS') {
        res.setHeader('access-control-allow-methods', 'GET, HEAD, PUT, POST, DELETE');
        res.setHeader('access-control-allow-headers', req.headers['access-control-request-headers'] ?? '*');
        res.setHeader('access-control-max-age', '600');
        res.writeHead(200).end();
        return;
      }
      const parts = url.pathname.split('/');
      const bucket = decodeURIComponent(parts[1] ?? '');
      const key = parts.slice(2).map(decodeURIComponent).join('/');
      const ctx: Ctx = { bucket, key, query: url.searchParams, base: `http://127.0.0.1:${port}`, origin: `http://localhost:${port}` };
      if (!bucket) {
        const names = [...buckets.keys()].map((b) => `<Bucket><Name>${b}</Name><CreationDate>2026-01-01T00:00:00.000Z</CreationDate></Bucket>`).join('');
        res.writeHead(200, { 'content-type': 'application/xml' }).end(`<?xml version="1.0" encoding="UTF-8"?><ListAllMyBucketsResult><Owner><ID>x</ID></Owner><Buckets>${names}</Buckets></ListAllMyBucketsResult>`);
        return;
      }
      const b = buckets.get(bucket);
      if (!b) {
        res.writeHead(404, { 'content-type': 'application/xml' }).end('<?xml version="1.0"?><Error><Code>NoSuchBucket</Code><Message></Message></Error>');
        return;
      }
      if (!key) {
        if (b.list) return b.list(req, res, ctx);
        const prefix = url.searchParams.get('prefix') ?? '';
        const delimiter = url.searchParams.get('delimiter') ?? '';
        const keys: { key: string; size: number }[] = [];
        const prefixes = new Set<string>();
        for (const [k, v] of Object.entries(b.objects ?? {})) {
          if (!k.startsWith(prefix)) continue;
          const rest = k.slice(prefix.length);
          const cut = delimiter ? rest.indexOf(delimiter) : -1;
          if (cut >= 0) prefixes.add(prefix + rest.slice(0, cut + 1));
          else keys.push({ key: k, size: typeof v === 'function' ? 1 : bodyOf(v).byteLength });
        }
        res.writeHead(200, { 'content-type': 'application/xml' }).end(listingXml(bucket, keys, [...prefixes], prefix, url.searchParams.get('encoding-type') === 'url'));
        return;
      }
      const obj = b.objects?.[key];
      if (obj === undefined) {
        res.writeHead(404, { 'content-type': 'application/xml' }).end('<?xml version="1.0"?><Error><Code>NoSuchKey</Code><Message></Message></Error>');
        return;
      }
      if (typeof obj === 'function') return obj(req, res, ctx);
      const body = bodyOf(obj);
      const headers: Record<string, string> = { 'content-type': 'application/octet-stream', etag: '"0123456789abcdef0123456789abcdef"', 'last-modified': 'Thu, 01 Jan 2026 00:00:00 GMT', 'accept-ranges': 'bytes' };
      const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
      if (range) {
        const start = Number(range[1]);
        const end = Math.min(range[2] ? Number(range[2]) : body.byteLength - 1, body.byteLength - 1);
        res.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${end}/${body.byteLength}`, 'content-length': String(end - start + 1) });
        res.end(req.method === 'HEAD' ? undefined : body.subarray(start, end + 1));
        return;
      }
      res.writeHead(200, { ...headers, 'content-length': String(body.byteLength) });
      res.end(req.method === 'HEAD' ? undefined : body);
    })().catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(e));
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  // The other origin: the same port on localhost (IPv4 only, as the server listens).
  return {
    url: `http://127.0.0.1:${port}`,
    otherOrigin: `http://localhost:${port}`,
    sent,
    leaks,
    buckets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
