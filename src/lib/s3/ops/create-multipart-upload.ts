import { S3Error } from '../errors';
import { metadataHeaders, operation } from '../request';
import { child, parseXml, text } from '../xml';
import { readXmlBody } from '../body';

export interface CreateMultipartUploadInput {
  bucket: string;
  key: string;
  contentType?: string;
  metadata?: Record<string, string>;
  acl?: string;
  headers?: Record<string, string>;
}

export interface CreateMultipartUploadOutput {
  uploadId: string;
}

/** CreateMultipartUpload (`POST ?uploads`). */
export const CreateMultipartUpload = operation<CreateMultipartUploadInput, CreateMultipartUploadOutput>({
  name: 'CreateMultipartUpload',
  build: (input) => {
    const headers: Record<string, string> = { ...metadataHeaders(input.metadata), ...input.headers };
    headers['content-type'] = input.contentType || 'application/octet-stream';
    if (input.acl) headers['x-amz-acl'] = input.acl;
    return { operation: 'CreateMultipartUpload', method: 'POST', bucket: input.bucket, key: input.key, query: { uploads: '' }, headers };
  },
  async parse(res, input) {
    const root = child(parseXml(await readXmlBody(res, 'CreateMultipartUpload')), 'InitiateMultipartUploadResult');
    const uploadId = text(root, 'UploadId');
    if (!uploadId) throw new S3Error({ operation: 'CreateMultipartUpload', status: res.status, code: 'InvalidResponse', bucket: input.bucket, key: input.key, retryable: false });
    return { uploadId };
  },
});
