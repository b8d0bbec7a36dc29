/**
 * ListObjects pages fetched through query-presigned URLs. A request signed in
 * its headers is never a CORS "simple request", so the browser sends a
 * preflight OPTIONS before it, and since every page has a different URL
 * (its continuation token) the preflight cache never helps: a 100,000-key
 * listing costs 200 round trips. A presigned GET carries no custom header and
 * needs no preflight (FIELD-NOTES §2), halving the round trips.
 *
 * If the first presigned page fails for want of a readable answer, callers
 * fall back to the ordinary signed pager.
 */
import type { S3Client } from '../s3/client';
import { errorFromResponse, redirectedError } from '../s3/client';
import { S3Error, abortedError } from '../s3/errors';
import { ListObjectsV2, listPages, type ListObjectsInput, type ListObjectsPage } from '../s3/ops/list-objects';
import { sleep } from '../s3/retry';
import { withHeadersTimeout } from '../s3/body';
import { noteResponse } from '../s3/protocol';

/** Presigned URLs here only have to outlive one request. */
const EXPIRES = 900;

export async function presignedListPage(client: S3Client, input: ListObjectsInput, signal?: AbortSignal): Promise<ListObjectsPage> {
  const req = ListObjectsV2.build(input);
  for (let attempt = 0; ; attempt++) {
    if (signal?.aborted) throw abortedError(req.operation);
    let error: S3Error;
    try {
      const url = await client.presign(req, EXPIRES);
      const res = await withHeadersTimeout((sig) => fetch(url, { signal: sig, cache: 'no-store', redirect: 'manual' }), { operation: req.operation, bucket: input.bucket }, signal);
      // Its status line says which HTTP the store speaks (see protocol.ts).
      noteResponse(url, res);
      if (res.type === 'opaqueredirect') throw redirectedError(req);
      if (res.ok) return await ListObjectsV2.parse(res, input);
      error = await errorFromResponse(req, res);
    } catch (e) {
      if (signal?.aborted) throw abortedError(req.operation);
      if (e instanceof S3Error) error = e;
      else error = new S3Error({ operation: req.operation, status: 0, code: 'NetworkError', bucket: req.bucket, retryable: true }, { cause: e });
    }
    if (!error.retryable || attempt >= 2) throw error;
    await sleep(200 * 2 ** attempt, signal).catch(() => {
      throw abortedError(req.operation);
    });
  }
}

/** Every page of a V2 listing, via presigned GETs. */
export async function* presignedListPages(client: S3Client, input: ListObjectsInput, signal?: AbortSignal): AsyncGenerator<ListObjectsPage> {
  let token = input.continuationToken;
  for (;;) {
    const page = await presignedListPage(client, { ...input, continuationToken: token }, signal);
    yield page;
    if (!page.isTruncated || !page.nextToken) return;
    token = page.nextToken;
  }
}

/** Failures the header-signed pager would only meet again: no point falling back to it. */
export function endsListing(e: unknown): boolean {
  return e instanceof S3Error && (e.code === 'Aborted' || e.code === 'ResponseTooLarge' || e.code === 'ResponseTimeout');
}

/**
 * Every page of a listing without a preflight per page: presigned GETs, or
 * header-signed pages where the store refuses the presigned first page (an
 * anonymous connection's plain GETs need no preflight either).
 */
export async function* listPagesUnpreflighted(client: S3Client, input: ListObjectsInput, signal?: AbortSignal): AsyncGenerator<ListObjectsPage> {
  if (client.anonymous) {
    yield* listPages(client, input, { signal });
    return;
  }
  const pages = presignedListPages(client, input, signal);
  let first: IteratorResult<ListObjectsPage>;
  try {
    first = await pages.next();
  } catch (e) {
    if (endsListing(e)) throw e;
    yield* listPages(client, input, { signal });
    return;
  }
  if (first.done) return;
  yield first.value;
  yield* pages;
}
