import { metadataHeaders, operation, unquoteEtag, type RequestBody } from '../request';

export interface PutObjectInput {
  bucket: string;
  key: string;
  body: RequestBody;
  contentType?: string;
  /** Base64 MD5 of the body; the store rejects the upload (BadDigest) if the bytes differ. */
  contentMd5?: string;
  metadata?: Record<string, string>;
  acl?: string;
  /** Extra headers, e.g. a probed `x-amz-checksum-crc32c`. */
  headers?: Record<string, string>;
}

export interface PutObjectOutput {
  /** Undefined when CORS does not expose ETag. */
  etag?: string;
  versionId?: string;
}

/** PutObject (single PUT, up to 5 GiB). */
export const PutObject = operation<PutObjectInput, PutObjectOutput>({
  name: 'PutObject',
  build: (input) => {
    const headers: Record<string, string> = { ...metadataHeaders(input.metadata), ...input.headers };
    headers['content-type'] = input.contentType || 'application/octet-stream';
    if (input.contentMd5) headers['content-md5'] = input.contentMd5;
    if (input.acl) headers['x-amz-acl'] = input.acl;
    return { operation: 'PutObject', method: 'PUT', bucket: input.bucket, key: input.key, headers, body: input.body };
  },
  async parse(res) {
    await res.body?.cancel();
    return { etag: unquoteEtag(res.headers.get('etag')), versionId: res.headers.get('x-amz-version-id') ?? undefined };
  },
});
