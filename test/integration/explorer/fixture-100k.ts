/**
 * A bucket holding a 100,000-object prefix, for the Explorer's scale tests and
 * the listing benchmark. Creating it takes about two minutes of 64 parallel
 * PUTs, so it is made once and kept between runs: a `_complete` marker written
 * last tells a finished fixture from a half-made one (the RGW keeps data in
 * RAM, so a restart of the gateway simply makes the next run create it again).
 */
import { CreateBucket, HeadObject, PutObject } from '../../../src/lib/s3/ops/index';
import { S3Error } from '../../../src/lib/s3/errors';
import { listPages } from '../../../src/lib/s3/ops/list-objects';
import { rgwClient, rgwService, appCorsRule } from '../../helpers/s3';

export const BIG_BUCKET = 'tessera-fixture-100k';
export const BIG_PREFIX = 'big/';
export const BIG_COUNT = 100_000;
const MARKER = '_complete';
/**
 * Origins that may call the fixture: the e2e/bench preview server and the dev server, on
 * whichever loopback port they got (e2e runs pick a free one). One rule for every run, so
 * runs sharing the fixture never overwrite each other's origin.
 */
const ORIGINS = ['http://127.0.0.1:*', 'http://localhost:*'];

/** Key `i` of the fixture: zero-padded so name order is numeric order. */
export function bigKey(i: number): string {
  return `${BIG_PREFIX}obj-${String(i).padStart(6, '0')}.txt`;
}

/** Body length of key `i`: varies so that sorting by size means something. */
export function bigSize(i: number): number {
  return (i * 7919) % 97;
}

/** Total bytes of the fixture prefix. */
export function bigTotalBytes(): number {
  let n = 0;
  for (let i = 0; i < BIG_COUNT; i++) n += bigSize(i);
  return n;
}

async function exists(): Promise<boolean> {
  try {
    await rgwClient().send(HeadObject, { bucket: BIG_BUCKET, key: MARKER });
    return true;
  } catch (e) {
    if (e instanceof S3Error && (e.status === 404 || e.code === 'NoSuchBucket')) return false;
    throw e;
  }
}

/** Keys of the fixture missing from the store (a shared store: someone may have deleted one). */
async function missingKeys(): Promise<number[]> {
  const have = new Set<string>();
  for await (const page of listPages(rgwClient(), { bucket: BIG_BUCKET, prefix: BIG_PREFIX })) for (const o of page.objects) have.add(o.key);
  const missing: number[] = [];
  for (let i = 0; i < BIG_COUNT; i++) if (!have.has(bigKey(i))) missing.push(i);
  return missing;
}

async function putAll(indices: number[], log: (line: string) => void): Promise<void> {
  const client = rgwClient();
  const filler = 'x'.repeat(100);
  let next = 0;
  let stored = 0;
  const worker = async (): Promise<void> => {
    while (next < indices.length) {
      const i = indices[next++]!;
      await client.send(PutObject, { bucket: BIG_BUCKET, key: bigKey(i), body: filler.slice(0, bigSize(i)), contentType: 'text/plain' });
      // Counted as they are stored: each line once (the count of keys taken stays at the end while the last PUTs finish).
      if (++stored % 10_000 === 0) log(`fixture: ${stored} / ${indices.length}`);
    }
  };
  await Promise.all(Array.from({ length: 64 }, worker));
}

/** Make sure the fixture exists and is whole; returns how long creating or repairing it took (0 when it was whole). */
export async function ensureBigPrefix(log: (line: string) => void = () => undefined): Promise<number> {
  if (await exists()) {
    // A fixture made when the rule named fixed ports gets today's rule.
    await rgwService().putBucketCors(BIG_BUCKET, [appCorsRule(ORIGINS)]);
    const missing = await missingKeys();
    if (!missing.length) return 0;
    const t0 = performance.now();
    log(`fixture: restoring ${missing.length} missing keys`);
    await putAll(missing, log);
    return performance.now() - t0;
  }
  const t0 = performance.now();
  const client = rgwClient();
  try {
    await client.send(CreateBucket, { bucket: BIG_BUCKET });
  } catch (e) {
    if (!(e instanceof S3Error && (e.code === 'BucketAlreadyOwnedByYou' || e.code === 'BucketAlreadyExists'))) throw e;
  }
  await rgwService().putBucketCors(BIG_BUCKET, [appCorsRule(ORIGINS)]);
  await putAll(Array.from({ length: BIG_COUNT }, (_, i) => i), log);
  await client.send(PutObject, { bucket: BIG_BUCKET, key: MARKER, body: String(BIG_COUNT) });
  return performance.now() - t0;
}
