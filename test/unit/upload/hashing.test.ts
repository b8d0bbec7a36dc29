import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RunningSha256, md5Base64, multipartEtag, sha256Digest, sha256HexOnce, sha256Initial } from '../../../src/lib/upload/hashing';
import { readSlice } from '../../../src/lib/upload/classify';
import { InlineHasher } from '../../../src/lib/upload/part-hasher';
import { READ_CHUNK } from '../../../src/lib/upload/read-chunks';
import { checksumBase64 } from '../../../src/lib/s3/checksum';
import { fingerprint } from '../../../src/lib/upload/fingerprint';

const bytes = (n: number, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 255);

describe('hashing', () => {
  it('Content-MD5 equals node:crypto MD5 in base64', async () => {
    for (const n of [0, 1, 63, 64, 1000, 70_000]) {
      const b = bytes(n);
      expect(await md5Base64(b)).toBe(createHash('md5').update(b).digest('base64'));
    }
  });

  it('multipart ETag is MD5 of the binary part MD5s, then -N (as S3 computes it)', async () => {
    const parts = [bytes(1000, 1), bytes(1000, 2), bytes(10, 3)];
    const expected = createHash('md5').update(Buffer.concat(parts.map((p) => createHash('md5').update(p).digest()))).digest('hex') + '-3';
    expect(await multipartEtag(await Promise.all(parts.map((p) => md5Base64(p))))).toBe(expected);
  });

  it('one-shot SHA-256 of a small file (WebCrypto) equals node:crypto, and the hasher gives it with the MD5', async () => {
    for (const n of [0, 1, 64, 300_001]) {
      const b = bytes(n, 4);
      expect(await sha256HexOnce(b)).toBe(createHash('sha256').update(b).digest('hex'));
    }
    const b = bytes(123_456, 8);
    const out = await new InlineHasher().hash({ blob: new Blob([b]), start: 0, end: b.length, name: 'f', md5: true, shaWhole: true });
    expect(out).toEqual({ md5: createHash('md5').update(b).digest('base64'), shaHex: createHash('sha256').update(b).digest('hex') });
  });

  it('parts longer than a chunk are hashed a chunk at a time, side by side, with the same digests as one read', async () => {
    const big = Uint8Array.from({ length: READ_CHUNK * 2 + 12345 }, (_, i) => (i * 131 + (i >> 9)) & 255);
    const blob = new Blob([big]);
    const h = new InlineHasher();
    const start = 777;
    const end = big.length - 5;
    const range = big.subarray(start, end);
    const initial = (await RunningSha256.create()).state;
    // Two calls at once in one thread: each must own its hashers for the whole call.
    const [a, b] = await Promise.all([
      h.hash({ blob, start, end, name: 'f', md5: true, sha: initial, checksum: 'CRC32C' }),
      h.hash({ blob, start: 0, end: big.length, name: 'f', md5: true, shaWhole: true }),
    ]);
    expect(a.md5).toBe(createHash('md5').update(range).digest('base64'));
    expect(await sha256Digest(a.sha!)).toBe(createHash('sha256').update(range).digest('hex'));
    expect(a.checksum).toBe(await checksumBase64('CRC32C', range));
    expect(b.md5).toBe(createHash('md5').update(big).digest('base64'));
    expect(b.shaHex).toBe(createHash('sha256').update(big).digest('hex'));
  });

  it('running SHA-256 fed part by part, saved and restored midway, equals the one-shot digest', async () => {
    const parts = [bytes(100_000, 1), bytes(77, 2), bytes(5000, 3)];
    const a = await RunningSha256.create();
    await a.update(1, parts[0]!);
    const saved = a.save();
    const b = await RunningSha256.create(saved);
    expect(b.through).toBe(1);
    await b.update(2, parts[1]!);
    await b.update(3, parts[2]!);
    expect(await b.digestHex()).toBe(createHash('sha256').update(Buffer.concat(parts)).digest('hex'));
    await expect(b.update(5, parts[0]!)).rejects.toThrow(/in order/);
  });

  it('many running SHA-256s interleaved on the shared instance stay independent', async () => {
    const a = await RunningSha256.create();
    const b = await RunningSha256.create();
    const x = bytes(3000, 5);
    const y = bytes(7000, 9);
    await a.update(1, x);
    await b.update(1, y);
    expect(await md5Base64(x)).toBe(createHash('md5').update(x).digest('base64'));
    await a.update(2, y);
    expect(await a.digestHex()).toBe(createHash('sha256').update(x).update(y).digest('hex'));
    expect(await b.digestHex()).toBe(createHash('sha256').update(y).digest('hex'));
  });

  it('the part hasher gives the MD5 of a range and continues a SHA-256 state', async () => {
    const data = bytes(50_000, 3);
    const h = new InlineHasher();
    const s0 = (await RunningSha256.create()).state;
    const first = await h.hash({ blob: new Blob([data]), start: 0, end: 20_000, name: 'x', md5: true, sha: s0 });
    expect(first.md5).toBe(createHash('md5').update(data.subarray(0, 20_000)).digest('base64'));
    const second = await h.hash({ blob: new Blob([data]), start: 20_000, end: 50_000, name: 'x', md5: false, sha: first.sha });
    expect(second.md5).toBeUndefined();
    expect(await sha256Digest(second.sha!)).toBe(createHash('sha256').update(data).digest('hex'));
    expect(await h.hash({ blob: new Blob([data]), start: 0, end: 1, name: 'x', md5: false })).toEqual({});
  });

  it('fingerprints by content: same bytes match, one changed byte in a sample does not', async () => {
    const data = bytes(1_000_000);
    const same = await fingerprint(new Blob([data]));
    expect(await fingerprint(new Blob([data.slice()]))).toBe(same);
    const changed = data.slice();
    changed[10] = changed[10]! ^ 1;
    expect(await fingerprint(new Blob([changed]))).not.toBe(same);
    expect(same.startsWith('1000000:')).toBe(true);
  });

  it('a fresh SHA-256 state is made once but each caller gets its own copy', async () => {
    const a = await sha256Initial();
    a.fill(0);
    const b = await sha256Initial();
    expect(b).not.toBe(a);
    expect(b.some((x) => x !== 0)).toBe(true);
    const empty = await RunningSha256.create();
    expect(await empty.digestHex()).toBe(createHash('sha256').digest('hex'));
  });

  it('reads a whole file without slicing it (each slice is a new blob in the browser) and a range by slicing', async () => {
    const slices: Array<[number | undefined, number | undefined]> = [];
    class Watched extends Blob {
      override slice(start?: number, end?: number, type?: string): Blob {
        slices.push([start, end]);
        return super.slice(start, end, type);
      }
    }
    const b = bytes(5000, 9);
    const file = new Watched([b]);
    expect(await readSlice(file, 0, b.length, 'f')).toEqual(b);
    expect(slices).toEqual([]);
    expect(await readSlice(file, 10, 20, 'f')).toEqual(b.subarray(10, 20));
    expect(slices).toEqual([[10, 20]]);
  });
});
