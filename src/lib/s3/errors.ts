/**
 * Structured S3 errors. They carry what a user (and the retry logic) needs —
 * operation, HTTP status, S3 code, request id, key — and never a credential or
 * a signed URL, so they are safe to show, log and post across a worker boundary.
 */

export interface S3ErrorFields {
  /** The S3 operation, e.g. `ListObjectsV2`. */
  operation: string;
  /** HTTP status, or 0 when no response arrived (network error, CORS refusal). */
  status: number;
  /** S3 error code (`NoSuchKey`, `SignatureDoesNotMatch`...) or one of ours (`NetworkError`, `Aborted`). */
  code: string;
  /** Human-readable message in plain words. */
  message: string;
  requestId?: string;
  bucket?: string;
  key?: string;
  /** Whether trying again could succeed. */
  retryable: boolean;
  /** Server time from the `Date` header or the error body, used for clock-skew correction. */
  serverTime?: string;
}

const KNOWN_MESSAGES: Record<string, string> = {
  NoSuchBucket: 'The bucket does not exist.',
  NoSuchKey: 'The object does not exist.',
  NoSuchUpload: 'The multipart upload does not exist (it was completed or aborted).',
  AccessDenied: 'Access denied: this connection is not allowed to do this.',
  InvalidAccessKeyId: 'The access key is not known to this store.',
  SignatureDoesNotMatch: 'The secret key is wrong (the signature does not match).',
  RequestTimeTooSkewed: "This computer's clock differs too much from the store's clock.",
  SlowDown: 'The store asks us to slow down.',
  ServiceUnavailable: 'The store is temporarily unavailable.',
  InternalError: 'The store had an internal error.',
  BucketAlreadyExists: 'A bucket with this name already exists.',
  BucketAlreadyOwnedByYou: 'You already own a bucket with this name.',
  BucketNotEmpty: 'The bucket is not empty.',
  EntityTooSmall: 'A part is smaller than the 5 MiB minimum.',
  InvalidPart: 'A part is missing or its ETag does not match.',
  InvalidBucketName: 'That is not a valid bucket name.',
  NoSuchBucketPolicy: 'The bucket has no policy.',
  NoSuchCORSConfiguration: 'The bucket has no CORS configuration.',
  NetworkError: 'No response from the store: the network failed, the store is down, or the browser refused the request (CORS).',
  Aborted: 'Cancelled.',
  QuotaExceeded: 'The quota of this tenancy is exceeded.',
  BadDigest: 'The data sent does not match its checksum.',
  InvalidDigest: 'The checksum sent is not valid.',
  XAmzContentSHA256Mismatch: 'The data sent does not match its checksum.',
  InvalidRange: 'The requested byte range is not valid for this object.',
  MalformedXML: 'The store could not read the XML sent.',
  MalformedPolicy: 'The store refused the policy document.',
  InvalidResponse: 'The store answered with something that is not valid S3 XML.',
  PreconditionFailed: 'The object changed (precondition failed).',
};

const STATUS_CODES: Record<number, string> = {
  301: 'PermanentRedirect',
  304: 'NotModified',
  400: 'BadRequest',
  403: 'AccessDenied',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  412: 'PreconditionFailed',
  416: 'InvalidRange',
  429: 'SlowDown',
  500: 'InternalError',
  501: 'NotImplemented',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
  504: 'GatewayTimeout',
};

const RETRYABLE_CODES = new Set([
  'NetworkError',
  'SlowDown',
  'ServiceUnavailable',
  'InternalError',
  'BadGateway',
  'GatewayTimeout',
  'RequestTimeout',
  'RequestTimeTooSkewed',
  'Throttling',
  'ThrottlingException',
  'TooManyRequests',
]);

/** Whether a failure of this code/status is worth retrying. */
export function isRetryable(code: string, status: number): boolean {
  if (RETRYABLE_CODES.has(code)) return true;
  return status === 429 || status === 500 || status === 502 || status === 503 || status === 504;
}

/** A code for a status when the body carried none (HEAD responses have no body). */
export function codeForStatus(status: number, hasKey: boolean): string {
  if (status === 404) return hasKey ? 'NoSuchKey' : 'NoSuchBucket';
  return STATUS_CODES[status] ?? `Http${status}`;
}

/** Plain-words message for a code; falls back to the server's message. */
export function messageFor(code: string, serverMessage?: string): string {
  return KNOWN_MESSAGES[code] ?? (serverMessage && serverMessage.trim() ? serverMessage.trim() : `The store answered ${code}.`);
}

/** Remove anything that looks like a signature, credential or secret from a string. */
export function redact(text: string): string {
  return text
    .replace(/(X-Amz-(?:Signature|Credential|Security-Token)=)[^&\s"'<]*/gi, '$1[redacted]')
    .replace(/(Signature=)[0-9a-f]{16,}/gi, '$1[redacted]')
    .replace(/(Credential=)[^,\s"'<]*/gi, '$1[redacted]');
}

export class S3Error extends Error implements S3ErrorFields {
  override readonly name = 'S3Error';
  readonly operation: string;
  readonly status: number;
  readonly code: string;
  readonly requestId?: string;
  readonly bucket?: string;
  readonly key?: string;
  readonly retryable: boolean;
  readonly serverTime?: string;

  constructor(fields: Omit<S3ErrorFields, 'message' | 'retryable'> & { message?: string; retryable?: boolean }, options?: { cause?: unknown }) {
    super(redact(fields.message ?? messageFor(fields.code)), options);
    this.operation = fields.operation;
    this.status = fields.status;
    this.code = fields.code;
    if (fields.requestId) this.requestId = fields.requestId;
    if (fields.bucket !== undefined) this.bucket = fields.bucket;
    if (fields.key !== undefined) this.key = fields.key;
    if (fields.serverTime) this.serverTime = fields.serverTime;
    this.retryable = fields.retryable ?? isRetryable(fields.code, fields.status);
  }

  /** Plain fields, for structured cloning across a worker boundary. */
  toJSON(): S3ErrorFields {
    const out: S3ErrorFields = {
      operation: this.operation,
      status: this.status,
      code: this.code,
      message: this.message,
      retryable: this.retryable,
    };
    if (this.requestId) out.requestId = this.requestId;
    if (this.bucket !== undefined) out.bucket = this.bucket;
    if (this.key !== undefined) out.key = this.key;
    if (this.serverTime) out.serverTime = this.serverTime;
    return out;
  }

  static fromJSON(fields: S3ErrorFields): S3Error {
    return new S3Error(fields);
  }

  /** A one-line summary for the UI: what failed, why, and the request id for support. */
  describe(): string {
    const where = this.key !== undefined ? ` (${this.bucket ?? ''}/${this.key})` : this.bucket ? ` (${this.bucket})` : '';
    const rid = this.requestId ? ` Request id: ${this.requestId}.` : '';
    return `${this.operation} failed${where}: ${this.message}${rid}`;
  }
}

export function isS3Error(e: unknown): e is S3Error {
  return e instanceof S3Error;
}

/** An `S3Error` for a cancelled operation. */
export function abortedError(operation: string): S3Error {
  return new S3Error({ operation, status: 0, code: 'Aborted', retryable: false });
}
