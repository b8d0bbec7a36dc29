import type { S3Client, SendOptions } from '../client';
import { S3Error } from '../errors';
import { operation } from '../request';
import { bool, child, children, parseXml, text, type XmlNode } from '../xml';
import { readXmlBody } from '../body';

export interface ListMultipartUploadsInput {
  bucket: string;
  prefix?: string;
  keyMarker?: string;
  uploadIdMarker?: string;
  maxUploads?: number;
}

export interface MultipartUploadSummary {
  key: string;
  uploadId: string;
  initiated?: string;
  storageClass?: string;
}

export interface ListMultipartUploadsPage {
  uploads: MultipartUploadSummary[];
  isTruncated: boolean;
  nextKeyMarker?: string;
  nextUploadIdMarker?: string;
}

/** ListMultipartUploads (`GET ?uploads`): incomplete uploads in a bucket. */
export const ListMultipartUploads = operation<ListMultipartUploadsInput, ListMultipartUploadsPage>({
  name: 'ListMultipartUploads',
  build: (input) => {
    const query: Record<string, string> = { uploads: '' };
    if (input.prefix) query.prefix = input.prefix;
    if (input.keyMarker) query['key-marker'] = input.keyMarker;
    if (input.uploadIdMarker) query['upload-id-marker'] = input.uploadIdMarker;
    if (input.maxUploads) query['max-uploads'] = String(input.maxUploads);
    return { operation: 'ListMultipartUploads', method: 'GET', bucket: input.bucket, query };
  },
  async parse(res) {
    return parseListMultipartUploads(await readXmlBody(res, 'ListMultipartUploads'));
  },
});

export function parseListMultipartUploads(xml: string): ListMultipartUploadsPage {
  const root = child(parseXml(xml), 'ListMultipartUploadsResult');
  if (!root) throw new S3Error({ operation: 'ListMultipartUploads', status: 200, code: 'InvalidResponse', retryable: false });
  return {
    uploads: children(root, 'Upload').map((u) => ({
      key: text(u as XmlNode, 'Key') ?? '',
      uploadId: text(u as XmlNode, 'UploadId') ?? '',
      initiated: text(u as XmlNode, 'Initiated'),
      storageClass: text(u as XmlNode, 'StorageClass'),
    })),
    isTruncated: bool(root, 'IsTruncated'),
    nextKeyMarker: text(root, 'NextKeyMarker') || undefined,
    nextUploadIdMarker: text(root, 'NextUploadIdMarker') || undefined,
  };
}

/** Every incomplete upload in a bucket (under a prefix), across pages. */
export async function listAllMultipartUploads(client: S3Client, input: Pick<ListMultipartUploadsInput, 'bucket' | 'prefix'>, options?: SendOptions): Promise<MultipartUploadSummary[]> {
  const out: MultipartUploadSummary[] = [];
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  for (;;) {
    const page = await client.send(ListMultipartUploads, { ...input, keyMarker, uploadIdMarker }, options);
    out.push(...page.uploads);
    if (!page.isTruncated || (!page.nextKeyMarker && !page.nextUploadIdMarker)) return out;
    if (page.nextKeyMarker === keyMarker && page.nextUploadIdMarker === uploadIdMarker) return out;
    keyMarker = page.nextKeyMarker;
    uploadIdMarker = page.nextUploadIdMarker;
  }
}
