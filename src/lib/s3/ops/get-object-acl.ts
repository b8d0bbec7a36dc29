import { operation } from '../request';
import { child, children, parseXml, text, type XmlNode } from '../xml';
import { readXmlBody } from '../body';

export interface ObjectKeyInput {
  bucket: string;
  key: string;
}

export interface Grant {
  /** `CanonicalUser` (id), `Group` (uri) or `AmazonCustomerByEmail`. */
  granteeType: string;
  id?: string;
  displayName?: string;
  uri?: string;
  permission: string;
}

export interface AccessControlPolicy {
  owner?: { id?: string; displayName?: string };
  grants: Grant[];
}

export const ALL_USERS_URI = 'http://acs.amazonaws.com/groups/global/AllUsers';

/** GetObjectAcl. */
export const GetObjectAcl = operation<ObjectKeyInput, AccessControlPolicy>({
  name: 'GetObjectAcl',
  build: ({ bucket, key }) => ({ operation: 'GetObjectAcl', method: 'GET', bucket, key, query: { acl: '' } }),
  async parse(res) {
    return parseAcl(await readXmlBody(res, 'GetObjectAcl'));
  },
});

export function parseAcl(xml: string): AccessControlPolicy {
  const root = child(parseXml(xml), 'AccessControlPolicy');
  const owner = child(root, 'Owner');
  return {
    owner: owner ? { id: text(owner, 'ID'), displayName: text(owner, 'DisplayName') } : undefined,
    grants: children(child(root, 'AccessControlList'), 'Grant').map((g) => {
      const grantee = child(g as XmlNode, 'Grantee');
      return {
        granteeType: text(grantee, 'type') ?? (text(grantee, 'URI') ? 'Group' : 'CanonicalUser'),
        id: text(grantee, 'ID'),
        displayName: text(grantee, 'DisplayName'),
        uri: text(grantee, 'URI'),
        permission: text(g as XmlNode, 'Permission') ?? '',
      };
    }),
  };
}

/** Whether anyone may read the object (a `public-read` canned ACL). */
export function isPublicRead(acl: AccessControlPolicy): boolean {
  return acl.grants.some((g) => g.uri === ALL_USERS_URI && (g.permission === 'READ' || g.permission === 'FULL_CONTROL'));
}
