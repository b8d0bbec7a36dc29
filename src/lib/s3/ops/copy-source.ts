import { encodeKey, encodeRfc3986 } from '../endpoint';

/** `x-amz-copy-source`: `/bucket/key`, URL-encoded (S3 decodes it). */
export function copySource(bucket: string, key: string, versionId?: string): string {
  const src = `/${encodeRfc3986(bucket)}/${encodeKey(key)}`;
  return versionId ? `${src}?versionId=${encodeRfc3986(versionId)}` : src;
}
