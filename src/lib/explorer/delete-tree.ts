/**
 * Recursive delete (`s3cmd del -r`, `mc rm --recursive`): the selected objects
 * plus everything under the selected prefixes, in batches of 1,000, falling
 * back to single DELETEs where the batch call is refused (JASMIN at quota).
 */
import type { S3Client } from '../s3/client';
import type { ObjectSummary } from '../s3/ops/list-objects';
import { deleteMany, type DeleteFailure } from '../s3/ops/delete-objects';
import { expandSelection } from './walk';
import { throttle } from '../throttle';

export interface DeleteTreeProgress {
  phase: 'listing' | 'deleting' | 'done';
  objects: number;
  bytes: number;
  deleted: number;
}

export interface DeleteTreeResult extends DeleteTreeProgress {
  errors: DeleteFailure[];
  usedFallback: boolean;
}

export async function deleteTree(
  client: S3Client,
  bucket: string,
  objects: ObjectSummary[],
  prefixes: string[],
  options: { signal?: AbortSignal; onProgress?: (p: DeleteTreeProgress) => void } = {},
): Promise<DeleteTreeResult> {
  const report = throttle(options.onProgress, 150);
  const p: DeleteTreeProgress = { phase: 'listing', objects: 0, bytes: 0, deleted: 0 };
  const all = await expandSelection(client, bucket, objects, prefixes, { signal: options.signal, onProgress: (w) => report.push({ ...p, objects: w.objects, bytes: w.bytes }) });
  p.objects = all.length;
  p.bytes = all.reduce((n, o) => n + Math.max(0, o.size), 0);
  p.phase = 'deleting';
  report.flush({ ...p });
  const r = await deleteMany(client, bucket, all.map((o) => o.key), { signal: options.signal, onProgress: (done) => report.push({ ...p, deleted: done }) });
  const out: DeleteTreeResult = { ...p, phase: 'done', deleted: r.deleted.length, errors: r.errors, usedFallback: r.usedFallback };
  report.flush({ phase: 'done', objects: out.objects, bytes: out.bytes, deleted: out.deleted });
  return out;
}
