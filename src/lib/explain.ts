/**
 * Plain-words explanations of failures for the UI, with what to do next.
 */
import type { S3ErrorFields } from './s3/errors';
import type { Diagnosis } from './s3/diagnose';

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
    `and run:  s3cmd setcors rules.xml s3://${bucket}`,
    ``,
    `Or with the AWS CLI: save this as cors.json`,
    corsRuleJson(origin),
    `and run:  aws s3api put-bucket-cors --endpoint-url ${endpointUrl} --bucket ${bucket} --cors-configuration file://cors.json`,
  ].join('\n');
}

export function explainDiagnosis(d: Diagnosis, bucket: string, origin: string, endpointUrl: string): Explanation {
  switch (d.kind) {
    case 'ok':
      return { title: 'The bucket answers normally', detail: 'The failure was probably temporary. Try again.' };
    case 'no-cors':
      return { title: 'Missing CORS (or unreachable bucket)', detail: d.detail, fix: corsFix(bucket, origin, endpointUrl) };
    case 'bad-credentials':
      return { title: 'Wrong keys', detail: d.detail + ' Check the access key and secret (JASMIN keys expire: see the Object Store Portal).' };
    case 'preflight-refused':
      return { title: 'CORS rule too narrow', detail: d.detail, fix: corsFix(bucket, origin, endpointUrl) };
    case 'no-such-bucket':
      return { title: 'No such bucket', detail: d.detail };
    case 'access-denied':
      return { title: 'Access denied', detail: d.detail };
    case 'unreachable':
      return { title: 'The store cannot be reached', detail: d.detail };
  }
}

/** A short explanation of an S3 error for a banner. */
export function explainError(e: Partial<S3ErrorFields> & { message?: string }): Explanation {
  switch (e.code) {
    case 'NetworkError':
      return { title: 'Bad credentials or missing CORS', detail: 'The browser got no readable answer. Either the keys are wrong, the bucket has no CORS rule for this page, or the store is unreachable. Run the check to find out which.' };
    case 'SignatureDoesNotMatch':
      return { title: 'Wrong secret key', detail: e.message ?? '' };
    case 'InvalidAccessKeyId':
      return { title: 'Unknown access key', detail: e.message ?? '' };
    case 'NoSuchBucket':
      return { title: 'No such bucket', detail: e.message ?? '' };
    case 'AccessDenied':
      return { title: 'Access denied', detail: e.message ?? '' };
    case 'RequestTimeTooSkewed':
      return { title: 'Clock skew', detail: e.message ?? '' };
    default:
      return { title: e.code ? `${e.operation ?? 'Request'} failed: ${e.code}` : 'Something went wrong', detail: e.message ?? String(e) };
  }
}
