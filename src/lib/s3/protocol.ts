/**
 * The HTTP version the browser actually speaks to the store. Over HTTP/1.1
 * Chromium opens at most 6 connections per host, so more requests in flight
 * only queue; HTTP/2 multiplexes many streams on one connection, so more
 * parts and listing ranges can go at once.
 *
 * Two ways to tell, since the obvious one rarely answers:
 * - Resource Timing's `nextHopProtocol`. The browser reports it for a request
 *   to another origin only when the response allows it with
 *   `Timing-Allow-Origin` (the "timing allow check"; otherwise it is ""). S3
 *   stores do not send that header (Ceph RGW, and so JASMIN's, has no setting
 *   for it), so against a store this is almost always silent.
 * - The status line (`noteResponse`). HTTP/2 and HTTP/3 have no reason phrase,
 *   so the browser gives their responses an empty `statusText`; HTTP/1.1
 *   responses carry one ("OK", "Partial Content": RGW, nginx and HAProxy all
 *   send it). Checked in Chromium through the TLS front of scripts/net.sh:
 *   "" over HTTP/2 (fetch and XMLHttpRequest alike), "OK" over HTTP/1.1.
 *
 * Which requests note it: the S3 worker's (every call through `S3Client`) and
 * the Zarr worker's chunk and metadata reads (`fetchKey`).
 */

export type WireProtocol = 'h2' | 'h3' | 'http/1.1' | 'unknown';

/**
 * What the latest request to the endpoint at `endpointUrl` (or a bucket
 * subdomain of it) used: 'unknown' outside a browser or before any request.
 */
export function observedProtocol(endpointUrl: string): WireProtocol {
  let host: string;
  try {
    host = new URL(endpointUrl).host;
  } catch {
    return 'unknown';
  }
  const timed = timedProtocol(host);
  if (timed !== 'unknown') return timed;
  for (const [h, p] of [...spoken].reverse()) if (h === host || h.endsWith(`.${host}`)) return p;
  return 'unknown';
}

/** What Resource Timing says of the latest request to `host` or a bucket subdomain of it (where the store allows timing). */
function timedProtocol(host: string): WireProtocol {
  const perf = (globalThis as { performance?: Performance }).performance;
  if (!perf || typeof perf.getEntriesByType !== 'function') return 'unknown';
  const entries = perf.getEntriesByType('resource') as PerformanceResourceTiming[];
  for (let i = entries.length - 1; i >= Math.max(0, entries.length - 200); i--) {
    const e = entries[i]!;
    let h: string;
    try {
      h = new URL(e.name).host;
    } catch {
      continue;
    }
    if (h !== host && !h.endsWith(`.${host}`)) continue;
    const p = e.nextHopProtocol;
    if (p === 'h2' || p === 'h3') return p;
    if (p === 'http/1.1' || p === 'http/1.0') return 'http/1.1';
  }
  return 'unknown';
}

/** The protocol each host's latest response spoke, as its status line tells (most recent last). */
const spoken = new Map<string, WireProtocol>();
/** Hosts remembered at most (one store per connection, plus bucket subdomains). */
const SPOKEN_HOSTS = 64;

/**
 * Note the protocol a response from `url` came over, from its status line:
 * no reason phrase is HTTP/2 or HTTP/3 (noted 'h2': they multiplex alike),
 * one is HTTP/1.1. Only responses that came from the network count: not
 * opaque ones (no status at all), not responses made up in code (type
 * "default"; XMLHttpRequest's are noted by the caller as 'cors').
 */
export function noteResponse(url: string, res: { status: number; statusText: string; type?: string }): void {
  if (res.status < 100 || (res.type !== 'cors' && res.type !== 'basic')) return;
  let host: string;
  try {
    host = new URL(url).host;
  } catch {
    return;
  }
  const p: WireProtocol = res.statusText === '' ? 'h2' : 'http/1.1';
  spoken.delete(host);
  spoken.set(host, p);
  if (spoken.size > SPOKEN_HOSTS) spoken.delete(spoken.keys().next().value!);
}

/**
 * The protocol as a user reads it ("" when unknown). A response noted from its
 * status line over HTTP/3 reads as HTTP/2: neither has a reason phrase.
 */
export function protocolName(p: WireProtocol): string {
  return p === 'h2' ? 'HTTP/2' : p === 'h3' ? 'HTTP/3' : p === 'http/1.1' ? 'HTTP/1.1' : '';
}

/** Forget what responses said (tests). */
export function forgetProtocols(): void {
  spoken.clear();
}

/**
 * Requests in flight for one bulk operation (upload parts and files, listing
 * ranges).
 *
 * Over HTTP/2, 32 uploads; the bytes in flight stay bounded by the upload
 * engine's `maxBytes`. (The figures first measured for it, a `wan` folder of
 * 398 objects in 3.32-3.45 s against 3.72-3.82 s with 16, ran while a
 * scheduler bug left both bounds off after the first setting, with up to 64
 * files at once: see bench/upload.ts for today's.)
 *
 * Over HTTP/1.1 (or an unknown protocol), 6 uploads: Chromium opens at most 6
 * connections per host, and a request beyond them waits inside the browser,
 * where nothing tells it from a stuck one, so the stall bound (UPLOAD_STALL_MS)
 * would count its wait: through `home` over HTTP/1.1 (20 Mbit/s up, a 256 MiB
 * file in 16 MiB parts, bench/upload.ts with TESSERA_BENCH_FRONT=h1 and
 * Chromium's net log), 16 in flight had the 10 parts queued behind the first
 * 6 cut at 30 s and sent again, 4 of them twice. Of those 6, at most 4 carry
 * big bodies (`longTransfers`), so 2 stay free for the listings and previews
 * the user opens meanwhile. Every PUT there pays a preflight round trip on its
 * connection, so small files want every connection: the 398-file folder
 * through `wan` over HTTP/1.1 (fresh keys every round, medians of 3) took
 * 6.49 s with 4 in flight, 4.70 s with 6 and 4.53 s with 16 (`aws s3 sync`,
 * 10 connections and no preflights: 3.56 s).
 */
export function parallelism(protocol: WireProtocol, kind: 'listing' | 'transfer'): number {
  if (kind === 'listing') return multiplexed(protocol) ? 8 : 4;
  return multiplexed(protocol) ? 32 : 6;
}

/** Many requests share one connection (HTTP/2, HTTP/3): none waits for a connection of its own. */
function multiplexed(protocol: WireProtocol): boolean {
  return protocol === 'h2' || protocol === 'h3';
}

/**
 * Bodies above this size count as long requests: on a home uplink of
 * 20 Mbit/s shared by 6 connections, 4 MiB take about 10 s to send.
 */
export const LONG_BODY_BYTES = 4 * 1024 * 1024;

/**
 * How many long uploads (big files, parts) may be in flight at once, beside
 * small ones: over HTTP/1.1, 4 of the 6 connections, so 2 stay free of long
 * requests for the listings and previews the user opens meanwhile (each of
 * those waits at most for a small body, not for a 16 MiB part crossing a slow
 * uplink: a listing page has 30 s to answer). Over HTTP/2, no such limit
 * (null): requests do not wait for connections there.
 */
export function longTransfers(protocol: WireProtocol): { bytes: number; max: number } | null {
  return multiplexed(protocol) ? null : { bytes: LONG_BODY_BYTES, max: 4 };
}

/**
 * Chunk reads in flight for a Zarr slice, over HTTP/1.1 and HTTP/2 alike.
 * Measured in `wan` (20 ms, HTTP/2, bench/zarr.ts, 7 rounds interleaved with
 * 6): 16 at once put the first chunk on screen 40-60 ms later, their bytes
 * sharing the link, with or without fetch priorities, and drew the whole slice
 * no sooner. Over HTTP/1.1 six is Chromium's limit per host.
 */
export const CHUNK_LANES = 6;
