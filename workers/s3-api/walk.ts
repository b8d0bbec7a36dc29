/**
 * `walk.*`: recursive walks over a prefix (`du`, `find`) and the Explorer's
 * read-ahead listing, posting compact progress and batches.
 */
import { CLIENT, type S3Service } from '../../src/lib/s3/service';
import type { ListObjectsInput, ListObjectsPage, ObjectSummary } from '../../src/lib/s3/ops/list-objects';
import { du, find, type FindResult, type WalkProgress } from '../../src/lib/explorer/walk';
import { listAhead, type ListAheadSummary } from '../../src/lib/explorer/list-ahead';
import { observedProtocol, parallelism } from '../../src/lib/s3/protocol';
import type { OpOptions, ProgressOptions } from './options';

export function walkApi(s3: S3Service) {
  return {
    /** Object count and bytes under a prefix (`du`). */
    du({ bucket, prefix, onProgress, opId }: { bucket: string; prefix: string } & ProgressOptions<WalkProgress>): Promise<WalkProgress> {
      return s3.run(opId, (signal) => du(s3[CLIENT](), bucket, prefix, { signal, onProgress }));
    },

    /** Keys under a prefix containing a substring (`*`/`?` wildcards), matches posted in batches. */
    find({ bucket, prefix, needle, onMatches, onProgress, opId }: { bucket: string; prefix: string; needle: string; onMatches: (m: ObjectSummary[]) => void } & ProgressOptions<WalkProgress>): Promise<FindResult> {
      return s3.run(opId, (signal) => find(s3[CLIENT](), bucket, prefix, needle, { signal, onMatches, onProgress }));
    },

    /**
     * Like `objects.list`, but the next page is fetched while the page digests this one (the Explorer's table);
     * a long listing is walked as several key ranges at once, more of them over HTTP/2.
     */
    listAhead({ input, onPage, opId, maxPages }: { input: ListObjectsInput; onPage: (page: ListObjectsPage) => void | Promise<void>; maxPages?: number } & OpOptions): Promise<ListAheadSummary> {
      const client = s3[CLIENT]();
      const concurrency = parallelism(observedProtocol(client.endpoint.url), 'listing');
      return s3.run(opId, async (signal) => ({ ...(await listAhead(client, input, onPage, { signal, maxPages, concurrency })), protocol: observedProtocol(client.endpoint.url) }));
    },
  };
}
