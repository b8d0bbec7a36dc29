/**
 * Zarr errors in plain words. Each carries a `kind` a UI can branch on and
 * the store path it concerns. Messages are complete sentences on their own
 * because only name and message survive a worker boundary.
 */
import * as zarr from 'zarrita';

export type ZarrErrorKind =
  | 'not-found'
  | 'not-zarr'
  | 'malformed-metadata'
  | 'unknown-codec'
  | 'unsupported-dtype'
  | 'chunk-decode'
  | 'decoder-unavailable'
  | 'truncated-chunk'
  | 'access-denied'
  | 'fetch-failed'
  | 'over-budget'
  | 'bad-selection'
  | 'aborted';

export class ZarrError extends Error {
  override readonly name = 'ZarrError';
  readonly kind: ZarrErrorKind;
  readonly path: string | undefined;
  readonly codec: string | undefined;

  constructor(kind: ZarrErrorKind, message: string, options: { path?: string; codec?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.kind = kind;
    this.path = options.path;
    this.codec = options.codec;
  }
}

/** Names of the codecs Tessera can decode (zarrita's registry), for messages. */
export function supportedCodecs(): string[] {
  return [...zarr.registry.keys()].filter((k) => !k.startsWith('numcodecs.')).sort();
}

/** The name of the Error numcodecs' decoders reject with when their WebAssembly cannot be had (`DECODER_UNAVAILABLE` in scripts/numcodecs-blosc.ts). */
export const DECODER_UNAVAILABLE = 'DecoderUnavailable';

/**
 * A codec's WebAssembly that could not be fetched or compiled: in the build it
 * is a file of its own (scripts/numcodecs-blosc.ts), which a network drop or a
 * redeploy under an open page (its hashed name gone) keeps away. The module
 * is fetched again for the next chunk.
 */
export function decoderUnavailable(codec: string, cause: unknown): ZarrError {
  return new ZarrError('decoder-unavailable', `The ${codec} decoder (WebAssembly) could not be loaded, so chunks stored with ${codec} cannot be read: the network dropped, or the app was updated since this page was opened. It is tried again at the next draw; if it keeps failing, reload the page.`, { codec, cause });
}

function withPath(e: ZarrError, path: string | undefined): ZarrError {
  return e.path !== undefined || path === undefined ? e : new ZarrError(e.kind, e.message, { path, codec: e.codec, cause: e.cause });
}

function causeText(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

/**
 * Turn whatever a read threw (zarrita error, fetch failure, S3 error) into a
 * ZarrError. `path` names the chunk or node being read.
 */
export function toZarrError(e: unknown, path?: string): ZarrError {
  if (e instanceof ZarrError) return e;
  if (e instanceof DOMException && e.name === 'AbortError') return new ZarrError('aborted', 'Cancelled.', { path, cause: e });
  if (zarr.isZarritaError(e, 'UnknownCodecError')) {
    return new ZarrError('unknown-codec', `The codec "${e.codec}" cannot be decoded in the browser. Tessera decodes: ${supportedCodecs().join(', ')}.`, { path, codec: e.codec, cause: e });
  }
  // A decoder that could not be loaded says so itself; the chunk is not to blame.
  if (zarr.isZarritaError(e, 'CodecPipelineError') && e.cause instanceof ZarrError && e.cause.kind === 'decoder-unavailable') return withPath(e.cause, path);
  if (zarr.isZarritaError(e, 'CodecPipelineError')) {
    return new ZarrError('chunk-decode', `The chunk ${path ?? ''} could not be decoded by the "${e.codec ?? '?'}" codec (${causeText(e.cause)}). The object may be truncated or corrupt.`.replace('  ', ' '), { path, codec: e.codec, cause: e });
  }
  if (zarr.isZarritaError(e, 'InvalidMetadataError')) {
    return new ZarrError('malformed-metadata', `The Zarr metadata${path ? ` of ${path}` : ''} is not valid: ${e.message}.`, { path, cause: e });
  }
  if (zarr.isZarritaError(e, 'NotFoundError')) return new ZarrError('not-found', `Nothing found at ${e.path ?? path ?? 'this path'}.`, { path, cause: e });
  const code = (e as { code?: string } | null)?.code;
  const status = (e as { status?: number } | null)?.status;
  if (code === 'AccessDenied' || status === 403) return new ZarrError('access-denied', `Access denied reading ${path ?? 'the store'}.`, { path, cause: e });
  if (code === 'Aborted') return new ZarrError('aborted', 'Cancelled.', { path, cause: e });
  return new ZarrError('fetch-failed', `Reading ${path ?? 'the store'} failed: ${causeText(e)}`, { path, cause: e });
}
