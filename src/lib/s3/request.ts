/** The shape every S3 operation shares: a pure request builder and a response parser. */

export type Method = 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE';

/** A body that can be sent again on retry. Streams cannot, so they are sent once. */
export type RequestBody = string | Uint8Array | ArrayBuffer | Blob | ReadableStream<Uint8Array>;

export interface S3Request {
  /** Name of the S3 operation, for errors (`PutObject`). */
  operation: string;
  method: Method;
  bucket?: string;
  key?: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: RequestBody | FormData;
  /** Sent as built, with no `Authorization` header: the body carries its own signature (PostObject's form). */
  unsigned?: boolean;
}

export interface Operation<I, O> {
  readonly name: string;
  build(input: I): S3Request;
  /** Turn a successful (2xx) response into the result. May throw `S3Error` (e.g. a 200 carrying `<Error>`). */
  parse(response: Response, input: I): Promise<O>;
}

/** Define an operation with its types inferred. */
export function operation<I, O>(op: Operation<I, O>): Operation<I, O> {
  return op;
}

/** Strip the quotes S3 puts around ETags. */
export function unquoteEtag(etag: string | null | undefined): string | undefined {
  if (etag == null) return undefined;
  return etag.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
}

/** User metadata (`x-amz-meta-*`) from response headers. Values are decoded where the store RFC 2047-encoded them. */
export function userMetadata(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (name.toLowerCase().startsWith('x-amz-meta-')) out[name.slice(11).toLowerCase()] = decodeMetaValue(value);
  });
  return out;
}

/**
 * Metadata values travel as HTTP header values, which must be ISO-8859-1.
 * We send non-ASCII values as RFC 2047 `=?UTF-8?B?...?=` (what AWS SDKs read
 * back as such) and decode them on the way in.
 */
export function encodeMetaValue(value: string): string {
  if (/^[\x20-\x7e]*$/.test(value)) return value;
  const bytes = new TextEncoder().encode(value);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return `=?UTF-8?B?${btoa(bin)}?=`;
}

export function decodeMetaValue(value: string): string {
  const m = /^=\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?=$/i.exec(value.trim());
  if (!m) return value;
  try {
    const bin = atob(m[1]!);
    return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
  } catch {
    return value;
  }
}

/** Headers for user metadata. */
export function metadataHeaders(meta: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(meta ?? {})) out[`x-amz-meta-${k.toLowerCase()}`] = encodeMetaValue(v);
  return out;
}
