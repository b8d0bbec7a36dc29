import { S3Error } from '../errors';
import { metadataHeaders, operation, unquoteEtag } from '../request';
import { child, parseXml, text } from '../xml';
import { parseErrorXml } from '../client';
import { copySource } from './copy-source';
import { readXmlBody, LONG_OPERATION_IDLE_MS } from '../body';

export interface CopyObjectInput {
  bucket: string;
  key: string;
  sourceBucket: string;
  sourceKey: string;
  sourceVersionId?: string;
  /** Replace metadata and content type (copy-in-place edits need this). */
  metadataDirective?: 'COPY' | 'REPLACE';
  contentType?: string;
  metadata?: Record<string, string>;
  ifMatch?: string;
}

export interface CopyObjectOutput {
  etag: string;
  lastModified?: string;
}

/** CopyObject: server-side copy up to 5 GiB (bigger objects need UploadPartCopy). */
export const CopyObject = operation<CopyObjectInput, CopyObjectOutput>({
  name: 'CopyObject',
  build: (input) => {
    const headers: Record<string, string> = { 'x-amz-copy-source': copySource(input.sourceBucket, input.sourceKey, input.sourceVersionId) };
    if (input.metadataDirective) headers['x-amz-metadata-directive'] = input.metadataDirective;
    if (input.metadataDirective === 'REPLACE') {
      Object.assign(headers, metadataHeaders(input.metadata));
      if (input.contentType) headers['content-type'] = input.contentType;
    }
    if (input.ifMatch) headers['x-amz-copy-source-if-match'] = `"${input.ifMatch}"`;
    return { operation: 'CopyObject', method: 'PUT', bucket: input.bucket, key: input.key, headers };
  },
  async parse(res, input) {
    return parseCopyResult(await readXmlBody(res, 'CopyObject', { bucket: input.bucket, key: input.key }, { ownErrors: true, idleMs: LONG_OPERATION_IDLE_MS }), 'CopyObject', input.bucket, input.key, 'CopyObjectResult');
  },
});

/** Copy results can be a 200 carrying `<Error>` (the copy failed after headers were sent). */
export function parseCopyResult(xml: string, operationName: string, bucket: string, key: string, rootTag: string): CopyObjectOutput {
  const err = parseErrorXml(xml);
  if (err) throw new S3Error({ operation: operationName, status: 200, code: err.code, message: err.message, requestId: err.requestId, bucket, key });
  const root = child(parseXml(xml), rootTag);
  const etag = unquoteEtag(text(root, 'ETag'));
  if (!root || !etag) throw new S3Error({ operation: operationName, status: 200, code: 'InvalidResponse', bucket, key, retryable: false });
  return { etag, lastModified: text(root, 'LastModified') };
}
