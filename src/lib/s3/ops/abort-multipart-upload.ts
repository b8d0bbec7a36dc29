import { operation } from '../request';

export interface AbortMultipartUploadInput {
  bucket: string;
  key: string;
  uploadId: string;
}

/** AbortMultipartUpload: frees the parts (orphaned parts count against quota). */
export const AbortMultipartUpload = operation<AbortMultipartUploadInput, void>({
  name: 'AbortMultipartUpload',
  build: ({ bucket, key, uploadId }) => ({ operation: 'AbortMultipartUpload', method: 'DELETE', bucket, key, query: { uploadId } }),
  async parse(res) {
    await res.body?.cancel();
  },
});
