import { operation, unquoteEtag, type RequestBody } from '../request';

export interface UploadPartInput {
  bucket: string;
  key: string;
  uploadId: string;
  /** 1..10000 */
  partNumber: number;
  body: RequestBody;
  /** Base64 MD5 of the part: the store refuses a corrupted part (BadDigest). */
  contentMd5?: string;
  headers?: Record<string, string>;
}

export interface UploadPartOutput {
  /** Undefined when CORS does not expose ETag: read it back with ListParts. */
  etag?: string;
}

/** UploadPart (`PUT ?partNumber=N&uploadId=...`). */
export const UploadPart = operation<UploadPartInput, UploadPartOutput>({
  name: 'UploadPart',
  build: (input) => {
    const headers: Record<string, string> = { ...input.headers };
    if (input.contentMd5) headers['content-md5'] = input.contentMd5;
    return {
      operation: 'UploadPart',
      method: 'PUT',
      bucket: input.bucket,
      key: input.key,
      query: { partNumber: String(input.partNumber), uploadId: input.uploadId },
      headers,
      body: input.body,
    };
  },
  async parse(res) {
    await res.body?.cancel();
    return { etag: unquoteEtag(res.headers.get('etag')) };
  },
});
