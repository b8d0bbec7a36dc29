/**
 * Bucket policy dialects. Tessera edits policies in a neutral model and writes
 * them back in the store's own dialect:
 *
 * - AWS / Ceph RGW: `"Version": "2012-10-17"`, `"Principal": "*"` or
 *   `{"AWS": [...]}`, actions with the `s3:` prefix, ARN resources.
 * - JASMIN (DataCore Swarm): `"Version": "2008-10-17"`, `"Principal":
 *   {"user": [...], "group": ["<tenancy>-members"]}` or `{"anonymous": ["*"]}`,
 *   actions without the prefix, `"Resource": "*"` (the bucket the policy is on).
 *
 * PutBucketPolicy replaces the whole document, so edits always start from the
 * document read from the store and write all of it back.
 */

import { parse as parseJsonc, printParseErrorCode, type ParseError } from 'jsonc-parser';

export type Dialect = 'aws' | 'swarm';

export type Principal =
  | { kind: 'anyone' }
  | { kind: 'named'; users: string[]; groups: string[] }
  /** An AWS-dialect principal we keep as written (ARNs, canonical ids, services). */
  | { kind: 'raw'; value: unknown };

export type ResourceScope =
  /** The bucket itself (ListBucket, GetBucketCORS...). */
  | 'bucket'
  /** Every object in the bucket. */
  | 'objects'
  /** Both. */
  | 'bucket-and-objects';

export interface Statement {
  sid?: string;
  effect: 'Allow' | 'Deny';
  principal: Principal;
  /** Action names without the `s3:` prefix (`GetObject`, `ListBucket`, `*`). */
  actions: string[];
  /** Where the statement applies. Resources we cannot map (other prefixes, other buckets) are kept raw. */
  scope: ResourceScope;
  /** AWS resources kept as written when they are narrower than the bucket or its objects. */
  rawResources?: string[];
  condition?: unknown;
}

export interface Policy {
  dialect: Dialect;
  id?: string;
  statements: Statement[];
}

export const VERSION: Record<Dialect, string> = { aws: '2012-10-17', swarm: '2008-10-17' };

/** Actions that apply to the bucket rather than its objects. */
const BUCKET_ACTIONS = new Set([
  'ListBucket',
  'ListBucketVersions',
  'ListBucketMultipartUploads',
  'GetBucketCORS',
  'PutBucketCORS',
  'GetBucketPolicy',
  'PutBucketPolicy',
  'DeleteBucketPolicy',
  'GetBucketLocation',
  'GetBucketAcl',
  'PutBucketAcl',
  'DeleteBucket',
  'GetBucketVersioning',
  'PutBucketVersioning',
]);

/** Actions users pick from, in the words of the S3 API. */
export const COMMON_ACTIONS = [
  'GetObject',
  'PutObject',
  'DeleteObject',
  'ListBucket',
  'ListBucketMultipartUploads',
  'AbortMultipartUpload',
  'ListMultipartUploadParts',
  'GetObjectAcl',
  'PutObjectAcl',
  'GetBucketCORS',
  'PutBucketCORS',
  'GetBucketPolicy',
  'PutBucketPolicy',
  'DeleteBucketPolicy',
] as const;

export function isBucketAction(action: string): boolean {
  return BUCKET_ACTIONS.has(stripPrefix(action));
}

function stripPrefix(action: string): string {
  return action.replace(/^s3:/i, '');
}

function asArray(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

function strings(v: unknown): string[] {
  return asArray(v).filter((x): x is string => typeof x === 'string');
}

export class PolicyError extends Error {
  override readonly name = 'PolicyError';
  constructor(
    message: string,
    /** 1-based line of a JSON syntax error, when known. */
    readonly line?: number,
  ) {
    super(message);
  }
}

/** Parse policy JSON text, with the line and column of the first syntax error. */
export function parsePolicyJson(text: string): Record<string, unknown> {
  const errors: ParseError[] = [];
  const doc: unknown = parseJsonc(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const first = errors[0];
  if (first) {
    const before = text.slice(0, first.offset).split('\n');
    const line = before.length;
    const column = (before.at(-1)?.length ?? 0) + 1;
    throw new PolicyError(`The policy is not valid JSON (line ${line}, column ${column}): ${printParseErrorCode(first.error)}.`, line);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new PolicyError('A policy is a JSON object with a "Statement" list.');
  return doc as Record<string, unknown>;
}

/** Which dialect a document is written in. */
export function detectDialect(doc: Record<string, unknown>): Dialect {
  if (doc.Version === VERSION.swarm) return 'swarm';
  for (const s of asArray(doc.Statement)) {
    const st = s as Record<string, unknown>;
    const p = st?.Principal;
    if (p && typeof p === 'object' && ('user' in p || 'group' in p || 'anonymous' in p)) return 'swarm';
  }
  return 'aws';
}

/** Read a policy document (either dialect) into the neutral model. */
export function readPolicy(text: string, bucket: string): Policy {
  const doc = parsePolicyJson(text);
  const dialect = detectDialect(doc);
  const statements = asArray(doc.Statement);
  if (!statements.length) throw new PolicyError('The policy has no statements.');
  return {
    dialect,
    id: typeof doc.Id === 'string' ? doc.Id : undefined,
    statements: statements.map((s, i) => readStatement(s, i, bucket)),
  };
}

function readPrincipal(p: unknown): Principal {
  if (p === '*' || (p && typeof p === 'object' && (p as Record<string, unknown>).AWS === '*')) return { kind: 'anyone' };
  if (p && typeof p === 'object' && !Array.isArray(p)) {
    const o = p as Record<string, unknown>;
    if (strings(o.anonymous).includes('*')) return { kind: 'anyone' };
    if ('user' in o || 'group' in o) return { kind: 'named', users: strings(o.user), groups: strings(o.group) };
    if (Object.keys(o).length === 1 && 'AWS' in o) {
      const aws = strings(o.AWS);
      // RGW users as arn:aws:iam:::user/<name>; keep anything else raw.
      const users = aws.map((a) => /^arn:aws:iam::[^:]*:user\/(.+)$/.exec(a)?.[1]);
      if (users.every((u): u is string => !!u)) return { kind: 'named', users, groups: [] };
    }
  }
  return { kind: 'raw', value: p };
}

function readStatement(s: unknown, index: number, bucket: string): Statement {
  if (!s || typeof s !== 'object') throw new PolicyError(`Statement ${index + 1} is not an object.`);
  const st = s as Record<string, unknown>;
  const effect = st.Effect;
  if (effect !== 'Allow' && effect !== 'Deny') throw new PolicyError(`Statement ${index + 1}: "Effect" must be "Allow" or "Deny".`);
  if (st.Principal === undefined) throw new PolicyError(`Statement ${index + 1} has no "Principal".`);
  const actions = strings(st.Action).map(stripPrefix);
  if (!actions.length) throw new PolicyError(`Statement ${index + 1} has no "Action".`);
  const resources = strings(st.Resource);
  let hasBucket = false;
  let hasObjects = false;
  const raw: string[] = [];
  for (const r of resources) {
    if (r === '*') {
      hasBucket = hasObjects = true;
    } else if (r === `arn:aws:s3:::${bucket}`) hasBucket = true;
    else if (r === `arn:aws:s3:::${bucket}/*`) hasObjects = true;
    else raw.push(r);
  }
  if (!resources.length) hasBucket = hasObjects = true;
  const scope: ResourceScope = hasBucket && hasObjects ? 'bucket-and-objects' : hasBucket ? 'bucket' : 'objects';
  const out: Statement = { effect, principal: readPrincipal(st.Principal), actions, scope };
  if (typeof st.Sid === 'string') out.sid = st.Sid;
  if (raw.length) out.rawResources = raw;
  if (st.Condition !== undefined) out.condition = st.Condition;
  return out;
}

function writePrincipal(p: Principal, dialect: Dialect): unknown {
  if (p.kind === 'anyone') return dialect === 'swarm' ? { anonymous: ['*'] } : '*';
  if (p.kind === 'raw') return p.value;
  if (dialect === 'swarm') {
    const o: Record<string, string[]> = {};
    if (p.users.length) o.user = p.users;
    if (p.groups.length) o.group = p.groups;
    if (!p.users.length && !p.groups.length) throw new PolicyError('Name at least one user or group.');
    return o;
  }
  if (p.groups.length) {
    throw new PolicyError(`Groups (${p.groups.join(', ')}) exist only in JASMIN's dialect; on this store, name the users instead.`);
  }
  if (!p.users.length) throw new PolicyError('Name at least one user.');
  return { AWS: p.users.map((u) => `arn:aws:iam:::user/${u}`) };
}

function writeResources(s: Statement, dialect: Dialect, bucket: string): string | string[] {
  if (dialect === 'swarm') return '*';
  const out: string[] = [];
  if (s.scope !== 'objects') out.push(`arn:aws:s3:::${bucket}`);
  if (s.scope !== 'bucket') out.push(`arn:aws:s3:::${bucket}/*`);
  out.push(...(s.rawResources ?? []));
  return out;
}

/** Write the model as a document of the given dialect. */
export function writePolicy(policy: Policy, bucket: string, dialect: Dialect = policy.dialect): string {
  const doc: Record<string, unknown> = { Version: VERSION[dialect] };
  if (policy.id) doc.Id = policy.id;
  doc.Statement = policy.statements.map((s) => {
    const o: Record<string, unknown> = {};
    if (s.sid) o.Sid = s.sid;
    o.Effect = s.effect;
    o.Principal = writePrincipal(s.principal, dialect);
    o.Action = s.actions.map((a) => (dialect === 'aws' && a !== '*' ? `s3:${a}` : a === '*' && dialect === 'aws' ? 's3:*' : a));
    o.Resource = writeResources(s, dialect, bucket);
    if (s.condition !== undefined) o.Condition = s.condition;
    return o;
  });
  return JSON.stringify(doc, null, 2);
}

/**
 * Problems a store would refuse or that would not do what the user expects,
 * in plain words. An empty list means the document is fine for the dialect.
 */
export function lintPolicy(text: string, bucket: string): string[] {
  const problems: string[] = [];
  let doc: Record<string, unknown>;
  try {
    doc = parsePolicyJson(text);
  } catch (e) {
    return [(e as Error).message];
  }
  const dialect = detectDialect(doc);
  if (doc.Version !== VERSION[dialect]) {
    problems.push(`"Version" should be "${VERSION[dialect]}" for the ${dialect === 'swarm' ? 'JASMIN (Swarm)' : 'AWS/Ceph'} dialect.`);
  }
  asArray(doc.Statement).forEach((s, i) => {
    const n = `Statement ${i + 1}`;
    const st = (s ?? {}) as Record<string, unknown>;
    const actions = strings(st.Action);
    if (dialect === 'swarm') {
      const prefixed = actions.filter((a) => /^s3:/i.test(a));
      if (prefixed.length) problems.push(`${n}: JASMIN actions have no "s3:" prefix (${prefixed.join(', ')}).`);
      if (st.Resource !== undefined && st.Resource !== '*') problems.push(`${n}: on JASMIN, "Resource" is "*" (the bucket the policy is on).`);
      const p = st.Principal as Record<string, unknown> | undefined;
      if (p === '*' as unknown || (p && 'AWS' in p)) problems.push(`${n}: JASMIN principals are {"user": [...]}, {"group": [...]} or {"anonymous": ["*"]}.`);
    } else {
      const bare = actions.filter((a) => !/^s3:/i.test(a) && a !== '*');
      if (bare.length) problems.push(`${n}: AWS/Ceph actions need the "s3:" prefix (${bare.join(', ')}).`);
      for (const r of strings(st.Resource)) {
        if (r !== '*' && !r.startsWith(`arn:aws:s3:::${bucket}`)) problems.push(`${n}: resource ${r} is not in bucket ${bucket}.`);
      }
      const bucketActs = actions.filter((a) => isBucketAction(a));
      const objectActs = actions.filter((a) => !isBucketAction(a) && a !== 's3:*' && a !== '*');
      const res = strings(st.Resource);
      if (bucketActs.length && res.length && !res.some((r) => r === '*' || r === `arn:aws:s3:::${bucket}`)) {
        problems.push(`${n}: ${bucketActs.join(', ')} act on the bucket, so "arn:aws:s3:::${bucket}" must be among the resources.`);
      }
      if (objectActs.length && res.length && !res.some((r) => r === '*' || r.startsWith(`arn:aws:s3:::${bucket}/`))) {
        problems.push(`${n}: ${objectActs.join(', ')} act on objects, so "arn:aws:s3:::${bucket}/*" must be among the resources.`);
      }
    }
    if (st.Effect !== 'Allow' && st.Effect !== 'Deny') problems.push(`${n}: "Effect" must be "Allow" or "Deny".`);
    if (!actions.length) problems.push(`${n}: no "Action".`);
    if (st.Principal === undefined) problems.push(`${n}: no "Principal".`);
  });
  if (!asArray(doc.Statement).length) problems.push('The policy has no statements.');
  return problems;
}
