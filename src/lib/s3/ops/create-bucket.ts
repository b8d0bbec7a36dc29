import { operation } from '../request';
import { XML_DECLARATION, element } from '../xml';

export interface CreateBucketInput {
  bucket: string;
  /** LocationConstraint; omitted for `us-east-1` and stores without regions. */
  region?: string;
  acl?: 'private' | 'public-read' | 'public-read-write' | 'authenticated-read';
}

/** CreateBucket (`mb`). */
export const CreateBucket = operation<CreateBucketInput, void>({
  name: 'CreateBucket',
  build: ({ bucket, region, acl }) => {
    const headers: Record<string, string> = {};
    if (acl) headers['x-amz-acl'] = acl;
    const body =
      region && region !== 'us-east-1'
        ? `${XML_DECLARATION}<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${element('LocationConstraint', region)}</CreateBucketConfiguration>`
        : undefined;
    if (body) headers['content-type'] = 'application/xml';
    return { operation: 'CreateBucket', method: 'PUT', bucket, headers, body };
  },
  async parse(res) {
    await res.body?.cancel();
  },
});
