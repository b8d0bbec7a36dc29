import { S3Error } from '../errors';
import { operation } from '../request';
import { objectHeadFrom, type ObjectHead } from './head-object';

export interface GetObjectInput {
  bucket: string;
  key: string;
  /** Inclusive byte range: `{ start: 0, end: 1023 }` or `{ start: 100 }` (to the end). */
  range?: { start: number; end?: number };
  /** Last N bytes (`bytes=-N`). Not CORS-safelisted: always preflights. */
  suffixLength?: number;
  versionId?: string;
  ifMatch?: string;
}

export interface GetObjectOutput extends ObjectHead {
  /** The body, unread: stream it, or call `arrayBuffer()`. */
  body: Response;
  /** 206 when a range was served. */
  status: number;
  /** `bytes a-b/total` when partial. */
  contentRange?: string;
}

export function rangeHeader(input: Pick<GetObjectInput, 'range' | 'suffixLength'>): string | undefined {
  if (input.suffixLength !== undefined) return `bytes=-${Math.max(0, Math.floor(input.suffixLength))}`;
  if (!input.range) return undefined;
  const { start, end } = input.range;
  return end === undefined ? `bytes=${start}-` : `bytes=${start}-${end}`;
}

/** GetObject, whole or by byte range, with the body left as a stream. */
export const GetObject = operation<GetObjectInput, GetObjectOutput>({
  name: 'GetObject',
  build: (input) => {
    const headers: Record<string, string> = {};
    const range = rangeHeader(input);
    if (range) headers.range = range;
    if (input.ifMatch) headers['if-match'] = `"${input.ifMatch}"`;
    const query: Record<string, string> = {};
    if (input.versionId) query.versionId = input.versionId;
    return { operation: 'GetObject', method: 'GET', bucket: input.bucket, key: input.key, headers, query };
  },
  async parse(res, input) {
    const contentRange = res.headers.get('content-range') ?? undefined;
    // A 206 for another range than the one asked for would be read as the wrong bytes.
    if (res.status === 206 && input.range && contentRange) {
      const m = /^bytes (\d+)-(\d+)\/(?:\d+|\*)$/.exec(contentRange.trim());
      const wantEnd = input.range.end;
      if (!m || Number(m[1]) !== input.range.start || (wantEnd !== undefined && Number(m[2]) > wantEnd)) {
        await res.body?.cancel().catch(() => undefined);
        throw new S3Error({
          operation: 'GetObject', status: 206, code: 'InvalidResponse', bucket: input.bucket, key: input.key, retryable: false,
          message: `The store sent the byte range "${contentRange.slice(0, 60)}" for bytes=${input.range.start}-${wantEnd ?? ''}: a different part of the object than the one asked for.`,
        });
      }
    }
    return { ...objectHeadFrom(res), body: res, status: res.status, contentRange };
  },
});
