import { operation } from '../request';

export interface DeleteBucketInput {
  bucket: string;
}

/** DeleteBucket (`rb`): the bucket must be empty. */
export const DeleteBucket = operation<DeleteBucketInput, void>({
  name: 'DeleteBucket',
  build: ({ bucket }) => ({ operation: 'DeleteBucket', method: 'DELETE', bucket }),
  async parse(res) {
    await res.body?.cancel();
  },
});
