/**
 * The S3 worker: the only place credentials live. It signs and sends every
 * authenticated request and answers the page through comlink. Collaborators
 * that must sign (the upload engine) live here too and reach the client
 * through `S3Service[CLIENT]`, which the page cannot call.
 */
import * as Comlink from 'comlink';
import { CLIENT, S3Service } from '../src/lib/s3/service';
import type { ListObjectsInput, ListObjectsPage } from '../src/lib/s3/ops/list-objects';
import { listAhead } from '../src/lib/explorer/list-ahead';
import { installErrorTransfer } from '../src/rpc/errors';
import { installCallbackTransfer } from '../src/rpc/callbacks';
import { createUploadApi } from './upload-api';
import { createS3Api } from './s3-api/index';
import { mark } from '../src/lib/zarr/trace';

installErrorTransfer();
installCallbackTransfer();
mark('s3:start');

const s3 = new S3Service();

/**
 * What another worker (e.g. Zarr decoding) may do through a port the page
 * hands us: read-only, presigned or fetched bytes; no credential ever leaves.
 */
export const reader = {
  presign: (bucket: string, key: string, expiresInSeconds: number) => s3.presign('GET', bucket, key, expiresInSeconds),
  presignMany: (bucket: string, keys: string[], expiresInSeconds: number) => s3.presignMany(bucket, keys, expiresInSeconds),
  getBytes: s3.getBytes.bind(s3),
  /**
   * Listings for the Zarr worker (a dataset's folders, an array's chunk sizes) go as presigned
   * GETs, which need no CORS preflight (one round trip per page instead of two); a store that
   * refuses them gets header-signed pages (see list-ahead.ts).
   */
  list: (input: ListObjectsInput, onPage: (page: ListObjectsPage) => void | Promise<void>, opId?: string, maxPages = Infinity) =>
    s3.run(opId, (signal) => listAhead(s3[CLIENT](), input, onPage, { signal, maxPages })),
  head: (bucket: string, key: string) => s3.send('HeadObject', { bucket, key }),
  anonymous: () => s3.isAnonymous(),
  endpointUrl: () => s3.endpointUrl(),
};

export type S3ReaderApi = typeof reader;

/** Everything the page can call: the S3 areas (see s3-api/), the upload engine and the reader port. */
const api = {
  ...createS3Api(s3),
  /** The upload engine (see workers/upload-api.ts). */
  upload: Comlink.proxy(createUploadApi(s3)),
  /** Serve the read-only `reader` façade on a port (transfer it with `Comlink.transfer`). */
  attachReader(port: MessagePort): void {
    Comlink.expose(reader, port);
  },
};

export type S3WorkerApi = typeof api;

Comlink.expose(api);
