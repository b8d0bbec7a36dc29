/**
 * Parts' digests computed ahead of their sends (src/lib/upload/part-digests.ts):
 * the first parts hash while Create is on its way, and the next parts hash
 * while every slot is busy sending, so no slot waits for a hash. Each part
 * still goes with its own MD5, and each part is hashed once. The store is a
 * `fetch` seam in our own client that holds Create and the parts' answers
 * until the test lets them go; the hasher is the real inline one, watched.
 */
import { createHash, randomFillSync } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { S3Client } from '../../../src/lib/s3/client';
import { resolveEndpoint } from '../../../src/lib/s3/endpoint';
import { UploadEngine } from '../../../src/lib/upload/engine';
import { InlineHasher, type HashRequest, type PartHasher } from '../../../src/lib/upload/part-hasher';
import { PartDigests } from '../../../src/lib/upload/part-digests';
import { MemoryUploadStore } from '../../../src/lib/upload/store';

const MiB = 1024 * 1024;
const PART = 5 * MiB;

function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => (open = r));
  return { wait, open };
}

/** A store that answers Create and each part only when its gate opens, and checks nothing but records what it got. */
function heldStore(size: number) {
  const create = gate();
  const parts = gate();
  const sent: { n: number; contentMd5: string | null; bodyMd5: string; body: 'bytes' | 'blob' }[] = [];
  const partMd5s = new Map<number, Buffer>();
  const copied: (string | null)[] = [];
  const f: typeof fetch = async (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const method = init?.method ?? 'GET';
    if (method === 'POST' && url.searchParams.has('uploads')) {
      await create.wait;
      return new Response('<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>up-1</UploadId></InitiateMultipartUploadResult>', { status: 200 });
    }
    if (method === 'PUT' && new Headers(init?.headers).has('x-amz-copy-source')) {
      // The SHA-256 kept as metadata after Complete (a copy onto itself).
      copied.push(new Headers(init?.headers).get('x-amz-meta-sha256'));
      return new Response('<CopyObjectResult><ETag>"c"</ETag></CopyObjectResult>', { status: 200 });
    }
    if (method === 'PUT') {
      // A part by its number; a whole file by the number its key ends with.
      const n = Number(url.searchParams.get('partNumber') ?? /(\d+)$/.exec(url.pathname)![1]);
      const body = Buffer.from(await new Response(init!.body as BodyInit).arrayBuffer());
      const digest = createHash('md5').update(body).digest();
      sent.push({ n, contentMd5: new Headers(init?.headers).get('content-md5'), bodyMd5: digest.toString('base64'), body: init!.body instanceof Blob ? 'blob' : 'bytes' });
      await parts.wait;
      partMd5s.set(n, digest);
      return new Response('', { status: 200, headers: { etag: `"${digest.toString('hex')}"` } });
    }
    const etag = () => `"${createHash('md5').update(Buffer.concat([...partMd5s.keys()].sort((a, b) => a - b).map((n) => partMd5s.get(n)!))).digest('hex')}-${partMd5s.size}"`;
    if (method === 'POST' && url.searchParams.has('uploadId')) {
      return new Response(`<CompleteMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><ETag>${etag()}</ETag></CompleteMultipartUploadResult>`, { status: 200 });
    }
    if (method === 'HEAD') return new Response(null, { status: 200, headers: { etag: etag(), 'content-length': String(size), ...(copied.length ? { 'x-amz-meta-sha256': copied.at(-1)! } : {}) } });
    return new Response('', { status: 200, headers: { date: new Date().toUTCString() } });
  };
  const { endpoint } = resolveEndpoint('http://store.test:7480');
  return { client: new S3Client({ endpoint, credentials: { accessKeyId: 'AK', secretAccessKey: 'SK' }, fetch: f, random: () => 0 }), create, parts, sent, copied };
}

/** The inline hasher, two at once as the browser's hash workers, logging which part (or which file, by `fileNumber`) each call starts. */
function watchedHasher(fileNumber?: (blob: Blob) => number): PartHasher & { started: number[] } {
  const inner = new InlineHasher();
  const started: number[] = [];
  return {
    parallel: 2,
    started,
    hash(req: HashRequest) {
      started.push(fileNumber ? fileNumber(req.blob) : req.start / PART + 1);
      return inner.hash(req);
    },
  };
}

describe('parts hashed ahead of their sends', () => {
  it('hashes the first parts during Create and the next ones while every slot is sending; each part goes with its own MD5, hashed once', async () => {
    const size = 6 * PART;
    const file = new Blob([randomFillSync(new Uint8Array(size))]);
    const store = heldStore(size);
    const hasher = watchedHasher();
    // Two parts on the wire at once: parts 3 and 4 can only be hashed ahead of their slots.
    const engine = new UploadEngine({ client: () => store.client, store: new MemoryUploadStore(), integrity: { md5: true, sha256: false, checksum: false }, hasher, maxConcurrent: 2, maxBytes: 1024 * MiB, plan: { partSize: PART } });
    const [id] = await engine.add([{ bucket: 'b', key: 'k', file }]);

    // Create has not answered: the first two parts (one per hasher) are already being hashed.
    await vi.waitFor(() => expect(hasher.started).toEqual([1, 2]), { timeout: 5000 });
    expect(store.sent).toEqual([]);
    store.create.open();

    // Parts 1 and 2 are on the wire and hold both slots; 3 and 4 are hashed meanwhile.
    await vi.waitFor(() => expect(store.sent.map((s) => s.n).sort()).toEqual([1, 2]), { timeout: 5000 });
    await vi.waitFor(() => expect(hasher.started.slice(0, 4).sort()).toEqual([1, 2, 3, 4]), { timeout: 5000 });
    expect(store.sent).toHaveLength(2);
    store.parts.open();
    await engine.idle();

    const s = engine.snapshot(id!)!;
    expect(s.status).toBe('done');
    expect(store.sent.map((p) => p.n).sort()).toEqual([1, 2, 3, 4, 5, 6]);
    for (const p of store.sent) expect(p.contentMd5, `part ${p.n}`).toBe(p.bodyMd5);
    expect([...hasher.started].sort()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('gives a part the job started ahead once, starts a missing one on demand, and keeps a failed job\'s error for its taker', async () => {
    const calls: number[] = [];
    const digests = new PartDigests(async (n) => {
      calls.push(n);
      if (n === 3) throw new Error('part 3 unreadable');
      return { md5: `m${n}` };
    });
    digests.ahead([1, 3]);
    digests.ahead([1, 3]);
    expect(calls).toEqual([1, 3]);
    expect(digests.pending).toEqual([1, 3]);
    expect(await digests.take(1)).toEqual({ md5: 'm1' });
    expect(await digests.take(2)).toEqual({ md5: 'm2' });
    await expect(digests.take(3)).rejects.toThrow('part 3 unreadable');
    expect(digests.pending).toEqual([]);
    // Taken means gone: a later send of part 1 hashes it again.
    await digests.take(1);
    expect(calls).toEqual([1, 3, 2, 1]);
  });

  it('hashes files waiting for their turn on the wire while others send (one PUT each), and each goes with its own MD5', async () => {
    // Above the size hashed in the S3 worker's own thread (4 MiB), below multipart's threshold.
    const files = Array.from({ length: 4 }, () => new Blob([randomFillSync(new Uint8Array(PART))]));
    const store = heldStore(PART);
    store.create.open();
    const hasher = watchedHasher((blob) => files.indexOf(blob) + 1);
    const engine = new UploadEngine({ client: () => store.client, store: new MemoryUploadStore(), integrity: { md5: true, sha256: false, checksum: false }, hasher, maxConcurrent: 2, maxBytes: 1024 * MiB });
    const ids = await engine.add(files.map((file, i) => ({ bucket: 'b', key: `f${i + 1}`, file })));

    // Files 1 and 2 hold both slots, unanswered; files 3 and 4 are hashed meanwhile.
    await vi.waitFor(() => expect(store.sent.map((s) => s.n).sort()).toEqual([1, 2]), { timeout: 5000 });
    await vi.waitFor(() => expect([...hasher.started].sort()).toEqual([1, 2, 3, 4]), { timeout: 5000 });
    expect(store.sent).toHaveLength(2);
    store.parts.open();
    await engine.idle();

    for (const id of ids) expect(engine.snapshot(id)!.status).toBe('done');
    expect(store.sent.map((p) => p.n).sort()).toEqual([1, 2, 3, 4]);
    for (const p of store.sent) expect(p.contentMd5, `file ${p.n}`).toBe(p.bodyMd5);
  });

  it('sends a small file as its bytes, read once for its hash and its body, and a bigger one, or a part, as the File, each with its own MD5', async () => {
    // 4 MiB and less: bytes (a File body can hang in Chromium when an HTTP/2 connection goes away, see multipart.ts).
    const sizes = [1, 600 * 1024, 4 * MiB, 4 * MiB + 1, PART];
    /** A file that counts how often it is read whole (a slice is another Blob). */
    class Counted extends Blob {
      reads = 0;
      override arrayBuffer() {
        this.reads++;
        return super.arrayBuffer();
      }
      override stream() {
        this.reads++;
        return super.stream();
      }
    }
    const files = sizes.map((n) => new Counted([randomFillSync(new Uint8Array(n))]));
    const store = heldStore(PART);
    store.create.open();
    store.parts.open();
    for (const hashing of [{ md5: true, sha256: true, checksum: false }, { md5: false, sha256: false, checksum: false }]) {
      store.sent.length = 0;
      for (const f of files) f.reads = 0;
      const engine = new UploadEngine({ client: () => store.client, store: new MemoryUploadStore(), integrity: hashing, maxConcurrent: 2, maxBytes: 1024 * MiB });
      const ids = await engine.add(files.map((file, i) => ({ bucket: 'b', key: `f${i + 1}`, file })));
      await engine.idle();
      for (const id of ids) expect(engine.snapshot(id)!.status).toBe('done');
      expect(store.sent.sort((a, b) => a.n - b.n).map((s) => [s.n, s.body])).toEqual([[1, 'bytes'], [2, 'bytes'], [3, 'bytes'], [4, 'blob'], [5, 'blob']]);
      for (const p of store.sent) expect(p.contentMd5, `file ${p.n}`).toBe(hashing.md5 ? p.bodyMd5 : null);
      // A small file is read once: hashed from the bytes it is sent as.
      expect(files.slice(0, 3).map((f) => f.reads)).toEqual([1, 1, 1]);
    }
  });

  it('sends parts while the running SHA-256 is still reading (it is needed only at Complete), and keeps the whole file\'s SHA-256', async () => {
    const size = 4 * PART;
    const bytes = randomFillSync(new Uint8Array(size));
    const file = new Blob([bytes]);
    const store = heldStore(size);
    store.create.open();
    store.parts.open();
    // The SHA-256 reads wait for the test; MD5s go at once.
    const shaGate = gate();
    const inner = new InlineHasher();
    const shaStarted: number[] = [];
    const hasher: PartHasher = {
      parallel: 2,
      async hash(req) {
        if (req.sha) {
          shaStarted.push(req.start / PART + 1);
          await shaGate.wait;
        }
        return inner.hash(req);
      },
    };
    const engine = new UploadEngine({ client: () => store.client, store: new MemoryUploadStore(), integrity: { md5: true, sha256: true, checksum: false }, hasher, maxConcurrent: 2, maxBytes: 1024 * MiB, plan: { partSize: PART } });
    const [id] = await engine.add([{ bucket: 'b', key: 'k', file }]);

    // Part 1's SHA-256 read has not finished, yet parts are on the wire and answered.
    await vi.waitFor(() => expect(shaStarted).toContain(1), { timeout: 5000 });
    await vi.waitFor(() => expect(store.sent.length).toBeGreaterThanOrEqual(2), { timeout: 5000 });
    shaGate.open();
    await engine.idle();

    const s = engine.snapshot(id!)!;
    expect(s.status).toBe('done');
    const whole = createHash('sha256').update(bytes).digest('hex');
    expect(store.copied).toEqual([whole]);
    // Each part fed the running SHA-256 once, in order.
    expect(shaStarted).toEqual([1, 2, 3, 4]);
  });
});
