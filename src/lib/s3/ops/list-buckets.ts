import { operation } from '../request';
import { children, child, parseXml, text } from '../xml';
import { readXmlBody } from '../body';

export interface BucketSummary {
  name: string;
  creationDate?: string;
}

export interface ListBucketsOutput {
  buckets: BucketSummary[];
  owner?: { id?: string; displayName?: string };
}

/** ListBuckets (`GET /`). Browsers usually cannot call it cross-origin: stores send no CORS for service-level calls. */
export const ListBuckets = operation<void, ListBucketsOutput>({
  name: 'ListBuckets',
  build: () => ({ operation: 'ListBuckets', method: 'GET' }),
  async parse(res) {
    return parseListBuckets(await readXmlBody(res, 'ListBuckets'));
  },
});

export function parseListBuckets(xml: string): ListBucketsOutput {
  const root = child(parseXml(xml), 'ListAllMyBucketsResult');
  const owner = child(root, 'Owner');
  const buckets = children(child(root, 'Buckets'), 'Bucket').map((b) => ({
    name: text(b, 'Name') ?? '',
    creationDate: text(b, 'CreationDate'),
  }));
  return { buckets, owner: owner ? { id: text(owner, 'ID'), displayName: text(owner, 'DisplayName') } : undefined };
}
