/**
 * SigV4 signing for S3, a thin layer over aws4fetch's `AwsV4Signer`.
 *
 * We always pass `service: 's3'` and the region explicitly (aws4fetch guesses
 * them from AWS host names only) and inject the date, so clock skew can be
 * corrected. Payloads are sent as `UNSIGNED-PAYLOAD`: integrity comes from
 * `Content-MD5` (signed as a header) instead of hashing every body twice.
 */
import { AwsV4Signer } from 'aws4fetch';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SignInput {
  method: string;
  url: string;
  headers?: Record<string, string>;
  region: string;
  credentials: Credentials;
  /** Wall-clock time to sign with, in ms (already corrected for skew). */
  now: number;
  /** Shared cache of derived signing keys (per secret/date/region). */
  cache?: Map<string, ArrayBuffer>;
}

/** `20150830T123600Z` */
export function amzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[:-]|\.\d{3}/g, '');
}

/** The longest a SigV4 presigned URL may live: 7 days. */
export const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

/** Options only the known-answer tests need: S3 itself always uses the defaults. */
export interface SignerTestOptions {
  service?: string;
  body?: string;
  allHeaders?: boolean;
  appendSessionToken?: boolean;
  singleEncode?: boolean;
}

/** The aws4fetch signer configured the way every Tessera request is signed. */
export function v4Signer(input: SignInput, signQuery: boolean, test: SignerTestOptions = {}): AwsV4Signer {
  return new AwsV4Signer({
    method: input.method,
    url: input.url,
    headers: input.headers ?? {},
    body: test.body,
    accessKeyId: input.credentials.accessKeyId,
    secretAccessKey: input.credentials.secretAccessKey,
    sessionToken: input.credentials.sessionToken,
    service: test.service ?? 's3',
    region: input.region,
    datetime: amzDate(input.now),
    signQuery,
    cache: input.cache,
    allHeaders: test.allHeaders,
    appendSessionToken: test.appendSessionToken,
    singleEncode: test.singleEncode,
  });
}

/** Sign a request with an `Authorization` header. Returns the URL and headers to send. */
export async function signRequest(input: SignInput): Promise<{ url: string; headers: Headers }> {
  const signed = await v4Signer(input, false).sign();
  return { url: signed.url.toString(), headers: signed.headers };
}

/**
 * A presigned URL (query-string signature) valid for `expiresIn` seconds,
 * clamped to 1 s .. 7 days.
 */
export async function presignUrl(input: SignInput & { expiresIn: number }): Promise<string> {
  const seconds = Math.max(1, Math.min(MAX_PRESIGN_SECONDS, Math.floor(input.expiresIn)));
  const url = new URL(input.url);
  url.searchParams.set('X-Amz-Expires', String(seconds));
  const signed = await v4Signer({ ...input, url: url.toString() }, true).sign();
  return signed.url.toString();
}

/**
 * The SigV4 signature of a string to sign given as is: a browser POST
 * upload's base64 policy document. Same key derivation (and key cache) as
 * every other request; the credential scope is the date of `now`.
 */
export async function signString(stringToSign: string, input: Pick<SignInput, 'region' | 'credentials' | 'now' | 'cache'>): Promise<string> {
  const signer = v4Signer({ ...input, method: 'POST', url: 'https://s3.invalid/' }, false);
  // aws4fetch hashes a canonical request into the string to sign; a POST policy is signed as it is.
  signer.stringToSign = async () => stringToSign;
  return signer.signature();
}

/** `20150830/us-east-1/s3/aws4_request` for the day of `ms`. */
export function credentialScope(ms: number, region: string): string {
  return `${amzDate(ms).slice(0, 8)}/${region}/s3/aws4_request`;
}
