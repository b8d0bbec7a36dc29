import { operation } from '../request';
import type { CorsRule } from './cors-rules';

export interface PutBucketCorsInput {
  bucket: string;
  rules: CorsRule[];
  /** The XML from `buildCorsXml(rules)` and its base64 MD5 (required by S3). */
  body: string;
  contentMd5: string;
}

/** PutBucketCors: replaces the bucket's whole CORS configuration. */
export const PutBucketCors = operation<PutBucketCorsInput, void>({
  name: 'PutBucketCors',
  build: ({ bucket, body, contentMd5 }) => ({
    operation: 'PutBucketCors',
    method: 'PUT',
    bucket,
    query: { cors: '' },
    headers: { 'content-type': 'application/xml', 'content-md5': contentMd5 },
    body,
  }),
  async parse(res) {
    await res.body?.cancel();
  },
});
