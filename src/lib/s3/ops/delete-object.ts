import { operation } from '../request';

export interface DeleteObjectInput {
  bucket: string;
  key: string;
  versionId?: string;
}

/** DeleteObject. Deleting a missing key succeeds (204), as S3 specifies. */
export const DeleteObject = operation<DeleteObjectInput, void>({
  name: 'DeleteObject',
  build: ({ bucket, key, versionId }) => ({ operation: 'DeleteObject', method: 'DELETE', bucket, key, query: versionId ? { versionId } : undefined }),
  async parse(res) {
    await res.body?.cancel();
  },
});
