/**
 * A download body is handed to the file in batches read into one reused
 * buffer (BYOB) where the stream allows it, and as it comes otherwise:
 * the bytes and their order must be exactly the body's either way.
 */
import { describe, expect, it } from 'vitest';
import { batches } from '../../../src/lib/explorer/download';

const body = Uint8Array.from({ length: 100_003 }, (_, i) => (i * 7) % 251);

/** The body as network-sized pieces (uneven), from a byte stream or a plain one. */
function stream(bytes: boolean): ReadableStream<Uint8Array> {
  let off = 0;
  const sizes = [1, 4096, 17, 65536, 3];
  let k = 0;
  const pull = (c: ReadableStreamDefaultController<Uint8Array> | ReadableByteStreamController) => {
    if (off >= body.length) {
      c.close();
      // A byte source answers a pending BYOB read once it has closed (as fetch bodies do).
      if ('byobRequest' in c) c.byobRequest?.respond(0);
      return;
    }
    const n = Math.min(sizes[k++ % sizes.length]!, body.length - off);
    c.enqueue(body.slice(off, off + n));
    off += n;
  };
  return bytes ? new ReadableStream({ type: 'bytes', pull }) : new ReadableStream<Uint8Array>({ pull });
}

describe('download batches', () => {
  it.each([
    ['a byte stream (BYOB)', true],
    ['a plain stream', false],
  ])('keeps every byte in order from %s', async (_label, bytes) => {
    const got: number[] = [];
    const sizes: number[] = [];
    // Copy each batch at once: its buffer is reused for the next one.
    for await (const b of batches(stream(bytes), 32 * 1024)) {
      sizes.push(b.byteLength);
      got.push(...b);
    }
    expect(Uint8Array.from(got)).toEqual(body);
    if (bytes) expect(sizes.slice(0, -1).every((n) => n === 32 * 1024)).toBe(true);
  });

  it('an empty body yields nothing', async () => {
    const empty = new ReadableStream({ type: 'bytes', pull: (c) => (c.close(), c.byobRequest?.respond(0)) });
    const out: Uint8Array[] = [];
    for await (const b of batches(empty, 1024)) out.push(b);
    expect(out).toEqual([]);
  });

  it.each([
    ['a byte stream (BYOB)', true],
    ['a plain stream', false],
  ])('hands over the bytes that arrived before %s broke, then fails', async (_label, bytes) => {
    // 50,000 bytes in network-sized pieces, then the connection breaks.
    let off = 0;
    const pull = (c: ReadableStreamDefaultController<Uint8Array> | ReadableByteStreamController) => {
      if (off >= 50_000) return c.error(new TypeError('network error'));
      const n = Math.min(7_000, 50_000 - off);
      c.enqueue(body.slice(off, off + n));
      off += n;
    };
    const broken = bytes ? new ReadableStream({ type: 'bytes', pull }) : new ReadableStream<Uint8Array>({ pull });
    const got: number[] = [];
    let error: unknown;
    try {
      for await (const b of batches(broken, 32 * 1024)) got.push(...b);
    } catch (e) {
      error = e;
    }
    expect((error as Error)?.message).toBe('network error');
    // Every byte that arrived, in order: a resume asks for the rest from byte 50,000.
    expect(Uint8Array.from(got)).toEqual(body.slice(0, 50_000));
  });
});
