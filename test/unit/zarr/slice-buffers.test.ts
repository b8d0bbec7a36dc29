/**
 * Slices are read into memory that held earlier ones (see SliceSession's
 * spare, readSelection's `into` and chunk-buffers.ts). These tests hold
 * chunk reads open at a gate to catch a read writing into values something
 * still shows, or a cancelled read writing into memory lent out again.
 */
import { describe, expect, it } from 'vitest';
import * as zarr from 'zarrita';
import { SliceSession } from '../../../src/lib/zarr/slice-session';
import { ZarrDataset } from '../../../src/lib/zarr/open';
import { readSelection } from '../../../src/lib/zarr/read';
import { ChunkBuffers, chunkBuffers } from '../../../src/lib/zarr/chunk-buffers';
import { shuffle } from '../../../src/lib/zarr/shuffle';
import type { ByteRange } from '../../../src/lib/zarr/source';
import { le, MemorySource, v2Array } from './memory-source';

const T = 5;
const H = 4;
const W = 6;
const value = (t: number, y: number, x: number) => t * 100 + y * 10 + x;

/** Reads of the keys held stay pending until let go (cancellation does not end them, as a decode in progress). */
class GatedSource extends MemorySource {
  readonly #gates = new Map<string, Promise<void>>();
  hold(key: string): () => void {
    let open = () => {};
    this.#gates.set(key, new Promise<void>((r) => (open = r)));
    return () => {
      this.#gates.delete(key);
      open();
    };
  }
  override async get(key: string, range?: ByteRange): Promise<Uint8Array | undefined> {
    await this.#gates.get(key);
    return super.get(key, range);
  }
}

/**
 * v(time 5, y 4, x 6) float32 = t*100 + y*10 + x, `rows` rows per chunk, no
 * codecs; s the same through the shuffle filter (decoded into lent buffers).
 */
function store(rows = H): GatedSource {
  const src = new GatedSource().json('.zgroup', { zarr_format: 2 }).json('.zattrs', {});
  for (const [name, filters] of [['v', null], ['s', [{ id: 'shuffle', elementsize: 4 }]]] as const) {
    v2Array(src, name, { shape: [T, H, W], chunks: [1, rows, W], dtype: '<f4', dims: ['time', 'y', 'x'], fill: 'NaN', filters });
    for (let t = 0; t < T; t++)
      for (let cy = 0; cy < H / rows; cy++) {
        const bytes = le(new Float32Array(rows * W).map((_, i) => value(t, cy * rows + Math.floor(i / W), i % W)));
        src.files.set(`${name}/${t}.${cy}.0`, filters ? shuffle(bytes, 4) : bytes);
      }
  }
  return src;
}

const slice = (t: number) => Array.from({ length: H * W }, (_, i) => value(t, Math.floor(i / W), i % W));
const shown = (s: SliceSession, id: number) => Array.from({ length: H * W }, (_, i) => s.valueAt(id, Math.floor(i / W), i % W));
const request = (id: number, t: number, name = 'v') => ({ id, name, sel: { index: [t, 0, 0], free: [1, 2] }, cmap: 'viridis' as const, range: null, robust: false });
/** Let pending reads run as far as they can. */
const settle = () => new Promise((r) => setTimeout(r, 20));

async function draw(s: SliceSession, id: number, t: number, name = 'v') {
  const r = await s.drawSlice(request(id, t, name), () => undefined);
  if ('error' in r) throw new Error(r.error.message);
  return r;
}

describe('slices read into reused memory', () => {
  it('never write into the slice shown (hover, CSV) while the next one is read, nor later', async () => {
    // Two chunks per slice: the first lands while the second is held.
    const src = store(2);
    const s = new SliceSession();
    await s.open(src);
    await draw(s, 1, 0);
    await draw(s, 2, 1);
    for (let t = 2; t < T; t++) {
      const id = t + 1;
      const open = src.hold(`v/${t}.1.0`);
      const next = s.drawSlice(request(id, t), () => undefined);
      await settle();
      // The slice before is what hover and CSV answer for until this one is drawn.
      expect(shown(s, id - 1), `slice ${id - 1} while ${id} is read`).toEqual(slice(t - 1));
      open();
      const r = await next;
      if ('error' in r) throw new Error(r.error.message);
      expect(shown(s, id), `slice ${id}`).toEqual(slice(t));
      expect(s.csv(id, 'y', 'x', null, null, 'v')!.trim().split('\n').slice(1).map((l) => Number(l.split(',')[2]))).toEqual(slice(t));
    }
  });

  it('a cancelled read whose chunk lands late writes nothing into the slices read after it', async () => {
    const src = store();
    const s = new SliceSession();
    await s.open(src);
    await draw(s, 1, 0);
    await draw(s, 2, 1);
    // Slice 3 is held in its chunk read, then cancelled by slice 4.
    const late = src.hold('v/2.0.0');
    const cancelled = s.drawSlice(request(3, 2), () => undefined);
    await settle();
    await draw(s, 4, 3);
    // Slice 5 is read while slice 3's chunk arrives.
    const open5 = src.hold('v/4.0.0');
    const fifth = s.drawSlice(request(5, 4), () => undefined);
    await settle();
    late();
    expect(await cancelled).toMatchObject({ error: { kind: 'aborted' } });
    expect(shown(s, 4)).toEqual(slice(3));
    open5();
    const r = await fifth;
    if ('error' in r) throw new Error(r.error.message);
    expect(shown(s, 5)).toEqual(slice(4));
    // And the ones after still read their own values, whatever memory they got.
    await draw(s, 6, 2);
    expect(shown(s, 6)).toEqual(slice(2));
    await draw(s, 7, 0);
    expect(shown(s, 7)).toEqual(slice(0));
  });

  it('readSelection writes nothing into its output once it has settled after a cancellation', async () => {
    // Two chunks per slice read by two lanes; the second is held in its read.
    const src = store(2);
    const ds = await ZarrDataset.open(src);
    const meta = ds.hierarchy.nodes.get('v')!.array!;
    const sel = { index: [2, 0, 0], free: [1, 2] };
    const plan = ds.plan('v', sel);
    const gated: zarr.AsyncReadable = { get: (key) => src.get(key.slice(1)) };
    const arr = (await zarr.open.v2(new zarr.Location(gated, '/v'), { kind: 'array' })) as zarr.Array<zarr.DataType, zarr.Readable>;
    const into = new Float32Array(H * W).fill(-1);
    const late = src.hold('v/2.1.0');
    const controller = new AbortController();
    const read = readSelection(arr, meta, ds.variable('v').packing, sel, plan, { signal: controller.signal, into, concurrency: 2, onPiece: () => controller.abort() });
    setTimeout(late, 30);
    await expect(read).rejects.toMatchObject({ kind: 'aborted' });
    // From here the caller may lend `into` to the next read.
    into.fill(-2);
    await new Promise((r) => setTimeout(r, 60));
    expect(Array.from(into)).toEqual(new Array(H * W).fill(-2));
  });

  it('decode shuffled chunks through lent buffers, given back and lent again without mixing slices', async () => {
    const s = new SliceSession();
    await s.open(store());
    for (const [id, t] of [[1, 0], [2, 1], [3, 2], [4, 0], [5, 4]] as const) {
      await draw(s, id, t, 's');
      expect(shown(s, id)).toEqual(slice(t));
    }
    expect(chunkBuffers.idle).toBeGreaterThan(0);
  });

  it('never lend out the bytes of a store (chunks without codecs are read in place)', async () => {
    const src = store();
    const before = new Map([...src.files].map(([k, v]) => [k, v.slice()]));
    const s = new SliceSession();
    await s.open(src);
    // Plain chunks (views of the store's bytes), then shuffled ones of the same size (decoded into lent buffers).
    let id = 1;
    for (const name of ['v', 's', 'v', 's']) {
      for (let t = 0; t < T; t++) {
        await draw(s, id, t, name);
        expect(shown(s, id++), `${name} time ${t}`).toEqual(slice(t));
      }
    }
    for (const [k, v] of before) expect(src.files.get(k), k).toEqual(v);
  });
});

describe('chunk buffers', () => {
  it('lend each buffer to one holder at a time and take back only what they lent', () => {
    const pool = new ChunkBuffers(2);
    const a = pool.take(16);
    const b = pool.take(16);
    expect(a.buffer).not.toBe(b.buffer);
    // Not lent from here: ignored.
    pool.give(new ArrayBuffer(16));
    pool.give(new Uint8Array(16).buffer);
    expect(pool.idle).toBe(0);
    pool.give(a.buffer);
    pool.give(a.buffer);
    expect(pool.idle).toBe(1);
    const c = pool.take(16);
    expect(c.buffer).toBe(a.buffer);
    // Lent again: `a` went back once only, so it is not lent a second time.
    expect(pool.take(16).buffer).not.toBe(a.buffer);
    // Another size is a new buffer.
    pool.give(b.buffer);
    expect(pool.take(32).byteLength).toBe(32);
    expect(pool.idle).toBe(1);
  });

  it('hold at most so many idle buffers, and so many bytes', () => {
    const pool = new ChunkBuffers(2, 100);
    const lent = [pool.take(10), pool.take(10), pool.take(10), pool.take(60), pool.take(200)];
    for (const b of lent) pool.give(b.buffer);
    // Two at most: the 10 and the 60 given last (the 200 is over the byte limit on its own).
    expect(pool.idle).toBe(2);
    expect(pool.take(60).buffer).toBe(lent[3]!.buffer);
    const big = [pool.take(60), pool.take(60)];
    for (const b of big) pool.give(b.buffer);
    // 10 + 60 + 60 is over 100 bytes: the oldest go first.
    expect(pool.idle).toBe(1);
  });

  it('drop a lent buffer that was transferred (detached) before it came back', () => {
    const pool = new ChunkBuffers();
    const a = pool.take(64);
    structuredClone(a.buffer, { transfer: [a.buffer] });
    pool.give(a.buffer);
    expect(pool.idle).toBe(0);
  });
});
