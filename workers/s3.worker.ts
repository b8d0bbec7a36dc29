/**
 * The S3 worker: the only place credentials live. It signs and sends every
 * authenticated request and answers the page through comlink.
 */
import * as Comlink from 'comlink';
import { S3Service } from '../src/lib/s3/service';
import { installErrorTransfer } from '../src/rpc/errors';

installErrorTransfer();
Comlink.expose(new S3Service());
