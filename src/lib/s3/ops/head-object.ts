import { operation, unquoteEtag, userMetadata } from '../request';

export interface HeadObjectInput {
  bucket: string;
  key: string;
  versionId?: string;
  /** Read one part's headers (parts count appears in `x-amz-mp-parts-count`). */
  partNumber?: number;
}

export interface ObjectHead {
  size: number;
  etag?: string;
  lastModified?: string;
  contentType?: string;
  storageClass?: string;
  versionId?: string;
  metadata: Record<string, string>;
  /** Every header the browser lets us read (CORS ExposeHeaders decides which). */
  headers: Record<string, string>;
  partsCount?: number;
}

export function objectHeadFrom(res: Response): ObjectHead {
  const h = res.headers;
  const headers: Record<string, string> = {};
  h.forEach((v, k) => (headers[k] = v));
  const range = h.get('content-range');
  const total = range ? Number(range.split('/')[1]) : NaN;
  const out: ObjectHead = {
    size: Number.isFinite(total) ? total : Number(h.get('content-length') ?? 0),
    etag: unquoteEtag(h.get('etag')),
    lastModified: h.get('last-modified') ?? undefined,
    contentType: h.get('content-type') ?? undefined,
    storageClass: h.get('x-amz-storage-class') ?? undefined,
    versionId: h.get('x-amz-version-id') ?? undefined,
    metadata: userMetadata(h),
    headers,
  };
  const parts = h.get('x-amz-mp-parts-count');
  if (parts) out.partsCount = Number(parts);
  return out;
}

/** HeadObject (`s3cmd info`). */
export const HeadObject = operation<HeadObjectInput, ObjectHead>({
  name: 'HeadObject',
  build: ({ bucket, key, versionId, partNumber }) => {
    const query: Record<string, string> = {};
    if (versionId) query.versionId = versionId;
    if (partNumber) query.partNumber = String(partNumber);
    return { operation: 'HeadObject', method: 'HEAD', bucket, key, query };
  },
  async parse(res) {
    return objectHeadFrom(res);
  },
});
