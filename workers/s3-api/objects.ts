/**
 * `objects.*`: one request (or one listing) at a time on objects and
 * buckets: send any plain operation by name, list, read, write, delete and
 * presign.
 */
import { CLIENT, type GetBytesResult, type InputOf, type ListSummary, type OutputOf, type PutInput, type S3Service, type SendableName } from '../../src/lib/s3/service';
import type { GetObjectInput, PutObjectOutput } from '../../src/lib/s3/ops/index';
import type { ListObjectsInput, ListObjectsPage, ObjectSummary } from '../../src/lib/s3/ops/list-objects';
import type { ObjectHead } from '../../src/lib/s3/ops/head-object';
import type { DeleteObjectsOutput } from '../../src/lib/s3/ops/delete-objects';
import { deleteTree, type DeleteTreeProgress, type DeleteTreeResult } from '../../src/lib/explorer/delete-tree';
import type { OpOptions, ProgressOptions } from './options';
import type { KeyRing } from './vault';

export interface SendOptions<N extends SendableName> extends OpOptions {
  name: N;
  input: InputOf<N>;
}

export interface ListOptions extends OpOptions {
  input: ListObjectsInput;
  /** Each page as it arrives; the next page is asked for once this returns. */
  onPage: (page: ListObjectsPage) => void | Promise<void>;
  maxPages?: number;
}

export interface PresignOptions {
  method?: 'GET' | 'PUT' | 'HEAD';
  bucket: string;
  key: string;
  expiresInSeconds: number;
  /** Extra signed query parameters (e.g. `response-content-disposition`). */
  query?: Record<string, string>;
}

export function objectsApi(s3: S3Service, ring?: KeyRing) {
  return {
    /** Run any plain-data operation by name (see `SENDABLE`). */
    send<N extends SendableName>({ name, input, opId }: SendOptions<N>): Promise<OutputOf<N>> {
      return s3.send(name, input, opId);
    },

    /** Page through a listing, posting each page as it arrives. */
    list({ input, onPage, opId, maxPages }: ListOptions): Promise<ListSummary> {
      return s3.list(input, onPage, opId, maxPages);
    },

    head({ bucket, key, opId }: { bucket: string; key: string } & OpOptions): Promise<ObjectHead> {
      return s3.send('HeadObject', { bucket, key }, opId);
    },

    /** Read an object (or a byte range of it) into memory. */
    getBytes({ opId, ...input }: GetObjectInput & OpOptions): Promise<GetBytesResult> {
      return s3.getBytes(input, opId);
    },

    /** Upload a small object with one PUT, with Content-MD5 unless told otherwise. */
    putObject({ opId, ...input }: PutInput & OpOptions): Promise<PutObjectOutput> {
      return s3.putObject(input, opId);
    },

    /** Delete many keys (batches, falling back to single DELETEs). */
    deleteKeys({ bucket, keys, onProgress, opId }: { bucket: string; keys: string[]; onProgress?: (done: number, total: number) => void } & OpOptions): Promise<DeleteObjectsOutput & { usedFallback: boolean }> {
      return s3.deleteKeys(bucket, keys, onProgress, opId);
    },

    /** Delete objects and everything under prefixes. */
    deleteTree({ bucket, objects, prefixes, onProgress, opId }: { bucket: string; objects: ObjectSummary[]; prefixes: string[] } & ProgressOptions<DeleteTreeProgress>): Promise<DeleteTreeResult> {
      return s3.run(opId, (signal) => deleteTree(s3[CLIENT](), bucket, objects, prefixes, { signal, onProgress }));
    },

    /** A presigned URL the user asked for (share link, download link). */
    presign({ method = 'GET', bucket, key, expiresInSeconds, query }: PresignOptions): Promise<string> {
      // A link cannot outlive the key that signs it (its recorded expiry date): refused with the reason.
      ring?.checkLinkExpiry(expiresInSeconds);
      return s3.presign(method, bucket, key, expiresInSeconds, query);
    },

    /** Many presigned GETs at once. */
    presignMany({ bucket, keys, expiresInSeconds }: { bucket: string; keys: string[]; expiresInSeconds: number }): Promise<string[]> {
      ring?.checkLinkExpiry(expiresInSeconds);
      return s3.presignMany(bucket, keys, expiresInSeconds);
    },
  };
}
