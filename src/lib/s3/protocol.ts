/**
 * The HTTP version the browser actually speaks to the store, from Resource
 * Timing (`nextHopProtocol` of the requests already made to the endpoint; it
 * is reported for cross-origin requests too). Over HTTP/1.1 Chromium opens at
 * most 6 connections per host, so more requests in flight only queue, and two
 * of them are best kept free for listing and previews; HTTP/2 multiplexes
 * many streams on one connection, so parts, chunk reads and listing ranges
 * can all go at once.
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
 * The protocol of this thread's latest request that reported one: for a
 * worker that talks to one store only (the Zarr worker), whatever URL form
 * its requests take (presigned, virtual-hosted).
 */
export function latestProtocol(): WireProtocol {
  const perf = (globalThis as { performance?: Performance }).performance;
  if (!perf || typeof perf.getEntriesByType !== 'function') return 'unknown';
  const entries = perf.getEntriesByType('resource') as PerformanceResourceTiming[];
  for (let i = entries.length - 1; i >= Math.max(0, entries.length - 50); i--) {
    const p = entries[i]!.nextHopProtocol;
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
