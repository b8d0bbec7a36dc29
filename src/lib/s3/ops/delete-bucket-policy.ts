import { operation } from '../request';
import type { BucketInput } from './get-bucket-policy';

/** DeleteBucketPolicy. */
export const DeleteBucketPolicy = operation<BucketInput, void>({
  name: 'DeleteBucketPolicy',
  build: ({ bucket }) => ({ operation: 'DeleteBucketPolicy', method: 'DELETE', bucket, query: { policy: '' } }),
  async parse(res) {
    await res.body?.cancel();
  },
});
