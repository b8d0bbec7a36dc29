/**
 * Plain-words explanations of failures for the UI, with what to do next.
 */
import type { S3ErrorFields } from './s3/errors';
import type { Diagnosis } from './s3/diagnose';
import { sh } from './explorer/reproduce';

export interface Explanation {
  title: string;
  detail: string;
  /** Commands or steps that fix it, when we know them. */
  fix?: string;
}

export function corsRuleXml(origin: string): string {
  return `<CORSConfiguration>
  <CORSRule>
    <AllowedOrigin>${origin}</AllowedOrigin>
    <AllowedMethod>GET</AllowedMethod>
    <AllowedMethod>HEAD</AllowedMethod>
    <AllowedMethod>PUT</AllowedMethod>
    <AllowedMethod>POST</AllowedMethod>
    <AllowedMethod>DELETE</AllowedMethod>
    <AllowedHeader>*</AllowedHeader>
    <ExposeHeader>ETag</ExposeHeader>
    <ExposeHeader>Content-Length</ExposeHeader>
    <ExposeHeader>Content-Range</ExposeHeader>
    <ExposeHeader>Date</ExposeHeader>
    <ExposeHeader>x-amz-request-id</ExposeHeader>
    <ExposeHeader>x-amz-version-id</ExposeHeader>
    <ExposeHeader>x-amz-meta-sha256</ExposeHeader>
    <MaxAgeSeconds>3600</MaxAgeSeconds>
  </CORSRule>
</CORSConfiguration>`;
}

export function corsRuleJson(origin: string): string {
  return JSON.stringify(
    {
      CORSRules: [
        {
          AllowedOrigins: [origin],
          AllowedMethods: ['GET', 'HEAD', 'PUT', 'POST', 'DELETE'],
          AllowedHeaders: ['*'],
          ExposeHeaders: ['ETag', 'Content-Length', 'Content-Range', 'Date', 'x-amz-request-id', 'x-amz-version-id', 'x-amz-meta-sha256'],
          MaxAgeSeconds: 3600,
        },
      ],
    },
    null,
    2,
  );
}

/**
 * The steps that put our CORS rule on a bucket, for the tools JASMIN users
 * have. A page cannot set the first rule itself: the preflight of `PUT ?cors`
 * is refused until a rule exists.
 */
export function corsFix(bucket: string, origin: string, endpointUrl: string): string {
  return [
    `With s3cmd: save this as rules.xml`,
    corsRuleXml(origin),
    // Quoted for the shell: the endpoint and bucket came from the user.
    `and run:  s3cmd setcors rules.xml ${sh(`s3://${bucket}`)}`,
    ``,
    `Or with the AWS CLI: save this as cors.json`,
    corsRuleJson(origin),
    `and run:  aws s3api put-bucket-cors --endpoint-url ${sh(endpointUrl)} --bucket=${sh(bucket)} --cors-configuration file://cors.json`,
  ].join('\n');
}

/** What the explanations need to know about where the failure happened. */
export interface ExplainContext {
  bucket: string;
  /** The page's origin, which a CORS rule must allow. */
  origin: string;
  endpointUrl: string;
  /** Anonymous connections have no keys to blame. */
  anonymous: boolean;
}

/** How to see whether a bucket exists, from a computer where the CLI tools work. */
export function existenceCheck(bucket: string, endpointUrl: string): string {
  return [`To see whether the bucket exists, run one of:`, `  s3cmd ls s3://${bucket}`, `  aws s3api head-bucket --endpoint-url ${endpointUrl} --bucket ${bucket}`].join('\n');
}

/**
 * The explanation of a diagnosis. Only a diagnosis in which CORS is (or may
 * be) the cause carries the CORS commands: printing `setcors` for a dead
 * endpoint, a missing bucket or wrong keys sends people the wrong way.
 */
export function explainDiagnosis(d: Diagnosis, ctx: ExplainContext): Explanation {
  const { bucket, origin, endpointUrl } = ctx;
  switch (d.kind) {
    case 'ok':
      return { title: 'The bucket answers normally', detail: `${d.detail} The failure was probably temporary: try again.` };
    case 'invalid-name':
      return { title: 'Not a valid bucket name', detail: d.detail };
    case 'nothing-answers':
      return { title: 'Nothing answers at the endpoint', detail: d.detail };
    case 'no-such-bucket':
      return { title: 'No such bucket', detail: `${d.detail} Check the name (bucket names are case-sensitive) and the endpoint.` };
    case 'missing-or-no-cors':
      return {
        title: 'No such bucket, or no CORS rule for this page',
        detail: d.detail,
        fix: [
          existenceCheck(bucket, endpointUrl),
          '',
          ctx.anonymous
            ? `If it exists, its owner must give it a CORS rule that allows ${origin}, for example:`
            : `If it exists, it needs a CORS rule that allows ${origin}. A web page cannot set the first rule itself:`,
          corsFix(bucket, origin, endpointUrl),
        ].join('\n'),
      };
    case 'bad-credentials':
      return { title: 'Wrong keys', detail: `${d.detail} Check the access key and the secret key (JASMIN keys expire: see the Object Store Portal).` };
    case 'clock-skew':
      return { title: "This computer's clock is wrong", detail: `${d.detail} Set the clock (or turn on automatic time) and try again.` };
    case 'cors-too-narrow':
      return { title: 'CORS rule too narrow', detail: d.detail, fix: corsFix(bucket, origin, endpointUrl) };
    case 'access-denied':
      return { title: 'Access denied', detail: d.detail };
    case 'unexpected':
      return { title: 'Unexpected answer from the store', detail: d.detail };
  }
}

/** Errors the page cannot explain from the error alone: the diagnosis probes find out why. */
export function needsDiagnosis(e: Partial<S3ErrorFields>): boolean {
  return e.code === 'NetworkError';
}

/** A short explanation of an S3 error for a banner. */
export function explainError(e: Partial<S3ErrorFields> & { message?: string }, options: { anonymous?: boolean } = {}): Explanation {
  switch (e.code) {
    case 'NetworkError':
      return {
        title: 'No readable answer from the store',
        detail: options.anonymous
          ? 'The browser got no readable answer: the store may be unreachable, or the bucket may not exist or have no CORS rule for this page.'
          : 'The browser got no readable answer: the store may be unreachable, the bucket may not exist or have no CORS rule for this page, or the keys may be wrong.',
      };
    case 'InvalidBucketName':
      return { title: 'Not a valid bucket name', detail: e.message ?? '' };
    case 'SignatureDoesNotMatch':
      return { title: 'Wrong secret key', detail: e.message ?? '' };
    case 'InvalidAccessKeyId':
      return { title: 'Unknown access key', detail: e.message ?? '' };
    case 'NoSuchBucket':
      return { title: 'No such bucket', detail: e.message ?? '' };
    case 'AccessDenied':
      return { title: 'Access denied', detail: options.anonymous ? 'The store does not allow this without keys.' : (e.message ?? '') };
    case 'RequestTimeTooSkewed':
      return { title: 'Clock skew', detail: e.message ?? '' };
    default:
      return { title: e.code ? `${e.operation ?? 'Request'} failed: ${e.code}` : 'Something went wrong', detail: e.message ?? String(e) };
  }
}
