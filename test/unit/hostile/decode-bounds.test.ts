/**
 * Compression bombs and chunks that do not fit their metadata: a chunk is
 * decoded only up to the bytes its shape and data type can hold. The bombs
 * are real compressed streams: zlib/gzip made by Node's zlib from a gigabyte
 * of zeros (streamed, never held), zstd/blosc/lz4 written by numcodecs
 * (Debian's python3-numcodecs) from 64 MiB of zeros.
 */
import { execFileSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { createDeflate, createGzip } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ZarrDataset } from '../../../src/lib/zarr/open';
import { zstdDeclaredSize } from '../../../src/lib/zarr/bounded-codecs';
import { le, MemorySource, v2Array } from '../zarr/memory-source';

/** `mib` MiB of zeros through a Node compressor, as a stream (memory stays flat). */
async function bomb(make: () => NodeJS.ReadWriteStream, mib: number): Promise<Uint8Array> {
  const zero = Buffer.alloc(1 << 20);
  let left = mib;
  const src = new Readable({ read() { this.push(left-- > 0 ? zero : null); } });
  const out: Buffer[] = [];
  for await (const c of src.pipe(make())) out.push(c as Buffer);
  return new Uint8Array(Buffer.concat(out));
}

function numcodecsBomb(codec: string, mib: number): Uint8Array {
  const py = `import sys, numcodecs, numpy as np\nc = ${codec}\nsys.stdout.buffer.write(c.encode(np.zeros(${mib} * 2**20, dtype='u1')))`;
  return new Uint8Array(execFileSync('/usr/bin/python3', ['-c', py], { maxBuffer: 1 << 26 }));
}

function store(compressor: Record<string, unknown>, chunk: Uint8Array, dtype = '<f4'): MemorySource {
  const src = new MemorySource({}).json('.zgroup', { zarr_format: 2 }).json('.zattrs', {});
  v2Array(src, 'v', { shape: [4, 8], chunks: [4, 8], dtype, dims: ['y', 'x'], compressor });
  src.files.set('v/0.0', chunk);
  return src;
}

async function readFailure(src: MemorySource): Promise<string> {
  const ds = await ZarrDataset.open(src);
  const r = await ds.read('v', { index: [0, 0], free: [0, 1] });
  expect(r.failures).toHaveLength(1);
  expect(Array.from(r.values).every(Number.isNaN)).toBe(true);
  return r.failures[0]!.message;
}

describe('decoding within the size of a chunk', () => {
  it('stops inflating a zlib chunk of a gigabyte of zeros at the chunk size', { timeout: 60_000 }, async () => {
    const before = process.memoryUsage().rss;
    const msg = await readFailure(store({ id: 'zlib', level: 1 }, await bomb(() => createDeflate({ level: 9 }), 1024)));
    expect(msg).toMatch(/zlib.*decode to more than the 1152 bytes a chunk of this shape and type can hold/);
    expect(process.memoryUsage().rss - before).toBeLessThan(256 * 2 ** 20);
  });

  it('stops inflating a gzip chunk of a gigabyte of zeros at the chunk size', { timeout: 60_000 }, async () => {
    const msg = await readFailure(store({ id: 'gzip', level: 1 }, await bomb(() => createGzip({ level: 9 }), 1024)));
    expect(msg).toMatch(/gzip.*more than the 1152 bytes/);
  });

  it.each([
    ['zstd', "numcodecs.Zstd(level=19)"],
    ['blosc', "numcodecs.Blosc(cname='zstd', clevel=9)"],
    ['lz4', 'numcodecs.LZ4()'],
  ])('refuses a %s chunk whose header declares 64 MiB before decoding it', { timeout: 30_000 }, async (id, codec) => {
    const bytes = numcodecsBomb(codec, 64);
    const config = id === 'blosc' ? { id, cname: 'zstd', clevel: 9, shuffle: 1, blocksize: 0 } : { id, level: 1 };
    const msg = await readFailure(store(config, bytes));
    expect(msg).toContain(`${67108864} bytes, more than the 1152 bytes`);
  });

  it('reads the declared size of every frame of a zstd stream, and none when a frame hides it', () => {
    const one = numcodecsBomb('numcodecs.Zstd(level=1)', 1);
    expect(zstdDeclaredSize(one)).toBe(2 ** 20);
    const two = new Uint8Array([...one, ...one]);
    expect(zstdDeclaredSize(two)).toBe(2 ** 21);
    const hidden = one.slice();
    hidden[4] = hidden[4]! & 0x3f & ~0x20; // no content size, not single-segment
    expect(zstdDeclaredSize(hidden)).toBeUndefined();
  });

  it('still decodes honest chunks of every compressor', async () => {
    for (const [codec, config] of [
      ['numcodecs.Zlib(level=5)', { id: 'zlib', level: 5 }],
      ['numcodecs.GZip(level=5)', { id: 'gzip', level: 5 }],
      ['numcodecs.Zstd(level=3)', { id: 'zstd', level: 3 }],
      ["numcodecs.Blosc(cname='lz4', clevel=5, shuffle=1)", { id: 'blosc', cname: 'lz4', clevel: 5, shuffle: 1, blocksize: 0 }],
      ['numcodecs.LZ4()', { id: 'lz4', acceleration: 1 }],
    ] as const) {
      const py = `import sys, numcodecs, numpy as np\nsys.stdout.buffer.write(${codec}.encode(np.arange(32, dtype='<f4')))`;
      const bytes = new Uint8Array(execFileSync('/usr/bin/python3', ['-c', py]));
      const ds = await ZarrDataset.open(store(config, bytes));
      const r = await ds.read('v', { index: [0, 0], free: [0, 1] });
      expect(r.failures, codec).toEqual([]);
      expect(Array.from(r.values)).toEqual(Array.from({ length: 32 }, (_, i) => i));
    }
  }, 60_000);

  it('refuses a raw chunk whose bytes do not fill its shape (dtype and data disagree)', async () => {
    const src = new MemorySource({}).json('.zgroup', { zarr_format: 2 }).json('.zattrs', {});
    v2Array(src, 'v', { shape: [4, 8], chunks: [4, 8], dtype: '<f8', dims: ['y', 'x'] });
    src.files.set('v/0.0', le(new Float32Array(32))); // float32 bytes under a float64 dtype
    const msg = await readFailure(src);
    expect(msg).toMatch(/decoded to 16 values instead of 32|the chunk holds 128 bytes, but 4 × 8 values of float64 need 256/);
  });
});
