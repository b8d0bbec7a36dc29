import { operation } from '../request';
import type { ObjectKeyInput } from './get-object-acl';

export type CannedAcl = 'private' | 'public-read' | 'public-read-write' | 'authenticated-read' | 'bucket-owner-read' | 'bucket-owner-full-control';

export interface PutObjectAclInput extends ObjectKeyInput {
  acl: CannedAcl;
}

/** PutObjectAcl with a canned ACL (CEDA publishes objects as `public-read`). */
export const PutObjectAcl = operation<PutObjectAclInput, void>({
  name: 'PutObjectAcl',
  build: ({ bucket, key, acl }) => ({ operation: 'PutObjectAcl', method: 'PUT', bucket, key, query: { acl: '' }, headers: { 'x-amz-acl': acl } }),
  async parse(res) {
    await res.body?.cancel();
  },
});
