/**
 * The CORS doctor: does a bucket's CORS configuration let this app work from
 * this origin, and if not, exactly which rule fixes it? A page cannot set the
 * first rule itself (the preflight of `PUT ?cors` is refused until a rule lets
 * it through), so the fix is also given as files and commands.
 */
import { buildCorsXml, type CorsRule } from '../s3/ops/cors-rules';
import type { Diagnosis } from '../s3/diagnose';

export type Need = 'read' | 'write' | 'delete' | 'multipart' | 'clock' | 'verify';

export interface CorsFinding {
  level: 'ok' | 'warning' | 'error';
  message: string;
}

export interface CorsReport {
  /** The rule that matches this origin, if any. */
  rule?: CorsRule;
  findings: CorsFinding[];
  /** Everything needed works. */
  healthy: boolean;
  /** The configuration to write: the existing rules with ours added or widened. */
  fixed: CorsRule[];
  /**
   * Why signed requests got no readable answer, when the rules could not be
   * read either. When CORS is not the cause (nothing answers, no such bucket,
   * wrong keys, an invalid name) no CORS fix applies.
   */
  cause?: Diagnosis;
  /** The page cannot tell whether the bucket exists: the fix applies only if it does. */
  existenceUnknown?: boolean;
}

/** Headers the app reads from responses, and why. */
export const EXPOSE: { header: string; need: Need; why: string }[] = [
  { header: 'ETag', need: 'multipart', why: 'part ETags of uploads (without it uploads fall back to listing parts)' },
  { header: 'Content-Length', need: 'read', why: 'sizes of downloads' },
  { header: 'Content-Range', need: 'read', why: 'byte ranges (previews, parallel downloads, Zarr shards)' },
  { header: 'Date', need: 'clock', why: "correcting this computer's clock when it is off" },
  { header: 'x-amz-request-id', need: 'read', why: 'request ids in error reports' },
  { header: 'x-amz-version-id', need: 'read', why: 'versions of objects' },
  { header: 'x-amz-meta-sha256', need: 'verify', why: 'whole-file checksums of uploads made by Tessera' },
];

const METHODS: Record<string, Need> = { GET: 'read', HEAD: 'read', PUT: 'write', POST: 'multipart', DELETE: 'delete' };

/** S3 CORS origins allow one `*` wildcard. */
export function originMatches(pattern: string, origin: string): boolean {
  if (pattern === '*') return true;
  if (!pattern.includes('*')) return pattern.toLowerCase() === origin.toLowerCase();
  const [head, tail] = pattern.toLowerCase().split('*', 2) as [string, string];
  const o = origin.toLowerCase();
  return o.length >= head.length + tail.length && o.startsWith(head) && o.endsWith(tail);
}

function headerAllowed(rule: CorsRule, header: string): boolean {
  return rule.allowedHeaders.some((h) => h === '*' || originMatches(h.toLowerCase(), header.toLowerCase()));
}

/** The rule Tessera recommends for an origin. */
export function recommendedRule(origin: string): CorsRule {
  return {
    allowedOrigins: [origin],
    allowedMethods: ['GET', 'HEAD', 'PUT', 'POST', 'DELETE'],
    allowedHeaders: ['*'],
    exposeHeaders: EXPOSE.map((e) => e.header),
    maxAgeSeconds: 3600,
  };
}

/** Examine a bucket's rules for an origin. `rules` is empty when the bucket has none. */
export function examineCors(rules: CorsRule[], origin: string): CorsReport {
  const findings: CorsFinding[] = [];
  // Browsers use the first rule whose origin and method match; GET is what everything starts with.
  const rule = rules.find((r) => r.allowedOrigins.some((o) => originMatches(o, origin)) && r.allowedMethods.includes('GET'));
  if (!rules.length) {
    findings.push({ level: 'error', message: 'The bucket has no CORS rules: a web page cannot use it at all.' });
  } else if (!rule) {
    findings.push({ level: 'error', message: `No rule allows the origin ${origin} with GET.` });
  }
  if (rule) {
    findings.push({ level: 'ok', message: `A rule allows ${origin}.` });
    for (const [m, need] of Object.entries(METHODS)) {
      if (!rule.allowedMethods.includes(m)) {
        const what = need === 'write' ? 'uploads and copies' : need === 'multipart' ? 'large (multipart) uploads and batch deletes' : need === 'delete' ? 'deleting objects' : 'reading';
        findings.push({ level: need === 'read' ? 'error' : 'warning', message: `Method ${m} is not allowed: no ${what}.` });
      }
    }
    for (const h of ['authorization', 'x-amz-date', 'x-amz-content-sha256', 'content-md5', 'content-type', 'range']) {
      if (!headerAllowed(rule, h)) {
        findings.push({ level: 'error', message: `Request header ${h} is not allowed (AllowedHeader * fixes it): signed requests will be refused.` });
        break;
      }
    }
    const exposed = new Set(rule.exposeHeaders.map((h) => h.toLowerCase()));
    for (const e of EXPOSE) {
      if (!exposed.has(e.header.toLowerCase())) findings.push({ level: e.header === 'ETag' ? 'warning' : 'ok', message: `${e.header} is not exposed: no ${e.why}.` });
    }
    if (rule.maxAgeSeconds === undefined || rule.maxAgeSeconds < 600) {
      findings.push({ level: 'ok', message: 'MaxAgeSeconds is short or unset: browsers will repeat preflight requests (slower).' });
    }
  }
  const healthy = !!rule && !findings.some((f) => f.level === 'error' || f.level === 'warning');
  return { rule, findings, healthy, fixed: healthy ? rules : fixRules(rules, origin) };
}

/** Keep the other origins' rules; replace ours with the recommended one (first, so it wins). */
export function fixRules(rules: CorsRule[], origin: string): CorsRule[] {
  const others = rules
    .map((r) => ({ ...r, allowedOrigins: r.allowedOrigins.filter((o) => o.toLowerCase() !== origin.toLowerCase()) }))
    .filter((r) => r.allowedOrigins.length);
  return [recommendedRule(origin), ...others];
}

/** JSON for `aws s3api put-bucket-cors --cors-configuration file://cors.json`. */
export function corsJson(rules: CorsRule[]): string {
  return JSON.stringify(
    {
      CORSRules: rules.map((r) => {
        const o: Record<string, unknown> = { AllowedOrigins: r.allowedOrigins, AllowedMethods: r.allowedMethods };
        if (r.id) o.ID = r.id;
        if (r.allowedHeaders.length) o.AllowedHeaders = r.allowedHeaders;
        if (r.exposeHeaders.length) o.ExposeHeaders = r.exposeHeaders;
        if (r.maxAgeSeconds !== undefined) o.MaxAgeSeconds = r.maxAgeSeconds;
        return o;
      }),
    },
    null,
    2,
  );
}

export interface FixStep {
  /** File to save, and what to put in it. */
  file?: { name: string; content: string };
  command: string;
  tool: 's3cmd' | 'aws';
}

/** The exact steps that write `rules` to a bucket with the tools JASMIN users have. */
export function corsFixSteps(rules: CorsRule[], bucket: string, endpointUrl: string): FixStep[] {
  return [
    { tool: 's3cmd', file: { name: 'rules.xml', content: buildCorsXml(rules) }, command: `s3cmd setcors rules.xml s3://${bucket}` },
    {
      tool: 'aws',
      file: { name: 'cors.json', content: corsJson(rules) },
      command: `aws s3api put-bucket-cors --endpoint-url ${endpointUrl} --bucket ${bucket} --cors-configuration file://cors.json`,
    },
  ];
}

/** The steps that write a policy document with the same tools. */
export function policyFixSteps(policyText: string, bucket: string, endpointUrl: string): FixStep[] {
  return [
    { tool: 's3cmd', file: { name: 'policy.json', content: policyText }, command: `s3cmd setpolicy policy.json s3://${bucket}` },
    { tool: 'aws', file: { name: 'policy.json', content: policyText }, command: `aws s3api put-bucket-policy --endpoint-url ${endpointUrl} --bucket ${bucket} --policy file://policy.json` },
  ];
}
