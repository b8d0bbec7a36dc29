/**
 * Incomplete multipart uploads of a bucket: what each holds (they count
 * against quota until aborted) and whether it is one of ours (so it can be
 * resumed instead of thrown away).
 */
import type { S3Client, SendOptions } from '../s3/client';
import { AbortMultipartUpload, listAllMultipartUploads, listAllParts } from '../s3/ops/index';
import { S3Error } from '../s3/errors';

export interface IncompleteUpload {
  key: string;
  uploadId: string;
  initiated?: string;
  parts: number;
  bytes: number;
  /** Id of our upload record when Tessera started it and still knows it. */
  recordId?: string;
}

export async function listIncomplete(client: S3Client, bucket: string, ours: Map<string, string>, options: SendOptions & { prefix?: string; concurrency?: number } = {}): Promise<IncompleteUpload[]> {
  const uploads = await listAllMultipartUploads(client, { bucket, prefix: options.prefix }, options);
  const out: IncompleteUpload[] = uploads.map((u) => ({ key: u.key, uploadId: u.uploadId, initiated: u.initiated, parts: 0, bytes: 0, recordId: ours.get(u.uploadId) }));
  let next = 0;
  const worker = async () => {
    while (next < out.length) {
      const u = out[next++]!;
      try {
        const parts = await listAllParts(client, { bucket, key: u.key, uploadId: u.uploadId }, options);
        u.parts = parts.length;
        u.bytes = parts.reduce((s, p) => s + p.size, 0);
      } catch (e) {
        // Completed or aborted between the two listings: it holds nothing any more.
        if (!(e instanceof S3Error && e.code === 'NoSuchUpload')) throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 8, out.length) }, worker));
  return out;
}

/** Abort an upload and check that the store holds none of its parts any more. */
export async function abortIncomplete(client: S3Client, bucket: string, key: string, uploadId: string, options: SendOptions = {}): Promise<void> {
  // A part still on the wire when Abort lands can survive it (AWS documents
  // this); abort again until ListParts says the upload is gone.
  for (let i = 0; i < 3; i++) {
    try {
      await client.send(AbortMultipartUpload, { bucket, key, uploadId }, options);
    } catch (e) {
      if (!(e instanceof S3Error && (e.code === 'NoSuchUpload' || e.code === 'NoSuchKey'))) throw e;
    }
    try {
      const left = await listAllParts(client, { bucket, key, uploadId }, options);
      if (left.length === 0 && i > 0) return;
    } catch (e) {
      if (e instanceof S3Error && e.code === 'NoSuchUpload') return;
      throw e;
    }
  }
}
