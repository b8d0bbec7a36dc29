/**
 * What a page can observe of a bucket's CORS set-up by using it. Needed
 * because some stores answer `GET ?cors` without CORS headers (Ceph RGW 16
 * does), so the rules themselves are unreadable from a browser even when
 * they work. Runs in the S3 worker, where the browser's CORS checks apply.
 */
import type { S3Client } from '../s3/client';
import { S3Error } from '../s3/errors';
import { bucketNameProblem } from '../s3/endpoint';
import { corsMayBeCause, diagnoseBucket, type Diagnosis } from '../s3/diagnose';
import * as ops from '../s3/ops/index';
import type { CorsRule } from '../s3/ops/cors-rules';
import { EXPOSE, examineCors, recommendedRule, type CorsFinding, type CorsReport } from './cors-doctor';

export interface CorsObservation {
  /** The rules, or null when the browser cannot read them. */
  rules: CorsRule[] | null;
  /** Whether a signed listing was readable. */
  listing: boolean;
  /** Response headers the page could read, by name (lower case). Checked on a HEAD of one object when there is one. */
  exposed: Record<string, boolean>;
  /** The object the headers were checked on. */
  sampleKey?: string;
  /** Why neither the rules nor a signed listing were readable (see diagnose.ts). */
  diagnosis?: Diagnosis;
}

export async function observeCors(client: S3Client, bucket: string, signal?: AbortSignal): Promise<CorsObservation> {
  const problem = bucketNameProblem(bucket, client.endpoint.style);
  if (problem) return { rules: null, listing: false, exposed: {}, diagnosis: { kind: 'invalid-name', detail: problem } };
  let rules: CorsRule[] | null = null;
  try {
    rules = await client.send(ops.GetBucketCors, { bucket }, { signal });
  } catch (e) {
    if (e instanceof S3Error && e.code === 'NoSuchCORSConfiguration') rules = [];
    else if (!(e instanceof S3Error && e.code === 'NetworkError')) throw e;
  }
  const exposed: Record<string, boolean> = {};
  let listing = false;
  let sampleKey: string | undefined;
  try {
    const res = await client.sendRaw(ops.ListObjectsV2.build({ bucket, maxKeys: 1 }), { signal });
    const page = await ops.ListObjectsV2.parse(res, { bucket });
    listing = true;
    exposed['date'] = res.headers.has('date');
    exposed['x-amz-request-id'] = res.headers.has('x-amz-request-id');
    sampleKey = page.objects[0]?.key;
  } catch (e) {
    if (!(e instanceof S3Error) || e.code === 'Aborted') throw e;
  }
  if (sampleKey !== undefined) {
    try {
      const res = await client.sendRaw(ops.HeadObject.build({ bucket, key: sampleKey }), { signal });
      for (const e of EXPOSE) {
        const name = e.header.toLowerCase();
        if (name === 'date' || name === 'x-amz-request-id' || name === 'content-range' || name === 'x-amz-version-id' || name.startsWith('x-amz-meta-')) continue;
        exposed[name] = res.headers.has(name);
      }
    } catch (e) {
      if (!(e instanceof S3Error) || e.code === 'Aborted') throw e;
    }
  }
  // Nothing readable at all: "no CORS rule" is only one of the reasons (nothing
  // answers, no such bucket, wrong keys), so find out which before advising.
  const diagnosis = rules === null && !listing ? await diagnoseBucket(client, bucket, { signal }) : undefined;
  return diagnosis ? { rules, listing, exposed, sampleKey, diagnosis } : { rules, listing, exposed, sampleKey };
}

/** The doctor's report from what was observed, when the rules themselves are unreadable. */
export function examineObservation(obs: CorsObservation, origin: string): CorsReport {
  if (obs.rules) return examineCors(obs.rules, origin);
  const cause = obs.diagnosis && obs.diagnosis.kind !== 'ok' ? obs.diagnosis : undefined;
  if (cause && !corsMayBeCause(cause)) {
    // Something other than CORS stops the page: a CORS fix would send the user the wrong way.
    return { findings: [{ level: 'error', message: cause.detail }], healthy: false, fixed: [], cause };
  }
  const findings: CorsFinding[] = [
    { level: 'ok', message: 'This store does not let a web page read CORS rules, so the check below is made by using the bucket.' },
  ];
  if (!obs.listing) findings.push({ level: 'error', message: cause ? cause.detail : `Signed requests from ${origin} get no readable answer: no CORS rule allows this origin.` });
  else findings.push({ level: 'ok', message: `Signed requests from ${origin} work.` });
  for (const e of EXPOSE) {
    const seen = obs.exposed[e.header.toLowerCase()];
    if (seen === false) findings.push({ level: e.header === 'ETag' ? 'warning' : 'ok', message: `${e.header} is not exposed: no ${e.why}.` });
  }
  if (obs.listing && obs.sampleKey === undefined) {
    findings.push({ level: 'ok', message: 'The bucket is empty, so whether ETag is exposed cannot be checked yet.' });
  }
  const healthy = obs.listing && !findings.some((f) => f.level !== 'ok');
  const report: CorsReport = { findings, healthy, fixed: [recommendedRule(origin)] };
  if (cause) report.cause = cause;
  if (cause?.kind === 'missing-or-no-cors') report.existenceUnknown = true;
  return report;
}
