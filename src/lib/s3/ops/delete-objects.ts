import type { S3Client, SendOptions } from '../client';
import { S3Error } from '../errors';
import { contentMd5 } from '../checksum';
import { operation } from '../request';
import { XML_DECLARATION, child, children, element, parseXml, text, type XmlNode } from '../xml';
import { DeleteObject } from './delete-object';
import { readXmlBody } from '../body';

export interface DeleteObjectsInput {
  bucket: string;
  keys: string[];
  /** Precomputed by `buildDeleteBody` (the request needs its MD5). */
  body: string;
  contentMd5: string;
}

export interface DeleteFailure {
  key: string;
  code: string;
  message: string;
}

export interface DeleteObjectsOutput {
  deleted: string[];
  errors: DeleteFailure[];
}

export const MAX_DELETE_BATCH = 1000;

export function buildDeleteBody(keys: string[]): string {
  return `${XML_DECLARATION}<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Quiet>false</Quiet>${keys
    .map((k) => `<Object>${element('Key', k)}</Object>`)
    .join('')}</Delete>`;
}

/** DeleteObjects (`POST ?delete`), up to 1,000 keys. Needs Content-MD5. */
export const DeleteObjects = operation<DeleteObjectsInput, DeleteObjectsOutput>({
  name: 'DeleteObjects',
  build: ({ bucket, body, contentMd5 }) => ({
    operation: 'DeleteObjects',
    method: 'POST',
    bucket,
    query: { delete: '' },
    headers: { 'content-type': 'application/xml', 'content-md5': contentMd5 },
    body,
  }),
  async parse(res) {
    return parseDeleteResult(await readXmlBody(res, 'DeleteObjects'));
  },
});

export function parseDeleteResult(xml: string): DeleteObjectsOutput {
  const root = child(parseXml(xml), 'DeleteResult');
  if (!root) throw new S3Error({ operation: 'DeleteObjects', status: 200, code: 'InvalidResponse', retryable: false });
  return {
    deleted: children(root, 'Deleted').map((d) => text(d as XmlNode, 'Key') ?? ''),
    errors: children(root, 'Error').map((e) => ({
      key: text(e as XmlNode, 'Key') ?? '',
      code: text(e as XmlNode, 'Code') ?? 'Unknown',
      message: text(e as XmlNode, 'Message') ?? '',
    })),
  };
}

export interface DeleteManyOptions extends SendOptions {
  /** Parallel single DELETEs in fallback mode. */
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Delete any number of keys: batches of 1,000 through DeleteObjects, falling
 * back to single DELETEs when the batch call is refused (JASMIN refuses
 * `POST ?delete` at quota while single DELETE works).
 */
export async function deleteMany(client: S3Client, bucket: string, keys: string[], options: DeleteManyOptions = {}): Promise<DeleteObjectsOutput & { usedFallback: boolean }> {
  const out: DeleteObjectsOutput & { usedFallback: boolean } = { deleted: [], errors: [], usedFallback: false };
  let done = 0;
  for (let i = 0; i < keys.length; i += MAX_DELETE_BATCH) {
    const batch = keys.slice(i, i + MAX_DELETE_BATCH);
    if (!out.usedFallback) {
      try {
        const body = buildDeleteBody(batch);
        const r = await client.send(DeleteObjects, { bucket, keys: batch, body, contentMd5: await contentMd5(body) }, options);
        out.deleted.push(...r.deleted);
        out.errors.push(...r.errors);
        done += batch.length;
        options.onProgress?.(done, keys.length);
        continue;
      } catch (e) {
        if (!(e instanceof S3Error) || e.code === 'Aborted' || e.code === 'NoSuchBucket' || e.status === 0) throw e;
        out.usedFallback = true;
      }
    }
    await singleDeletes(client, bucket, batch, options, out, () => options.onProgress?.(++done, keys.length));
  }
  return out;
}

async function singleDeletes(client: S3Client, bucket: string, keys: string[], options: DeleteManyOptions, out: DeleteObjectsOutput, tick: () => void): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const key = keys[next++]!;
      try {
        await client.send(DeleteObject, { bucket, key }, options);
        out.deleted.push(key);
      } catch (e) {
        if (e instanceof S3Error && e.code !== 'Aborted') out.errors.push({ key, code: e.code, message: e.message });
        else throw e;
      }
      tick();
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 8, keys.length) }, worker));
}
