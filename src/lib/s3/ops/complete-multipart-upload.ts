import { parseErrorXml } from '../client';
import { S3Error } from '../errors';
import { operation, unquoteEtag } from '../request';
import { XML_DECLARATION, child, element, parseXml, text } from '../xml';
import { readXmlBody, LONG_OPERATION_IDLE_MS } from '../body';

export interface CompletedPart {
  partNumber: number;
  etag: string;
  /** Base64 CRC32C sent with the part: required by AWS when the upload was created with that algorithm. */
  checksumCRC32C?: string;
}

export interface CompleteMultipartUploadInput {
  bucket: string;
  key: string;
  uploadId: string;
  parts: CompletedPart[];
}

export interface CompleteMultipartUploadOutput {
  /**
   * The multipart ETag (`md5-of-md5s-N` on most stores). Ceph RGW 16 answers
   * with an empty `<ETag/>`: read it with HeadObject when needed.
   */
  etag?: string;
  location?: string;
}

export function buildCompleteBody(parts: CompletedPart[]): string {
  const sorted = [...parts].sort((a, b) => a.partNumber - b.partNumber);
  return `${XML_DECLARATION}<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${sorted
    .map((p) => `<Part>${element('PartNumber', p.partNumber)}${element('ETag', `"${p.etag}"`)}${p.checksumCRC32C ? element('ChecksumCRC32C', p.checksumCRC32C) : ''}</Part>`)
    .join('')}</CompleteMultipartUpload>`;
}

/**
 * CompleteMultipartUpload. S3 may answer 200 and then report an error in the
 * body (it keeps the connection alive while assembling): that is an error.
 */
export const CompleteMultipartUpload = operation<CompleteMultipartUploadInput, CompleteMultipartUploadOutput>({
  name: 'CompleteMultipartUpload',
  build: (input) => ({
    operation: 'CompleteMultipartUpload',
    method: 'POST',
    bucket: input.bucket,
    key: input.key,
    query: { uploadId: input.uploadId },
    headers: { 'content-type': 'application/xml' },
    body: buildCompleteBody(input.parts),
  }),
  async parse(res, input) {
    return parseCompleteResult(await readXmlBody(res, 'CompleteMultipartUpload', { bucket: input.bucket, key: input.key }, { ownErrors: true, idleMs: LONG_OPERATION_IDLE_MS }), input.bucket, input.key);
  },
});

export function parseCompleteResult(xml: string, bucket?: string, key?: string): CompleteMultipartUploadOutput {
  const err = parseErrorXml(xml);
  if (err) {
    throw new S3Error({ operation: 'CompleteMultipartUpload', status: 200, code: err.code, message: err.message, requestId: err.requestId, bucket, key });
  }
  const root = child(parseXml(xml), 'CompleteMultipartUploadResult');
  if (!root) throw new S3Error({ operation: 'CompleteMultipartUpload', status: 200, code: 'InvalidResponse', bucket, key, retryable: true });
  const etag = unquoteEtag(text(root, 'ETag')) || undefined;
  return { etag, location: text(root, 'Location') };
}
