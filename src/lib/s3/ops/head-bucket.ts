import { operation } from '../request';

export interface HeadBucketInput {
  bucket: string;
}

export interface HeadBucketOutput {
  /** `x-amz-bucket-region` when the store sends it (AWS does; RGW does not). */
  region?: string;
}

/** HeadBucket: does the bucket exist and may we use it? Errors carry no body, so codes come from the status. */
export const HeadBucket = operation<HeadBucketInput, HeadBucketOutput>({
  name: 'HeadBucket',
  build: ({ bucket }) => ({ operation: 'HeadBucket', method: 'HEAD', bucket }),
  async parse(res) {
    return { region: res.headers.get('x-amz-bucket-region') ?? undefined };
  },
});
