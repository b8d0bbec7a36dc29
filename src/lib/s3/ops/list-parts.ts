import type { S3Client, SendOptions } from '../client';
import { S3Error } from '../errors';
import { operation, unquoteEtag } from '../request';
import { bool, child, children, int, parseXml, text, type XmlNode } from '../xml';
import { readXmlBody } from '../body';

export interface ListPartsInput {
  bucket: string;
  key: string;
  uploadId: string;
  partNumberMarker?: number;
  maxParts?: number;
}

export interface PartSummary {
  partNumber: number;
  etag: string;
  size: number;
  lastModified?: string;
}

export interface ListPartsPage {
  parts: PartSummary[];
  isTruncated: boolean;
  nextPartNumberMarker?: number;
}

/** ListParts: the parts the store holds. Its ETags are in the body, readable whenever basic CORS works. */
export const ListParts = operation<ListPartsInput, ListPartsPage>({
  name: 'ListParts',
  build: (input) => {
    const query: Record<string, string> = { uploadId: input.uploadId };
    if (input.partNumberMarker) query['part-number-marker'] = String(input.partNumberMarker);
    if (input.maxParts) query['max-parts'] = String(input.maxParts);
    return { operation: 'ListParts', method: 'GET', bucket: input.bucket, key: input.key, query };
  },
  async parse(res) {
    return parseListParts(await readXmlBody(res, 'ListParts'));
  },
});

export function parseListParts(xml: string): ListPartsPage {
  const root = child(parseXml(xml), 'ListPartsResult');
  if (!root) throw new S3Error({ operation: 'ListParts', status: 200, code: 'InvalidResponse', retryable: false });
  return {
    parts: children(root, 'Part').map((p) => ({
      partNumber: int(p as XmlNode, 'PartNumber') ?? 0,
      etag: unquoteEtag(text(p as XmlNode, 'ETag')) ?? '',
      size: int(p as XmlNode, 'Size') ?? 0,
      lastModified: text(p as XmlNode, 'LastModified'),
    })),
    isTruncated: bool(root, 'IsTruncated'),
    nextPartNumberMarker: int(root, 'NextPartNumberMarker'),
  };
}

/**
 * All parts of an upload, across pages. RGW answers NoSuchKey (AWS:
 * NoSuchUpload) for an upload that was aborted or completed; both become
 * NoSuchUpload here.
 */
export async function listAllParts(client: S3Client, input: Omit<ListPartsInput, 'partNumberMarker'>, options?: SendOptions): Promise<PartSummary[]> {
  const parts: PartSummary[] = [];
  let marker: number | undefined;
  for (;;) {
    let page: ListPartsPage;
    try {
      page = await client.send(ListParts, { ...input, partNumberMarker: marker }, options);
    } catch (e) {
      if (e instanceof S3Error && e.code === 'NoSuchKey') {
        throw new S3Error({ ...e.toJSON(), code: 'NoSuchUpload', message: undefined });
      }
      throw e;
    }
    parts.push(...page.parts);
    if (!page.isTruncated || !page.nextPartNumberMarker || page.nextPartNumberMarker === marker) return parts;
    marker = page.nextPartNumberMarker;
  }
}
