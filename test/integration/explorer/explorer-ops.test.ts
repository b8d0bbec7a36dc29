/**
 * The Explorer's worker-side operations against the real Ceph RGW: du, find,
 * recursive delete, server-side copy/move (CopyObject and UploadPartCopy),
 * metadata edit in place, and ranged downloads with the If-Match check.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { HeadObject, PutObject, listAllMultipartUploads } from '../../../src/lib/s3/ops/index';
import { listPages } from '../../../src/lib/s3/ops/list-objects';
import { S3Error } from '../../../src/lib/s3/errors';
import { du, find } from '../../../src/lib/explorer/walk';
import { copyObject, copyTree } from '../../../src/lib/explorer/copy';
import { deleteTree } from '../../../src/lib/explorer/delete-tree';
import { listAhead } from '../../../src/lib/explorer/list-ahead';
import { downloadObject, type ByteSink } from '../../../src/lib/explorer/download';
import { createBucket, destroyBucket, rgwClient, uniqueBucket } from '../../helpers/s3';
import { s3cmd } from '../../helpers/cli';

const client = rgwClient();
const A = uniqueBucket('explorer');
const B = uniqueBucket('explorer');

async function put(bucket: string, key: string, body: string | Uint8Array, meta?: Record<string, string>): Promise<void> {
  await client.send(PutObject, { bucket, key, body, contentType: 'text/plain', metadata: meta });
}

async function keys(bucket: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for await (const p of listPages(client, { bucket, prefix: prefix || undefined })) out.push(...p.objects.map((o) => o.key));
  return out;
}

function memorySink(size: number): ByteSink & { bytes: Uint8Array } {
  const bytes = new Uint8Array(size);
  return {
    bytes,
    write(pos, b) {
      bytes.set(b, pos);
    },
    async close() {
      return bytes.length;
    },
    async abort() {},
  };
}

describe('explorer operations on the real RGW', () => {
  beforeAll(async () => {
    await createBucket(A);
    await createBucket(B);
    await put(A, 'data/a.txt', 'alpha');
    await put(A, 'data/sub/b.csv', 'x,y\n1,2\n');
    await put(A, 'data/sub/deeper/c.TXT', 'ccc');
    await put(A, 'data/<script>alert(1)</script>.txt', 'hostile');
    await put(A, 'other/z.txt', 'zz');
  });
  afterAll(async () => {
    await destroyBucket(A);
    await destroyBucket(B);
  });

  it('pages a listing through presigned GETs, fetching ahead, in order, and stops with a token', async () => {
    const seen: string[] = [];
    const all = await listAhead(client, { bucket: A, prefix: 'data/', maxKeys: 1 }, (p) => void seen.push(...p.objects.map((o) => o.key)));
    expect(all).toMatchObject({ pages: 4, objects: 4 });
    expect(seen).toEqual([...seen].sort());
    const first = await listAhead(client, { bucket: A, prefix: 'data/', maxKeys: 2 }, () => undefined, { maxPages: 1 });
    expect(first.nextToken).toBeTruthy();
    const rest: string[] = [];
    await listAhead(client, { bucket: A, prefix: 'data/', continuationToken: first.nextToken }, (p) => void rest.push(...p.objects.map((o) => o.key)));
    expect(rest).toEqual(seen.slice(2));
    // Wrong keys: the presigned page fails, the signed pager reports the store's answer.
    await expect(listAhead(rgwClient('main', { secretAccessKey: 'wrong' }), { bucket: A }, () => undefined)).rejects.toMatchObject({ code: 'SignatureDoesNotMatch' });
  });

  it('du counts objects and bytes recursively, with progress', async () => {
    const seen: number[] = [];
    const r = await du(client, A, 'data/', { onProgress: (p) => seen.push(p.objects), throttleMs: 0 });
    expect(r).toMatchObject({ objects: 4, bytes: 5 + 8 + 3 + 7, done: true });
    expect(seen.at(-1)).toBe(4);
  });

  it('find matches substrings case-insensitively and wildcards', async () => {
    const found: string[] = [];
    const r = await find(client, A, 'data/', '.txt', { onMatches: (m) => found.push(...m.map((o) => o.key)) });
    expect(r.matches).toBe(3);
    expect(found.sort()).toEqual(['data/<script>alert(1)</script>.txt', 'data/a.txt', 'data/sub/deeper/c.TXT']);
    const wild: string[] = [];
    await find(client, A, 'data/', 'sub/*.csv', { onMatches: (m) => wild.push(...m.map((o) => o.key)) });
    expect(wild).toEqual(['data/sub/b.csv']);
  });

  it('find can be cancelled', async () => {
    const c = new AbortController();
    c.abort();
    await expect(find(client, A, '', 'a', { signal: c.signal })).rejects.toMatchObject({ code: 'Aborted' });
  });

  it('copies a prefix to another bucket server-side, keeping metadata, readable by s3cmd', async () => {
    await put(A, 'meta/m.txt', 'with meta', { project: 'tessera' });
    const r = await copyTree(client, { sourceBucket: A, objects: [], prefixes: ['data/', 'meta/'], sourceBase: '', targetBucket: B, targetBase: 'copy/' });
    expect(r).toMatchObject({ objects: 5, copied: 5, failed: 0, deleted: 0 });
    expect((await keys(B, 'copy/')).sort()).toEqual(['copy/data/<script>alert(1)</script>.txt', 'copy/data/a.txt', 'copy/data/sub/b.csv', 'copy/data/sub/deeper/c.TXT', 'copy/meta/m.txt']);
    const head = await client.send(HeadObject, { bucket: B, key: 'copy/meta/m.txt' });
    expect(head.metadata.project).toBe('tessera');
    const got = await s3cmd(['get', `s3://${B}/copy/data/a.txt`, '-']);
    expect(got.code).toBe(0);
    expect(got.stdout).toBe('alpha');
    expect((await keys(A, 'data/')).length).toBe(4);
  });

  it('moves (renames) a prefix: the sources go only after the copies are verified', async () => {
    await put(A, 'mv/one.txt', '1');
    await put(A, 'mv/two/three.txt', '333');
    const r = await copyTree(client, { sourceBucket: A, objects: [], prefixes: ['mv/'], sourceBase: 'mv/', targetBucket: A, targetBase: 'moved/', move: true });
    expect(r).toMatchObject({ copied: 2, deleted: 2, failed: 0 });
    expect(await keys(A, 'mv/')).toEqual([]);
    expect((await keys(A, 'moved/')).sort()).toEqual(['moved/one.txt', 'moved/two/three.txt']);
  });

  it('refuses to copy a prefix into itself', async () => {
    await expect(copyTree(client, { sourceBucket: A, objects: [], prefixes: ['data/'], sourceBase: '', targetBucket: A, targetBase: 'data/' })).rejects.toThrow(/itself|inside/);
  });

  it('copies above the multipart threshold with UploadPartCopy, same bytes', async () => {
    const big = new Uint8Array(12 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4096) big[i] = (i / 4096) & 0xff;
    await put(A, 'big/blob.bin', big);
    const head = await copyObject(client, { bucket: A, key: 'big/blob.bin' }, { bucket: B, key: 'big/blob-copy.bin' }, { multipartThreshold: 8 * 1024 * 1024, partSize: 5 * 1024 * 1024 });
    expect(head.size).toBe(big.length);
    const sink = memorySink(big.length);
    await downloadObject(client, B, 'big/blob-copy.bin', async (n) => { expect(n).toBe(big.length); return sink; }, { rangeSize: 3 * 1024 * 1024, parallel: 3 });
    expect(createHash('md5').update(sink.bytes).digest('hex')).toBe(createHash('md5').update(big).digest('hex'));
  });

  it('a part copy from a source rewritten since its HEAD fails (412) and leaves no upload behind', async () => {
    await put(A, 'big/moving.bin', new Uint8Array(10 * 1024 * 1024).fill(1));
    const stale = await client.send(HeadObject, { bucket: A, key: 'big/moving.bin' });
    await put(A, 'big/moving.bin', new Uint8Array(10 * 1024 * 1024).fill(2));
    await expect(copyObject(client, { bucket: A, key: 'big/moving.bin' }, { bucket: B, key: 'big/moving-copy.bin' }, { multipartThreshold: 8 * 1024 * 1024, partSize: 5 * 1024 * 1024, sourceHead: stale })).rejects.toSatisfy(
      (e: unknown) => e instanceof S3Error && e.status === 412,
    );
    expect(await listAllMultipartUploads(client, { bucket: B, prefix: 'big/moving-copy.bin' })).toEqual([]);
  });

  it('edits content type and metadata in place', async () => {
    await put(A, 'edit/e.json', '{"a":1}', { old: 'yes' });
    await copyObject(client, { bucket: A, key: 'edit/e.json' }, { bucket: A, key: 'edit/e.json' }, { replace: { contentType: 'application/json', metadata: { owner: 'Zoë' } } });
    const head = await client.send(HeadObject, { bucket: A, key: 'edit/e.json' });
    expect(head.contentType).toBe('application/json');
    expect(head.metadata).toEqual({ owner: 'Zoë' });
  });

  it('a download stops when the object changes mid-way (If-Match)', async () => {
    const body = new Uint8Array(6 * 1024 * 1024).fill(7);
    await put(A, 'dl/changing.bin', body);
    let replaced = false;
    const sink = memorySink(body.length);
    const wrapped: ByteSink = {
      ...sink,
      async write(pos, b) {
        if (!replaced) {
          replaced = true;
          await put(A, 'dl/changing.bin', new Uint8Array(body.length).fill(9));
        }
        await sink.write(pos, b);
      },
    };
    await expect(downloadObject(client, A, 'dl/changing.bin', async () => wrapped, { rangeSize: 1024 * 1024, parallel: 1 })).rejects.toSatisfy((e: unknown) => e instanceof S3Error && e.status === 412);
  });

  it('deletes a prefix recursively and reports counts and bytes', async () => {
    const r = await deleteTree(client, A, [{ key: 'other/z.txt', size: 2, lastModified: '', etag: '' }], ['data/']);
    expect(r).toMatchObject({ objects: 5, bytes: 25, deleted: 5 });
    expect(await keys(A, 'data/')).toEqual([]);
    expect(await keys(A, 'other/')).toEqual([]);
  });
});
