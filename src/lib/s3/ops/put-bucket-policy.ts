import { operation } from '../request';

export interface PutBucketPolicyInput {
  bucket: string;
  /** The whole policy document: PutBucketPolicy replaces, it does not merge. */
  policy: string;
}

/** PutBucketPolicy. */
export const PutBucketPolicy = operation<PutBucketPolicyInput, void>({
  name: 'PutBucketPolicy',
  build: ({ bucket, policy }) => ({
    operation: 'PutBucketPolicy',
    method: 'PUT',
    bucket,
    query: { policy: '' },
    headers: { 'content-type': 'application/json' },
    body: policy,
  }),
  async parse(res) {
    await res.body?.cancel();
  },
});
