/**
 * Hash worker for uploads: reads a byte range of a File and computes its MD5
 * and the next SHA-256 state, so the S3 worker's thread stays free to sign
 * and send while the next part is hashed. Holds no credential; gets only
 * File handles (Blobs) and returns digests.
 */
import * as Comlink from 'comlink';
import { InlineHasher } from '../src/lib/upload/part-hasher';
import { installErrorTransfer } from '../src/rpc/errors';

installErrorTransfer();
Comlink.expose(new InlineHasher());
