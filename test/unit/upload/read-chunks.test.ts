import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FileChangedError } from '../../../src/lib/upload/classify';
import { READ_CHUNK, ReadBuffers, readChunks } from '../../../src/lib/upload/read-chunks';
import { InlineHasher } from '../../../src/lib/upload/part-hasher';
import { RunningSha256, sha256Digest } from '../../../src/lib/upload/hashing';
import { checksumBase64 } from '../../../src/lib/s3/checksum';

/** A digest to compare byte arrays by (vitest's deep equality walks 100 KB arrays slowly). */
const id = (b: Uint8Array) => createHash('sha1').update(b).digest('hex');
const bytes = (n: number, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 131 + seed + (i >> 9)) & 255);

/**
 * A Blob whose stream() is a byte stream, as the File API asks and Chromium
 * gives (Node 20's is not): a BYOB reader can fill buffers of the caller's.
 * `failAt`: the stream errors after that many bytes (a file changed on disk);
 * `shortBy`: it ends that many bytes early.
 */
class ByteBlob extends Blob {
  byobReads = 0;
  constructor(
    private readonly data: Uint8Array,
    private readonly opts: { failAt?: number; shortBy?: number } = {},
  ) {
    super([data as Uint8Array<ArrayBuffer>]);
  }

  override slice(start = 0, end = this.data.length): Blob {
    return new ByteBlob(this.data.subarray(start, end), this.opts);
  }

  override stream(): ReadableStream<Uint8Array<ArrayBuffer>> {
    const data = this.data;
    const stop = data.length - (this.opts.shortBy ?? 0);
    let pos = 0;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    return new ReadableStream({
      type: 'bytes',
      pull(c) {
        if (self.opts.failAt !== undefined && pos >= self.opts.failAt) {
          c.error(new DOMException('The file changed', 'NotReadableError'));
          return;
        }
        if (pos >= stop) {
          c.close();
          c.byobRequest?.respond(0);
          return;
        }
        const req = c.byobRequest;
        if (req?.view) {
          self.byobReads++;
          const view = new Uint8Array(req.view.buffer, req.view.byteOffset, req.view.byteLength);
          // Irregular amounts, as a data pipe gives them.
          const n = Math.min(view.length, stop - pos, 7919 + (pos % 5000));
          view.set(data.subarray(pos, pos + n));
          pos += n;
          req.respond(n);
        } else {
          const n = Math.min(65536, stop - pos);
          c.enqueue(data.slice(pos, pos + n));
          pos += n;
        }
      },
    });
  }
}

async function collect(blob: Blob, start: number, end: number, buffers?: ReadBuffers): Promise<{ bytes: Uint8Array; chunks: number }> {
  const out = new Uint8Array(end - start);
  let at = 0;
  let chunks = 0;
  await readChunks(
    blob,
    start,
    end,
    'f',
    (c) => {
      out.set(c, at);
      at += c.length;
      chunks++;
    },
    buffers,
  );
  return { bytes: out.subarray(0, at), chunks };
}

describe('reading a file range in chunks', () => {
  it('gives exactly the bytes of the range, from a byte stream and from a plain one', async () => {
    const data = bytes(100_003);
    for (const blob of [new ByteBlob(data), new Blob([data])]) {
      for (const [s, e] of [
        [0, data.length],
        [1, 2],
        [17, 99_999],
        [500, 500],
      ] as const) {
        expect(id((await collect(blob, s, e, new ReadBuffers(4096))).bytes)).toBe(id(data.subarray(s, e)));
      }
    }
  });

  it('reads a byte stream into one buffer of its own, lent again for the next range', async () => {
    const data = bytes(300_000, 3);
    const blob = new ByteBlob(data);
    const buffers = new ReadBuffers(10_000);
    const a = await collect(blob, 0, 150_000, buffers);
    const b = await collect(blob, 150_000, 300_000, buffers);
    expect(id(Buffer.concat([a.bytes, b.bytes]))).toBe(id(data));
    expect(a.chunks).toBeGreaterThan(15);
    // Every chunk of both ranges lived in the same memory: one buffer made, given back after each range.
    expect(buffers.made).toBe(1);
    expect(buffers.idle).toBe(1);
  });

  it('ranges read at once each get a buffer, and all come back', async () => {
    const data = bytes(200_000, 5);
    const blob = new ByteBlob(data);
    const buffers = new ReadBuffers(8192);
    const [a, b, c] = await Promise.all([collect(blob, 0, 80_000, buffers), collect(blob, 80_000, 160_000, buffers), collect(blob, 160_000, 200_000, buffers)]);
    expect(id(Buffer.concat([a.bytes, b.bytes, c.bytes]))).toBe(id(data));
    expect(buffers.made).toBe(3);
    expect(buffers.idle).toBe(3);
  });

  it('a file that fails to read, or ends early, is a changed file; its buffer is not lent again', async () => {
    const data = bytes(50_000);
    const buffers = new ReadBuffers(4096);
    await expect(collect(new ByteBlob(data, { failAt: 20_000 }), 0, data.length, buffers)).rejects.toBeInstanceOf(FileChangedError);
    // The failed read held the buffer: it is gone with the stream, never handed out detached.
    expect(buffers.idle).toBe(0);
    const again = await collect(new ByteBlob(data), 0, 10_000, buffers);
    expect(id(again.bytes)).toBe(id(data.subarray(0, 10_000)));
    await expect(collect(new ByteBlob(data, { shortBy: 10 }), 0, data.length, buffers)).rejects.toBeInstanceOf(FileChangedError);
    await expect(collect(new Blob([data]), 0, data.length + 5, buffers)).rejects.toBeInstanceOf(FileChangedError);
  });

  it('a hasher that throws stops the read and the buffer comes back', async () => {
    const buffers = new ReadBuffers(4096);
    await expect(
      readChunks(new ByteBlob(bytes(40_000)), 0, 40_000, 'f', () => {
        throw new Error('boom');
      }, buffers),
    ).rejects.toThrow('boom');
    expect(buffers.idle).toBe(1);
  });

  it('the part hasher reads through reused buffers and its digests equal one read of the range', async () => {
    const big = bytes(READ_CHUNK * 2 + 12345, 7);
    const blob = new ByteBlob(big);
    const buffers = new ReadBuffers(64 * 1024);
    const h = new InlineHasher(buffers);
    const initial = (await RunningSha256.create()).state;
    const start = 777;
    const end = big.length - 5;
    const range = big.subarray(start, end);
    const [a, b] = await Promise.all([h.hash({ blob, start, end, name: 'f', md5: true, sha: initial, checksum: 'CRC32C' }), h.hash({ blob, start: 0, end: big.length, name: 'f', md5: true, shaWhole: true })]);
    expect(a.md5).toBe(createHash('md5').update(range).digest('base64'));
    expect(await sha256Digest(a.sha!)).toBe(createHash('sha256').update(range).digest('hex'));
    expect(a.checksum).toBe(await checksumBase64('CRC32C', range));
    expect(b).toEqual({ md5: createHash('md5').update(big).digest('base64'), shaHex: createHash('sha256').update(big).digest('hex') });
    await h.hash({ blob, start: 0, end: 1000, name: 'f', md5: true });
    // At most one buffer per call running at once, reused by the next call: never one per chunk or part.
    expect(buffers.made).toBeLessThanOrEqual(2);
    expect(buffers.idle).toBe(buffers.made);
    expect(blob.byobReads).toBeGreaterThan(0);
  });
});
