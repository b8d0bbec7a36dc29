/**
 * What an error means for an upload: wait for the network, ask for new keys,
 * retry later, start the server upload over, or stop and say why. A failure
 * never aborts the multipart upload on the server: only the user's cancel does.
 */
import { S3Error } from '../s3/errors';

export type ErrorKind = 'aborted' | 'network' | 'credentials' | 'retry' | 'upload-gone' | 'file' | 'fatal';

const CREDENTIAL_CODES = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken', 'TokenRefreshRequired', 'InvalidToken', 'AccessDenied', 'NotConnected', 'AuthorizationHeaderMalformed', 'OtherEndpoint', 'InvalidCredentials']);

/** The file can no longer be read as it was: it changed on disk or was removed. */
export class FileChangedError extends Error {
  override readonly name = 'FileChangedError';
  readonly code = 'FileChanged';
  constructor(name: string, options?: { cause?: unknown }) {
    super(`"${name}" changed on disk (or was moved) while it was being uploaded. Nothing was lost on the store: re-attach the file to upload the current version from the start, or cancel.`, options);
  }
}

export function classify(e: unknown): ErrorKind {
  if (e instanceof FileChangedError) return 'file';
  if (e instanceof S3Error) {
    if (e.code === 'Aborted') return 'aborted';
    if (e.code === 'NoSuchUpload') return 'upload-gone';
    if (CREDENTIAL_CODES.has(e.code)) return 'credentials';
    if (e.code === 'NetworkError' || e.status === 0) return 'network';
    return e.retryable ? 'retry' : 'fatal';
  }
  if (e instanceof DOMException && e.name === 'AbortError') return 'aborted';
  return 'fatal';
}

/** Plain fields for the record and the UI (never a signed URL: S3Error messages are redacted). */
export function errorInfo(e: unknown): { code: string; message: string; operation?: string; requestId?: string } {
  if (e instanceof S3Error) return { code: e.code, message: e.describe(), operation: e.operation, requestId: e.requestId };
  if (e instanceof FileChangedError) return { code: e.code, message: e.message };
  if (e instanceof Error) return { code: e.name || 'Error', message: e.message };
  return { code: 'Error', message: String(e) };
}

/**
 * Read a slice of the file; a read failure means the file changed under us (Chromium: NotReadableError).
 * The whole file is read as it is: in Chromium every `Blob.slice` registers a
 * new blob with the browser process (a synchronous round trip from a worker),
 * which showed as a millisecond or more per file of a folder (bench/upload.ts,
 * TESSERA_BENCH_CPU_PROFILE=1).
 */
export async function readSlice(blob: Blob, start: number, end: number, name: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await (start === 0 && end === blob.size ? blob : blob.slice(start, end)).arrayBuffer());
  } catch (e) {
    throw new FileChangedError(name, { cause: e });
  }
}

/** After a failed send of a Blob body: was it the file rather than the network? */
export async function fileStillReadable(blob: Blob): Promise<boolean> {
  try {
    await blob.slice(0, Math.min(1, blob.size)).arrayBuffer();
    return true;
  } catch {
    return false;
  }
}
