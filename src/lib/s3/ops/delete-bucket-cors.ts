import { operation } from '../request';
import type { BucketInput } from './get-bucket-policy';

/** DeleteBucketCors. */
export const DeleteBucketCors = operation<BucketInput, void>({
  name: 'DeleteBucketCors',
  build: ({ bucket }) => ({ operation: 'DeleteBucketCors', method: 'DELETE', bucket, query: { cors: '' } }),
  async parse(res) {
    await res.body?.cancel();
  },
});
