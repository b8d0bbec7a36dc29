/**
 * The HTTP version the browser actually speaks to the store, from Resource
 * Timing (`nextHopProtocol` of the requests already made to the endpoint).
 * Over HTTP/1.1 Chromium opens at most 6 connections per host, so more
 * requests in flight only queue, and two of them are best kept free for
 * listing and previews; HTTP/2 multiplexes many streams on one connection, so
 * parts, chunk reads and listing ranges can all go at once.
 *
 * The browser tells a page the protocol of a request to another origin only
 * when the response allows it with `Timing-Allow-Origin` (the Resource Timing
 * "timing allow check"; otherwise `nextHopProtocol` is ""). S3 stores do not
 * send that header (Ceph RGW, and so JASMIN's, has no setting for it), so
 * against them the protocol stays 'unknown' and the HTTP/1.1 figures apply,
 * which are right for both: over HTTP/2 they leave some speed unused (folder
 * uploads at 32 requests in flight instead of 16 were ~8% faster in `wan`),
 * never correctness. Measured in `wan` for the Zarr view: 16 chunk reads at
 * once put the first chunk on screen later (their bytes share the link) and
 * the whole slice no sooner than 6.
 */

export type WireProtocol = 'h2' | 'h3' | 'http/1.1' | 'unknown';

/**
 * What the latest request to the endpoint at `endpointUrl` (or a bucket
 * subdomain of it) used: 'unknown' outside a browser or before any request.
 */
export function observedProtocol(endpointUrl: string): WireProtocol {
  const perf = (globalThis as { performance?: Performance }).performance;
  if (!perf || typeof perf.getEntriesByType !== 'function') return 'unknown';
  let host: string;
  try {
    host = new URL(endpointUrl).host;
  } catch {
    return 'unknown';
  }
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

/** Requests in flight for one bulk operation (upload parts, chunk reads, listing ranges). */
export function parallelism(protocol: WireProtocol, kind: 'listing' | 'transfer'): number {
  const multiplexed = protocol === 'h2' || protocol === 'h3';
  if (kind === 'listing') return multiplexed ? 8 : 4;
  return multiplexed ? 32 : 6;
}

/**
 * The protocol of this thread's latest request to a store that reported one:
 * for a worker that talks to one store only (the Zarr worker), whatever URL
 * form its requests take (presigned, virtual-hosted). Requests to the page's
 * own host (the worker's code chunks, such as the blosc decoder loaded while
 * the metadata travels) say nothing about the store and are skipped: over
 * HTTP/2 they had the chunk reads of the first picture go six at a time.
 */
export function latestProtocol(): WireProtocol {
  const g = globalThis as { performance?: Performance; location?: { origin?: string } };
  const perf = g.performance;
  if (!perf || typeof perf.getEntriesByType !== 'function') return 'unknown';
  const own = g.location?.origin;
  const entries = perf.getEntriesByType('resource') as PerformanceResourceTiming[];
  for (let i = entries.length - 1; i >= Math.max(0, entries.length - 50); i--) {
    const e = entries[i]!;
    if (own && own !== 'null' && e.name.startsWith(`${own}/`)) continue;
    const p = e.nextHopProtocol;
    if (p === 'h2' || p === 'h3') return p;
    if (p === 'http/1.1' || p === 'http/1.0') return 'http/1.1';
  }
  return 'unknown';
}

/**
 * Chunk reads in flight for a Zarr slice: every chunk of a slice at once over
 * HTTP/2 (up to 16), `http1` (6) over HTTP/1.1 or before anything is known.
 */
export function chunkLanes(http1 = 6): number {
  const p = latestProtocol();
  return p === 'h2' || p === 'h3' ? 16 : http1;
}
