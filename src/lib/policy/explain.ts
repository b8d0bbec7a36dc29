/** A policy in plain words: who may do what. */
import type { Policy, Principal, Statement } from './dialects';

function who(p: Principal): string {
  if (p.kind === 'anyone') return 'Anyone (no keys needed)';
  if (p.kind === 'raw') return `The principals ${JSON.stringify(p.value)}`;
  const parts: string[] = [];
  if (p.users.length) parts.push(`${p.users.length === 1 ? 'user' : 'users'} ${p.users.join(', ')}`);
  if (p.groups.length) parts.push(p.groups.map((g) => (g.endsWith('-members') ? `every member of tenancy ${g.slice(0, -8)}` : `group ${g}`)).join(', '));
  return parts.length ? parts.join(' and ').replace(/^./, (c) => c.toUpperCase()) : 'Nobody named';
}

const VERBS: Record<string, string> = {
  '*': 'do anything',
  GetObject: 'read objects',
  PutObject: 'upload and overwrite objects',
  DeleteObject: 'delete objects',
  ListBucket: 'list the bucket',
  ListBucketMultipartUploads: 'list incomplete uploads',
  AbortMultipartUpload: 'abort uploads',
  ListMultipartUploadParts: 'list the parts of uploads',
  GetObjectAcl: 'read object ACLs',
  PutObjectAcl: 'change object ACLs',
  GetBucketCORS: 'read the CORS rules',
  PutBucketCORS: 'change the CORS rules',
  GetBucketPolicy: 'read this policy',
  PutBucketPolicy: 'change this policy',
  DeleteBucketPolicy: 'delete this policy',
};

export function explainStatement(s: Statement): string {
  const verbs = s.actions.map((a) => VERBS[a] ?? a);
  const list = verbs.length > 1 ? `${verbs.slice(0, -1).join(', ')} and ${verbs.at(-1)}` : verbs[0];
  const where = s.rawResources?.length ? ` (only ${s.rawResources.join(', ')})` : '';
  const cond = s.condition !== undefined ? ', under conditions' : '';
  return `${who(s.principal)} ${s.effect === 'Allow' ? 'may' : 'may not'} ${list}${where}${cond}.`;
}

/** One sentence per statement, plus the consequences people trip over. */
export function explainPolicy(policy: Policy): string[] {
  const lines = policy.statements.map(explainStatement);
  const anyoneReads = policy.statements.some((s) => s.effect === 'Allow' && s.principal.kind === 'anyone' && s.actions.some((a) => a === 'GetObject' || a === '*'));
  const anyoneLists = policy.statements.some((s) => s.effect === 'Allow' && s.principal.kind === 'anyone' && s.actions.some((a) => a === 'ListBucket' || a === '*'));
  if (anyoneReads && !anyoneLists) {
    lines.push('The bucket cannot be listed anonymously: people need exact links (missing keys answer 403, not 404).');
  }
  if (anyoneReads && !policy.statements.some((s) => s.principal.kind === 'anyone' && s.actions.includes('GetBucketCORS'))) {
    lines.push('Anonymous users cannot read the CORS rules; some browser tools check them first.');
  }
  return lines;
}
