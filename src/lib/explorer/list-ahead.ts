/**
 * Page through a listing while the page digests the previous page: the next
 * ListObjects request is already on the wire when `onPage` runs, so the round
 * trip to the page (and its rendering) overlaps the store's work instead of
 * adding to it. Pages still reach `onPage` one at a time, in order.
 *
 * With `concurrency` above 1 and no page limit, a long listing is walked as
 * several key ranges at once after its first page (key-ranges.ts): a listing
 * of N pages then costs about N / concurrency round trips instead of N.
 */
import type { S3Client } from '../s3/client';
import type { WireProtocol } from '../s3/protocol';
import { listPages, ListObjectsV2, type ListObjectsInput, type ListObjectsPage } from '../s3/ops/list-objects';
import { endsListing, presignedListPage, presignedListPages } from './list-presigned';
import { keySpaceFor, walkRanges, type FetchPage } from './key-ranges';

export interface ListAheadSummary {
  pages: number;
  objects: number;
  prefixes: number;
  bytes: number;
  /** Token to continue after the last page delivered (set when `maxPages` stopped the walk). */
  nextToken?: string;
  /** Key ranges walked side by side after the first page (0: paged serially). */
  ranges?: number;
  /** The HTTP the store answered over, as far as the browser told (see lib/s3/protocol.ts). */
  protocol?: WireProtocol;
}

export interface ListAheadOptions {
  signal?: AbortSignal;
  maxPages?: number;
  /** ListObjects requests in flight at once for a long listing (default 1: one page after another). */
  concurrency?: number;
}

export async function listAhead(client: S3Client, input: ListObjectsInput, onPage: (page: ListObjectsPage) => void | Promise<void>, options: ListAheadOptions = {}): Promise<ListAheadSummary> {
  const max = options.maxPages ?? Infinity;
  const summary: ListAheadSummary = { pages: 0, objects: 0, prefixes: 0, bytes: 0 };
  // Presigned pages skip the CORS preflight; a store that refuses them (or V2) gets the signed pager.
  let presigned = !client.anonymous;
  let it: AsyncGenerator<ListObjectsPage> = presigned ? presignedListPages(client, input, options.signal) : listPages(client, input, { signal: options.signal });
  let pending = it.next();
  if (presigned) {
    try {
      await pending;
    } catch (e) {
      // Cancelled, or an answer too large or too slow: the signed pager would only meet it again.
      if (endsListing(e)) throw e;
      presigned = false;
      it = listPages(client, input, { signal: options.signal });
      pending = it.next();
    }
  }
  const count = (page: ListObjectsPage): void => {
    summary.pages++;
    summary.objects += page.objects.length;
    summary.prefixes += page.prefixes.length;
    for (const o of page.objects) summary.bytes += o.size;
  };
  try {
    const concurrency = options.concurrency ?? 1;
    if (concurrency > 1 && max === Infinity) {
      const r = await pending;
      if (r.done) return summary;
      const first = r.value;
      const space = first.api === 'v2' ? keySpaceFor(input, first) : null;
      if (space) {
        // The serial pager has nothing in flight (its next page was not asked for yet).
        await it.return(undefined);
        const fetchPage: FetchPage = presigned ? (i, signal) => presignedListPage(client, i, signal) : (i, signal) => client.send(ListObjectsV2, i, { signal });
        const walker = walkRanges(fetchPage, { ...input, continuationToken: undefined }, first, space, { concurrency, signal: options.signal });
        // Start the ranges before the first page is digested.
        let next = walker.next();
        count(first);
        await onPage(first);
        try {
          for (;;) {
            const w = await next;
            if (w.done) break;
            next = walker.next();
            count(w.value);
            await onPage(w.value);
          }
        } finally {
          await walker.return(undefined).catch(() => undefined);
        }
        summary.ranges = concurrency;
        return summary;
      }
      // No guess to make: page on serially from here.
      pending = Promise.resolve(r);
    }
    for (;;) {
      const r = await pending;
      if (r.done) break;
      const page = r.value;
      const more = summary.pages + 1 < max;
      if (more) pending = it.next();
      count(page);
      await onPage(page);
      if (!more) {
        summary.nextToken = page.isTruncated ? page.nextToken : undefined;
        break;
      }
    }
  } finally {
    // Leave no request running when the caller stops early or fails.
    await it.return(undefined).catch(() => undefined);
  }
  return summary;
}
