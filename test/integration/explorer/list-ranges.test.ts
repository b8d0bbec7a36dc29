/**
 * A listing walked as key ranges side by side (list-ahead with concurrency)
 * lists exactly what the store's own paging lists, in the same order, for
 * keys of several shapes, with and without a delimiter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutObject } from '../../../src/lib/s3/ops/index';
import { listPages, type ListObjectsInput } from '../../../src/lib/s3/ops/list-objects';
import { listAhead } from '../../../src/lib/explorer/list-ahead';
import { createBucket, destroyBucket, rgwClient, uniqueBucket } from '../../helpers/s3';

const client = rgwClient();
const B = uniqueBucket('ranges');
const hex = (n: number) => ((n * 2654435761) >>> 0).toString(16).padStart(8, '0');
const KEYS = [
  ...Array.from({ length: 600 }, (_, i) => `padded/obj-${String(i).padStart(6, '0')}.txt`),
  ...Array.from({ length: 400 }, (_, i) => `plain/${i}.nc`),
  ...Array.from({ length: 400 }, (_, i) => `hash/${hex(i)}`),
  ...Array.from({ length: 500 }, (_, i) => (i % 3 ? `mixed/dir${i % 40}/x${i}` : `mixed/file ${String(i).padStart(4, '0')}`)),
  ...Array.from({ length: 300 }, (_, i) => `unicode/${['é', 'ж', '漢', '😀', 'a'][i % 5]}${String(i).padStart(4, '0')}`),
];

beforeAll(async () => {
  await createBucket(B);
  let next = 0;
  const worker = async () => {
    while (next < KEYS.length) await client.send(PutObject, { bucket: B, key: KEYS[next++]!, body: '' });
  };
  await Promise.all(Array.from({ length: 32 }, worker));
}, 300_000);
afterAll(() => destroyBucket(B), 300_000);

async function serial(input: ListObjectsInput): Promise<string[]> {
  const out: string[] = [];
  for await (const p of listPages(client, input)) out.push(...p.prefixes.map((x) => `P ${x}`), ...p.objects.map((o) => `O ${o.key}`));
  return out;
}

describe('listing by key ranges', () => {
  for (const prefix of ['padded/', 'plain/', 'hash/', 'mixed/', 'unicode/', '']) {
    for (const delimiter of [undefined, '/']) {
      it(`lists ${prefix || 'the bucket'}${delimiter ? ' by folder' : ''} as the store pages it`, async () => {
        const input = { bucket: B, prefix: prefix || undefined, delimiter, maxKeys: 50 };
        const want = await serial(input);
        const got: string[] = [];
        const summary = await listAhead(client, input, (p) => void got.push(...p.prefixes.map((x) => `P ${x}`), ...p.objects.map((o) => `O ${o.key}`)), { concurrency: 8 });
        // Within a page the store lists folders and objects apart: compare each kind in order, and the whole as a set.
        expect(got.filter((x) => x.startsWith('O '))).toEqual(want.filter((x) => x.startsWith('O ')));
        expect(got.filter((x) => x.startsWith('P '))).toEqual(want.filter((x) => x.startsWith('P ')));
        expect(summary.objects + summary.prefixes).toBe(want.length);
      });
    }
  }
});
