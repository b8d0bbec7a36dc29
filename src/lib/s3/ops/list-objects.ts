/**
 * ListObjectsV2, with ListObjects (v1) as a fallback for stores that do not
 * implement V2, and an async iterator over pages.
 */
import type { S3Client, SendOptions } from '../client';
import { S3Error } from '../errors';
import { operation, unquoteEtag } from '../request';
import { bool, child, children, int, parseXml, text, type XmlNode } from '../xml';
import { scanListObjects, type ScannedPage } from './list-scan';
import { readXmlBody } from '../body';

export interface ObjectSummary {
  key: string;
  size: number;
  /** ISO 8601 */
  lastModified: string;
  etag: string;
  storageClass?: string;
}

export interface ListObjectsInput {
  bucket: string;
  prefix?: string;
  delimiter?: string;
  /** V2 only: list keys after this one. (V1 uses it as `marker`.) */
  startAfter?: string;
  /** Token from the previous page (V2 continuation token, or V1 next marker). */
  continuationToken?: string;
  maxKeys?: number;
}

export interface ListObjectsPage {
  objects: ObjectSummary[];
  /** Pseudo-folders (CommonPrefixes) when a delimiter was given. */
  prefixes: string[];
  isTruncated: boolean;
  /** Pass as `continuationToken` to get the next page; undefined on the last page. */
  nextToken?: string;
  /** Which API answered. */
  api: 'v2' | 'v1';
}

function listQuery(input: ListObjectsInput, api: 'v2' | 'v1'): Record<string, string> {
  const q: Record<string, string> = { 'encoding-type': 'url' };
  if (api === 'v2') q['list-type'] = '2';
  if (input.prefix) q.prefix = input.prefix;
  if (input.delimiter) q.delimiter = input.delimiter;
  if (input.maxKeys) q['max-keys'] = String(input.maxKeys);
  if (api === 'v2') {
    if (input.continuationToken) q['continuation-token'] = input.continuationToken;
    else if (input.startAfter) q['start-after'] = input.startAfter;
  } else {
    const marker = input.continuationToken ?? input.startAfter;
    if (marker) q.marker = marker;
  }
  return q;
}

export const ListObjectsV2 = operation<ListObjectsInput, ListObjectsPage>({
  name: 'ListObjectsV2',
  build: (input) => ({ operation: 'ListObjectsV2', method: 'GET', bucket: input.bucket, query: listQuery(input, 'v2') }),
  async parse(res) {
    return parseListObjects(await readXmlBody(res, 'ListObjectsV2'));
  },
});

export const ListObjectsV1 = operation<ListObjectsInput, ListObjectsPage>({
  name: 'ListObjects',
  build: (input) => ({ operation: 'ListObjects', method: 'GET', bucket: input.bucket, query: listQuery(input, 'v1') }),
  async parse(res) {
    return parseListObjects(await readXmlBody(res, 'ListObjectsV2'));
  },
});

/** `encoding-type=url` encodes with `+` for spaces on some stores; decode both forms. */
function decodeListed(value: string, encoded: boolean): string {
  if (!encoded) return value;
  try {
    return decodeURIComponent(value.replace(/\+/g, '%20'));
  } catch {
    return value;
  }
}

/** Parse a ListBucketResult of either API version (the fast scanner first, the full XML parser for anything unusual). */
export function parseListObjects(xml: string): ListObjectsPage {
  const scanned = scanListObjects(xml);
  return scanned ? fromScan(scanned) : parseWithXmlParser(xml);
}

function fromScan(page: ScannedPage): ListObjectsPage {
  const h = page.header;
  const encoded = h.get('EncodingType')?.trim().toLowerCase() === 'url';
  const isV2 = h.has('KeyCount') || h.has('ContinuationToken') || h.has('StartAfter') || h.has('NextContinuationToken');
  const objects = page.contents.map((c) => {
    const size = c.size?.trim() ? Number(c.size.trim()) : NaN;
    const o: ObjectSummary = { key: decodeListed(c.key, encoded), size: Number.isFinite(size) ? size : 0, lastModified: c.lastModified ?? '', etag: unquoteEtag(c.etag) ?? '' };
    if (c.storageClass) o.storageClass = c.storageClass;
    return o;
  });
  const prefixes = page.prefixes.map((p) => decodeListed(p, encoded));
  const isTruncated = h.get('IsTruncated')?.trim().toLowerCase() === 'true';
  let nextToken: string | undefined;
  if (isTruncated) {
    if (isV2) nextToken = h.get('NextContinuationToken');
    else {
      const nm = h.get('NextMarker');
      nextToken = nm ? decodeListed(nm, encoded) : lastOf(objects, prefixes);
    }
  }
  return { objects, prefixes, isTruncated, nextToken, api: isV2 ? 'v2' : 'v1' };
}

/** The general path: any well-formed XML. Exported for the tests that hold the scanner to it. */
export function parseWithXmlParser(xml: string): ListObjectsPage {
  const doc = parseXml(xml);
  const root = child(doc, 'ListBucketResult');
  if (!root) throw new S3Error({ operation: 'ListObjects', status: 200, code: 'InvalidResponse', retryable: false });
  // We always ask for encoding-type=url (keys with control characters cannot
  // travel in XML 1.0 otherwise); see isUrlEncodedListing.
  const encoded = isUrlEncodedListing(root);
  const isV2 = text(root, 'KeyCount') !== undefined || text(root, 'ContinuationToken') !== undefined || text(root, 'StartAfter') !== undefined || text(root, 'NextContinuationToken') !== undefined;
  const objects: ObjectSummary[] = children(root, 'Contents').map((c) => {
    const node = c as XmlNode;
    const o: ObjectSummary = {
      key: decodeListed(text(node, 'Key') ?? '', encoded),
      size: int(node, 'Size') ?? 0,
      lastModified: text(node, 'LastModified') ?? '',
      etag: unquoteEtag(text(node, 'ETag')) ?? '',
    };
    const sc = text(node, 'StorageClass');
    if (sc) o.storageClass = sc;
    return o;
  });
  const prefixes = children(root, 'CommonPrefixes').map((p) => decodeListed(text(p as XmlNode, 'Prefix') ?? '', encoded));
  const isTruncated = bool(root, 'IsTruncated');
  let nextToken: string | undefined;
  if (isTruncated) {
    if (isV2) nextToken = text(root, 'NextContinuationToken');
    else {
      // V1: NextMarker is only sent with a delimiter; otherwise the last key is the marker.
      const nm = text(root, 'NextMarker');
      nextToken = nm ? decodeListed(nm, encoded) : lastOf(objects, prefixes);
    }
  }
  return { objects, prefixes, isTruncated, nextToken, api: isV2 ? 'v2' : 'v1' };
}

function lastOf(objects: ObjectSummary[], prefixes: string[]): string | undefined {
  const a = objects.at(-1)?.key;
  const b = prefixes.at(-1);
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a > b ? a : b;
}

/**
 * Whether keys in this listing are URL-encoded. We always request
 * `encoding-type=url`; AWS and Ceph RGW (V2 and v1) answer
 * `<EncodingType>url</EncodingType>` when they honour it. A store that ignores
 * the parameter sends raw keys and no such element, and decoding raw keys
 * would corrupt any key holding `%`, so we decode only when told.
 */
function isUrlEncodedListing(root: XmlNode): boolean {
  return text(root, 'EncodingType')?.trim().toLowerCase() === 'url';
}

export interface ListAllOptions extends SendOptions {
  /** Start with V1 (a store known not to implement V2). */
  forceV1?: boolean;
}

/**
 * Every page of a listing, in order. Falls back to ListObjects v1 when the
 * store refuses V2 (NotImplemented / InvalidArgument on `list-type`).
 *
 * @example
 * for await (const page of listPages(client, { bucket: 'b', prefix: 'data/' })) console.log(page.objects.length)
 */
export async function* listPages(client: S3Client, input: ListObjectsInput, options: ListAllOptions = {}): AsyncGenerator<ListObjectsPage> {
  let api: 'v2' | 'v1' = options.forceV1 ? 'v1' : 'v2';
  let token = input.continuationToken;
  for (;;) {
    let page: ListObjectsPage;
    try {
      page = await client.send(api === 'v2' ? ListObjectsV2 : ListObjectsV1, { ...input, continuationToken: token }, options);
    } catch (e) {
      if (api === 'v2' && token === undefined && e instanceof S3Error && (e.code === 'NotImplemented' || (e.code === 'InvalidArgument' && e.status === 400))) {
        api = 'v1';
        continue;
      }
      throw e;
    }
    // A store that ignores list-type=2 answers in v1 shape: continue in v1.
    if (page.api === 'v1') api = 'v1';
    yield page;
    if (!page.isTruncated || !page.nextToken) return;
    token = page.nextToken;
  }
}
