import { operation } from '../request';
import type { BucketInput } from './get-bucket-policy';
import { parseCorsXml, type CorsRule } from './cors-rules';
import { readXmlBody } from '../body';

/** GetBucketCors. NoSuchCORSConfiguration when the bucket has none. */
export const GetBucketCors = operation<BucketInput, CorsRule[]>({
  name: 'GetBucketCors',
  build: ({ bucket }) => ({ operation: 'GetBucketCors', method: 'GET', bucket, query: { cors: '' } }),
  async parse(res) {
    return parseCorsXml(await readXmlBody(res, 'GetBucketCors'));
  },
});
