import { MAX_XML_BYTES, readText } from '../body';
import { operation } from '../request';

export interface BucketInput {
  bucket: string;
}

/** GetBucketPolicy: the policy JSON text as stored (we do not reformat it). NoSuchBucketPolicy when none. */
export const GetBucketPolicy = operation<BucketInput, string>({
  name: 'GetBucketPolicy',
  build: ({ bucket }) => ({ operation: 'GetBucketPolicy', method: 'GET', bucket, query: { policy: '' } }),
  async parse(res) {
    return readText(res, { operation: 'GetBucketPolicy', maxBytes: MAX_XML_BYTES });
  },
});
