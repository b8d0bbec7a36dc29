/**
 * Bounded reads of response bodies. A store (or anything posing as one) can
 * answer with a listing page of hundreds of megabytes, a body that never
 * ends, a `Content-Length` that lies, or nothing at all after accepting the
 * connection. Every answer Tessera reads whole goes through here: it stops at
 * a size bound (without holding more than the bound in memory), gives up when
 * no byte arrives for a while, and turns each case into an `S3Error` whose
 * message says what happened.
 */
import { S3Error } from './errors';
import { parseErrorXml } from './error-xml';

/**
 * The largest S3 XML answer read: a ListObjects page of 1,000 keys of 1,024
 * bytes, URL-encoded (up to 3 bytes a byte) with their other fields, is under
 * 4 MiB; ListParts and ListMultipartUploads pages are smaller still.
 */
export const MAX_XML_BYTES = 16 * 1024 * 1024;
/** An error body is a few hundred bytes; read at most this much of one. */
export const MAX_ERROR_BYTES = 256 * 1024;
/** Give up when a response's headers, or its next bytes, take longer than this. */
export const IDLE_TIMEOUT_MS = 30_000;

export interface ReadBodyOptions {
  /** Operation name, for the error. */
  operation: string;
  maxBytes: number;
  /** Give up when no byte arrives for this long (default IDLE_TIMEOUT_MS). */
  idleMs?: number;
  /** Stop silently at `maxBytes` instead of failing (error bodies). */
  truncate?: boolean;
  bucket?: string;
  key?: string;
}

function mib(n: number): string {
  return `${Math.round((n / 1024 / 1024) * 10) / 10} MiB`;
}

export function tooLargeError(o: Pick<ReadBodyOptions, 'operation' | 'maxBytes' | 'bucket' | 'key'>, what = 'answer'): S3Error {
  return new S3Error({
    operation: o.operation, status: 200, code: 'ResponseTooLarge', bucket: o.bucket, key: o.key, retryable: false,
    message: `The store's ${what} is larger than ${mib(o.maxBytes)}, more than any valid answer to this request: Tessera stopped reading it.`,
  });
}

export function idleError(o: Pick<ReadBodyOptions, 'operation' | 'bucket' | 'key'>, ms: number, headers: boolean): S3Error {
  return new S3Error({
    operation: o.operation, status: 0, code: 'ResponseTimeout', bucket: o.bucket, key: o.key, retryable: false,
    message: headers
      ? `The store accepted the request but sent no answer for ${Math.round(ms / 1000)} s: Tessera gave up waiting.`
      : `The store stopped sending its answer part-way (nothing for ${Math.round(ms / 1000)} s): Tessera gave up waiting.`,
  });
}

function brokenError(o: Pick<ReadBodyOptions, 'operation' | 'bucket' | 'key'>, cause: unknown): S3Error {
  return new S3Error({
    operation: o.operation, status: 0, code: 'ResponseIncomplete', bucket: o.bucket, key: o.key, retryable: true,
    message: 'The connection broke while the answer was on its way (or it was shorter than the store announced).',
  }, { cause });
}

/**
 * Read a body whole, into bytes, within `maxBytes`. A `Content-Length` above
 * the bound is refused before a byte is read.
 */
export async function readBytes(res: Response, o: ReadBodyOptions, signal?: AbortSignal): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length'));
  if (!o.truncate && Number.isFinite(declared) && declared > o.maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw tooLargeError(o);
  }
  if (!res.body) return new Uint8Array(0);
  const reader = res.body.getReader();
  const idleMs = o.idleMs ?? IDLE_TIMEOUT_MS;
  const parts: Uint8Array[] = [];
  let total = 0;
  const stop = () => void reader.cancel().catch(() => undefined);
  signal?.addEventListener('abort', stop, { once: true });
  try {
    for (;;) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const idle = new Promise<'idle'>((resolve) => (timer = setTimeout(() => resolve('idle'), idleMs)));
      let step: ReadableStreamReadResult<Uint8Array> | 'idle';
      try {
        step = await Promise.race([reader.read(), idle]);
      } catch (e) {
        if (signal?.aborted) throw new S3Error({ operation: o.operation, status: 0, code: 'Aborted', retryable: false }, { cause: e });
        throw brokenError(o, e);
      } finally {
        clearTimeout(timer);
      }
      if (step === 'idle') {
        stop();
        throw idleError(o, idleMs, false);
      }
      if (step.done) break;
      const room = o.maxBytes - total;
      if (step.value.byteLength > room) {
        if (o.truncate) {
          parts.push(step.value.subarray(0, room));
          total += room;
          stop();
          break;
        }
        stop();
        throw tooLargeError(o);
      }
      parts.push(step.value);
      total += step.value.byteLength;
    }
  } finally {
    signal?.removeEventListener('abort', stop);
  }
  return concatBytes(parts, total);
}

/** The parts as one array (the part itself when there is only one); `total` is their summed length. */
export function concatBytes(parts: readonly Uint8Array[], total = parts.reduce((n, p) => n + p.byteLength, 0)): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

const utf8 = new TextDecoder('utf-8');

/** Read a body as UTF-8 text within `maxBytes` (invalid bytes become U+FFFD, as `Response.text()` does). */
export async function readText(res: Response, o: ReadBodyOptions, signal?: AbortSignal): Promise<string> {
  return utf8.decode(await readBytes(res, o, signal));
}

/**
 * The body of a 2xx answer that must be S3 XML, read within MAX_XML_BYTES.
 * A 200 that carries `<Error>` (S3 does this for CopyObject and
 * CompleteMultipartUpload; a broken store for anything) is turned into the
 * error it reports.
 *
 * @example
 * const xml = await readXmlBody(res, 'ListObjectsV2', { bucket });
 */
export async function readXmlBody(res: Response, operation: string, where: { bucket?: string; key?: string } = {}, options: { ownErrors?: boolean; idleMs?: number } = {}): Promise<string> {
  const text = await readText(res, { operation, maxBytes: MAX_XML_BYTES, idleMs: options.idleMs, ...where });
  // Operations that read a 200-with-<Error> themselves (and classify it) say so.
  if (options.ownErrors) return text;
  const head = text.slice(0, 512).replace(/<\?xml[^>]*\?>/, '').trimStart();
  if (head.startsWith('<Error>') || head.startsWith('<Error ')) {
    const err = parseErrorXml(text);
    throw new S3Error({
      operation, status: res.status, code: err?.code ?? 'InvalidResponse', requestId: err?.requestId, retryable: false, ...where,
      message: `The store answered ${res.status} but its body is an error${err?.code ? ` (${err.code}${err.message ? `: ${err.message}` : ''})` : ''}.`,
    });
  }
  if (/^<!doctype html|^<html/i.test(head)) {
    throw new S3Error({
      operation, status: res.status, code: 'InvalidResponse', retryable: false, ...where,
      message: 'The store answered with a web page (HTML), not S3 XML: the endpoint may be a website or a login portal rather than the S3 service.',
    });
  }
  return text;
}

/**
 * Copies and multipart completion run on the store after the headers are
 * sent; some stores keep the connection quiet meanwhile. Wait this long.
 */
export const LONG_OPERATION_IDLE_MS = 60 * 60_000;

/**
 * Run `send` with a signal that also fires when no response has started
 * within `ms`; the timer stops as soon as the headers arrive (the body has
 * its own idle bound in `readBytes`). Only for requests without a large body:
 * a PUT's answer comes after its whole body has gone.
 */
export async function withHeadersTimeout(
  send: (signal: AbortSignal) => Promise<Response>,
  o: { operation: string; bucket?: string; key?: string; ms?: number },
  signal?: AbortSignal,
): Promise<Response> {
  const ms = o.ms ?? IDLE_TIMEOUT_MS;
  const timer = new AbortController();
  const t = setTimeout(() => timer.abort(new DOMException('No answer in time', 'TimeoutError')), ms);
  const both = signal ? AbortSignal.any([signal, timer.signal]) : timer.signal;
  try {
    return await send(both);
  } catch (e) {
    if (timer.signal.aborted && !signal?.aborted) throw idleError(o, ms, true);
    throw e;
  } finally {
    clearTimeout(t);
  }
}
