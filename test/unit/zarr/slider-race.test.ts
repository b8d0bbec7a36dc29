/**
 * Moving a slider while a slice is still being read: the read of the old
 * position is cancelled, and the next position must still show its own
 * values. Chunks that span the slider's dimension are shared by every
 * position, so bytes fetched (or being fetched) for one position are reused
 * by the next: a fetch cancelled with the old read must not poison the new one.
 */
import { describe, expect, it } from 'vitest';
import { SliceSession, type SliceResult } from '../../../src/lib/zarr/slice-session';
import { ZarrError } from '../../../src/lib/zarr/errors';
import type { ByteRange, KeySource } from '../../../src/lib/zarr/source';
import { le, MemorySource, v2Array } from './memory-source';

const T = 3;
const value = (t: number, y: number, x: number) => t * 100 + y * 10 + x;

/** tas(time 3, y 4, x 6) in chunks of 3 x 2 x 3: every chunk holds all three times. */
function store(): MemorySource {
  const src = new MemorySource().json('.zgroup', { zarr_format: 2 }).json('.zattrs', {});
  v2Array(src, 'tas', { shape: [T, 4, 6], chunks: [T, 2, 3], dtype: '<f4', dims: ['time', 'y', 'x'], fill: 'NaN' });
  for (let cy = 0; cy < 2; cy++)
    for (let cx = 0; cx < 2; cx++) {
      const c = new Float32Array(T * 2 * 3);
      for (let t = 0; t < T; t++) for (let y = 0; y < 2; y++) for (let x = 0; x < 3; x++) c[(t * 2 + y) * 3 + x] = value(t, cy * 2 + y, cx * 3 + x);
      src.files.set(`tas/0.${cy}.${cx}`, le(c));
    }
  return src;
}

/**
 * Chunk reads wait until `release()`, and honour their abort signal the way
 * `fetch` does (a seam inside Tessera: the real stores are covered on the RGW).
 */
class HeldSource implements KeySource {
  readonly label = 'memory://held.zarr';
  readonly anonymous = false;
  #gate: Promise<void> = Promise.resolve();
  #open = () => {};
  readonly #inner: MemorySource;
  constructor(inner: MemorySource) {
    this.#inner = inner;
  }
  hold(): void {
    this.#gate = new Promise((r) => (this.#open = r));
  }
  release(): void {
    this.#open();
  }
  list = (prefix: string) => this.#inner.list!(prefix);
  async get(key: string, range?: ByteRange, signal?: AbortSignal): Promise<Uint8Array | undefined> {
    if (!/^tas\/\d/.test(key)) return this.#inner.get(key, range);
    await new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(new ZarrError('aborted', 'Cancelled.'));
      signal?.addEventListener('abort', () => reject(new ZarrError('aborted', 'Cancelled.')), { once: true });
      void this.#gate.then(resolve);
    });
    return this.#inner.get(key, range);
  }
}

const request = (id: number, t: number) => ({ id, name: 'tas', sel: { index: [t, 0, 0], free: [1, 2] }, cmap: 'viridis' as const, range: null, robust: false });

function expectSlice(s: SliceSession, r: SliceResult | { error: unknown }, t: number): void {
  if ('error' in r) throw new Error(`position ${t}: ${JSON.stringify(r.error)}`);
  for (let y = 0; y < 4; y++) for (let x = 0; x < 6; x++) expect(s.valueAt(r.id, y, x), `time ${t}, y ${y}, x ${x}`).toBe(value(t, y, x));
}

describe('moving the slider while chunks that span it are on their way', () => {
  it('shows each new position, not the first one, after the read of an earlier position was cancelled', async () => {
    const src = new HeldSource(store());
    const s = new SliceSession();
    await s.open(src);
    expectSlice(s, await s.drawSlice(request(1, 0), () => undefined), 0);
    // Two quick steps: the read of position 1 is cancelled by position 2 while its chunks are held.
    src.hold();
    const one = s.drawSlice(request(2, 1), () => undefined);
    await Promise.resolve();
    const two = s.drawSlice(request(3, 2), () => undefined);
    src.release();
    expect(await one).toEqual({ error: { kind: 'aborted', message: expect.any(String) } });
    expectSlice(s, await two, 2);
    // And every position after that, one at a time and in quick pairs.
    for (let t = 0; t < T; t++) expectSlice(s, await s.drawSlice(request(10 + t, t), () => undefined), t);
    src.hold();
    const a = s.drawSlice(request(20, 0), () => undefined);
    await Promise.resolve();
    const b = s.drawSlice(request(21, 1), () => undefined);
    src.release();
    await a;
    expectSlice(s, await b, 1);
  });
});

describe('the CSV of a slice', () => {
  it('names the fixed dimensions and their coordinates at this slice, and writes float32 values shortest', async () => {
    const s = new SliceSession();
    await s.open(store());
    const r = await s.drawSlice(request(30, 2), () => undefined);
    if ('error' in r) throw new Error(r.error.message);
    const lines = s.csv(30, 'y', 'x', null, null, 'tas', [{ name: 'time', label: '2001-06-03' }])!.trimEnd().split('\n');
    expect(lines[0]).toBe('y,x,time,tas');
    expect(lines[1]).toBe('0,0,2001-06-03,200');
    expect(lines).toHaveLength(1 + 4 * 6);
    expect(lines[24]).toBe(`3,5,2001-06-03,${value(2, 3, 5)}`);
  });
});
