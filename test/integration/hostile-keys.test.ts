/**
 * Keys of any kind round-trip through put, list, head, get, copy and delete
 * against the real RGW.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ops from '../../src/lib/s3/ops/index';
import { createBucket, destroyBucket, rgwClient, uniqueBucket } from '../helpers/s3';
import { HOSTILE_KEYS } from '../helpers/hostile-keys';
import type { S3Client } from '../../src/lib/s3/client';

let bucket: string;
let client: S3Client;

beforeAll(async () => {
  client = rgwClient();
  bucket = uniqueBucket('hostile');
  await createBucket(bucket);
});
afterAll(() => destroyBucket(bucket));

const body = (key: string) => `content of ${JSON.stringify(key)}`;

describe('hostile keys', () => {
  it('are 1,024 bytes at most (the S3 limit) and include the long ones', () => {
    const lengths = HOSTILE_KEYS.map((k) => new TextEncoder().encode(k).length);
    expect(Math.max(...lengths)).toBe(1024);
  });

  it.each(HOSTILE_KEYS.map((k) => [JSON.stringify(k).slice(0, 60), k]))('round-trips %s', async (_label, key) => {
    await client.send(ops.PutObject, { bucket, key, body: body(key), metadata: { original: 'yes' } });
    const head = await client.send(ops.HeadObject, { bucket, key });
    expect(head.size).toBe(new TextEncoder().encode(body(key)).length);
    expect(head.metadata.original).toBe('yes');
    const got = await client.send(ops.GetObject, { bucket, key });
    expect(await got.body.text()).toBe(body(key));
    const copyKey = `copies/${key}`.slice(0, 1024);
    if (new TextEncoder().encode(copyKey).length <= 1024) {
      await client.send(ops.CopyObject, { bucket, key: copyKey, sourceBucket: bucket, sourceKey: key });
      expect(await (await client.send(ops.GetObject, { bucket, key: copyKey })).body.text()).toBe(body(key));
      await client.send(ops.DeleteObject, { bucket, key: copyKey });
    }
  });

  it('are listed verbatim (V2 and v1), and prefix listing finds them', async () => {
    for (const forceV1 of [false, true]) {
      const listed: string[] = [];
      for await (const p of ops.listPages(client, { bucket, maxKeys: 7 }, { forceV1 })) listed.push(...p.objects.map((o) => o.key));
      expect(new Set(listed)).toEqual(new Set(HOSTILE_KEYS));
    }
    for (const key of HOSTILE_KEYS) {
      const page = await client.send(ops.ListObjectsV2, { bucket, prefix: key });
      expect(page.objects.map((o) => o.key)).toContain(key);
    }
  });

  it('delete one by one and in a batch', async () => {
    const [first, ...rest] = HOSTILE_KEYS;
    await client.send(ops.DeleteObject, { bucket, key: first! });
    const r = await ops.deleteMany(client, bucket, rest);
    expect(r.errors).toEqual([]);
    expect(new Set(r.deleted)).toEqual(new Set(rest));
    expect((await client.send(ops.ListObjectsV2, { bucket })).objects).toEqual([]);
  });

  it('"." and ".." alone are refused with a clear message before any request', async () => {
    for (const key of ['.', '..']) {
      await expect(client.send(ops.GetObject, { bucket, key })).rejects.toThrow(/cannot be used from a web browser/);
    }
  });
});
