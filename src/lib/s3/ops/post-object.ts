/**
 * PostObject: the browser-form upload. The object goes as the `file` field of
 * a `multipart/form-data` POST to the bucket, authorised by a SigV4-signed
 * policy document carried in the form, not by an `Authorization` header.
 *
 * Why: a PUT signed in a header is a "non-simple" request, so a browser asks
 * the store first (a CORS preflight, one more round trip) for every new URL,
 * that is for every object of a folder. A POST with a form body and no header
 * of ours is a simple request: no preflight at all. The answer is readable
 * where the bucket's CORS rule allows POST from the page's origin.
 *
 * Checked against Ceph RGW (test/integration/upload/post-object.test.ts): it
 * takes the form with `success_action_status=201` and answers with a
 * `<PostResponse>` whose `<ETag>` is the MD5 of the body; it does NOT check a
 * `Content-MD5` field against the body (a wrong one is stored without
 * complaint when the policy names it), so the form carries none and the
 * caller compares the returned ETag with its own MD5 instead. The policy pins
 * the key, the content type, the metadata and the exact size
 * (`content-length-range`), and expires after an hour.
 */
import type { S3Client, SendOptions } from '../client';
import { S3Error } from '../errors';
import { credentialScope, amzDate } from '../signer';
import { child, parseXml, text } from '../xml';
import { encodeMetaValue, operation, unquoteEtag } from '../request';

export interface PostObjectInput {
  bucket: string;
  key: string;
  /**
   * The file. Bytes go as a form serialized here, one block of memory, which
   * the browser sends as it is; a Blob goes in a FormData, which the browser
   * reads from the file as it sends (see `formBytes` for why bytes are better).
   */
  body: Blob | Uint8Array;
  contentType?: string;
  /** User metadata (`x-amz-meta-*`), e.g. the whole-file SHA-256. */
  metadata?: Record<string, string>;
}

/** Who signs, and when (the store's clock). */
export interface PostScope {
  accessKeyId: string;
  sessionToken?: string;
  region: string;
  /** Milliseconds, already corrected for clock skew. */
  now: number;
}

/** The form's fields in order (without the signature and the file), and the base64 policy they satisfy. */
export interface PostForm {
  fields: Array<[string, string]>;
  policy: string;
}

export interface SignedPostForm extends PostForm {
  signature: string;
}

export interface PostObjectOutput {
  /** The MD5 of the stored body (hex) for a single-part object on RGW and AWS. */
  etag?: string;
}

/** How long a signed form stays valid (covers the client's retries). */
export const POST_POLICY_SECONDS = 3600;

/**
 * Keys a form cannot carry as they are: `${filename}` is replaced by the
 * file's name in a POST key, and line breaks may be rewritten by the form's
 * encoding. Such keys go by PUT.
 */
export function postableKey(key: string): boolean {
  return !key.includes('${filename}') && !/[\r\n]/.test(key);
}

function base64Utf8(s: string): string {
  const bytes = new TextEncoder().encode(s);
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

/** The form fields and the policy document naming each of them exactly (pure). */
export function postPolicy(input: PostObjectInput, scope: PostScope, expiresInSeconds = POST_POLICY_SECONDS): PostForm {
  const fields: Array<[string, string]> = [
    ['key', input.key],
    ['Content-Type', input.contentType || 'application/octet-stream'],
  ];
  for (const [k, v] of Object.entries(input.metadata ?? {})) fields.push([`x-amz-meta-${k.toLowerCase()}`, encodeMetaValue(v)]);
  fields.push(
    ['success_action_status', '201'],
    ['x-amz-algorithm', 'AWS4-HMAC-SHA256'],
    ['x-amz-credential', `${scope.accessKeyId}/${credentialScope(scope.now, scope.region)}`],
    ['x-amz-date', amzDate(scope.now)],
  );
  if (scope.sessionToken) fields.push(['x-amz-security-token', scope.sessionToken]);
  const size = input.body instanceof Uint8Array ? input.body.length : input.body.size;
  const document = {
    expiration: new Date(scope.now + expiresInSeconds * 1000).toISOString(),
    conditions: [{ bucket: input.bucket }, ...fields.map(([name, value]) => ({ [name]: value })), ['content-length-range', size, size]],
  };
  return { fields, policy: base64Utf8(JSON.stringify(document)) };
}

/**
 * A form (`multipart/form-data`) of `fields` then the file, as bytes, with
 * its Content-Type header. The browser sends a body of bytes as it is; a
 * FormData holding a File it reads from the file once the request has been
 * given a connection, and Chromium 156 drops such a request for good when the
 * store's HTTP/2 connection goes away (a GOAWAY, which nginx sends after 1000
 * requests on a connection by default) while the file is being opened: its
 * net log shows the stream "Abandoned" (ERR_HTTP2_SERVER_REFUSED_STREAM)
 * during UPLOAD_DATA_STREAM_INIT, and nothing after, where a request with a
 * body of bytes is sent again on the next connection. Field values are sent
 * as UTF-8, exactly (FormData would turn a lone LF in a key into CRLF).
 * `multipart/form-data` with a boundary is a CORS-safelisted Content-Type:
 * still no preflight.
 */
export function formBytes(fields: [string, string][], file: Uint8Array): { body: Uint8Array; contentType: string } {
  const boundary = `TesseraForm${Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('')}`;
  const enc = new TextEncoder();
  // Field names are this module's own (ASCII, no quotes); values may be anything but the boundary, which is random.
  const head = fields.map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`).join('');
  const before = enc.encode(`${head}--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="file"\r\nContent-Type: application/octet-stream\r\n\r\n`);
  const after = enc.encode(`\r\n--${boundary}--\r\n`);
  const body = new Uint8Array(before.length + file.length + after.length);
  body.set(before, 0);
  body.set(file, before.length);
  body.set(after, before.length + file.length);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

/** The request: every field, then the signature, then the file (a store reads no field after it). */
export const PostObject = operation<PostObjectInput & { form: SignedPostForm }, PostObjectOutput>({
  name: 'PostObject',
  build: (input) => {
    const fields: [string, string][] = [...input.form.fields, ['policy', input.form.policy], ['x-amz-signature', input.form.signature]];
    if (input.body instanceof Uint8Array) {
      const { body, contentType } = formBytes(fields, input.body);
      // Only a safelisted Content-Type: the request stays simple (no CORS preflight); the form carries its own signature.
      return { operation: 'PostObject', method: 'POST', bucket: input.bucket, body, headers: { 'content-type': contentType }, unsigned: true };
    }
    const body = new FormData();
    for (const [name, value] of fields) body.append(name, value);
    // The part's own name and type are not used: the key and Content-Type fields say what to store.
    body.append('file', input.body, 'file');
    // No header of ours: the request stays simple (no CORS preflight); the form carries its own signature.
    return { operation: 'PostObject', method: 'POST', bucket: input.bucket, body, unsigned: true };
  },
  async parse(res, input) {
    const xml = await res.text();
    const header = unquoteEtag(res.headers.get('etag'));
    if (!xml.trim()) return { etag: header };
    const root = child(parseXml(xml), 'PostResponse');
    const key = text(root, 'Key');
    if (key !== undefined && key !== input.key) {
      throw new S3Error({ operation: 'PostObject', status: res.status, code: 'InvalidResponse', bucket: input.bucket, key: input.key, retryable: false, message: `The store stored the form upload under another key (${key}).` });
    }
    return { etag: unquoteEtag(text(root, 'ETag')) ?? header };
  },
});

/** Sign a form for `input` (in the client: the secret never leaves it) and send it. */
export async function postObject(client: S3Client, input: PostObjectInput, options: SendOptions = {}): Promise<PostObjectOutput> {
  const form = await client.signPolicy((scope) => postPolicy(input, scope));
  if (!form) throw new S3Error({ operation: 'PostObject', status: 0, code: 'NotSigned', bucket: input.bucket, key: input.key, retryable: false, message: 'An anonymous connection cannot sign a form upload.' });
  return client.send(PostObject, { ...input, form }, options);
}
