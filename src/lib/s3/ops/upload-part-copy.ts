import { operation } from '../request';
import { copySource } from './copy-source';
import { parseCopyResult, type CopyObjectOutput } from './copy-object';
import { readXmlBody, LONG_OPERATION_IDLE_MS } from '../body';

export interface UploadPartCopyInput {
  bucket: string;
  key: string;
  uploadId: string;
  partNumber: number;
  sourceBucket: string;
  sourceKey: string;
  /** Inclusive byte range of the source. */
  range: { start: number; end: number };
  /** Copy only from this version of the source (its ETag): a source rewritten mid-copy fails with 412. */
  ifMatch?: string;
}

/** UploadPartCopy: server-side copy of a byte range into a part (copies above 5 GiB). */
export const UploadPartCopy = operation<UploadPartCopyInput, CopyObjectOutput>({
  name: 'UploadPartCopy',
  build: (input) => ({
    operation: 'UploadPartCopy',
    method: 'PUT',
    bucket: input.bucket,
    key: input.key,
    query: { partNumber: String(input.partNumber), uploadId: input.uploadId },
    headers: {
      'x-amz-copy-source': copySource(input.sourceBucket, input.sourceKey),
      'x-amz-copy-source-range': `bytes=${input.range.start}-${input.range.end}`,
      ...(input.ifMatch ? { 'x-amz-copy-source-if-match': `"${input.ifMatch}"` } : {}),
    },
  }),
  async parse(res, input) {
    return parseCopyResult(await readXmlBody(res, 'UploadPartCopy', { bucket: input.bucket, key: input.key }, { ownErrors: true, idleMs: LONG_OPERATION_IDLE_MS }), 'UploadPartCopy', input.bucket, input.key, 'CopyPartResult');
  },
});
