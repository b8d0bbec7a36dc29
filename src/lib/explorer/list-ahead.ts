/**
 * Page through a listing while the page digests the previous page: the next
 * ListObjects request is already on the wire when `onPage` runs, so the round
 * trip to the page (and its rendering) overlaps the store's work instead of
 * adding to it. Pages still reach `onPage` one at a time, in order.
 */
import type { S3Client } from '../s3/client';
import { listPages, type ListObjectsInput, type ListObjectsPage } from '../s3/ops/list-objects';
import { S3Error } from '../s3/errors';
import { presignedListPages } from './list-presigned';

export interface ListAheadSummary {
  pages: number;
  objects: number;
  prefixes: number;
  bytes: number;
  /** Token to continue after the last page delivered (set when `maxPages` stopped the walk). */
  nextToken?: string;
}

export async function listAhead(
  client: S3Client,
  input: ListObjectsInput,
  onPage: (page: ListObjectsPage) => void | Promise<void>,
  options: { signal?: AbortSignal; maxPages?: number } = {},
): Promise<ListAheadSummary> {
  const max = options.maxPages ?? Infinity;
  const summary: ListAheadSummary = { pages: 0, objects: 0, prefixes: 0, bytes: 0 };
  // Presigned pages skip the CORS preflight; a store that refuses them (or V2) gets the signed pager.
  let it: AsyncGenerator<ListObjectsPage> = client.anonymous ? listPages(client, input, { signal: options.signal }) : presignedListPages(client, input, options.signal);
  let pending = it.next();
  if (!client.anonymous) {
    try {
      await pending;
    } catch (e) {
      // Cancelled, or an answer too large or too slow: the signed pager would only meet it again.
      if (e instanceof S3Error && (e.code === 'Aborted' || e.code === 'ResponseTooLarge' || e.code === 'ResponseTimeout')) throw e;
      it = listPages(client, input, { signal: options.signal });
      pending = it.next();
    }
  }
  try {
    for (;;) {
      const r = await pending;
      if (r.done) break;
      const page = r.value;
      summary.pages++;
      const more = summary.pages < max;
      if (more) pending = it.next();
      summary.objects += page.objects.length;
      summary.prefixes += page.prefixes.length;
      for (const o of page.objects) summary.bytes += o.size;
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
