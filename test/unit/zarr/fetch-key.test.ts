import { describe, expect, it } from 'vitest';
import { fetchKey, READ_ATTEMPTS } from '../../../src/lib/zarr/source';
import { ZarrError } from '../../../src/lib/zarr/errors';

/** A fetch answering from a script of outcomes, counting calls (a seam inside Tessera). */
function scripted(outcomes: (number | 'drop' | 'cut')[]): { fetch: typeof fetch; calls: () => number } {
  let n = 0;
  const f = (async () => {
    const o = outcomes[Math.min(n++, outcomes.length - 1)]!;
    if (o === 'drop') throw new TypeError('Failed to fetch');
    if (o === 'cut') return new Response(new ReadableStream({ start: (c) => c.error(new TypeError('network error')) }), { status: 200 });
    return new Response(o === 200 ? new Uint8Array([1, 2, 3]) : 'x', { status: o });
  }) as typeof fetch;
  return { fetch: f, calls: () => n };
}

describe('reading a chunk', () => {
  it('tries again after a dropped connection, a 503, a 429 or a body cut short, and returns the bytes', async () => {
    for (const first of ['drop', 503, 429, 'cut'] as const) {
      const s = scripted([first, 200]);
      expect(Array.from((await fetchKey('https://h/b/k', 'k', undefined, undefined, s.fetch))!)).toEqual([1, 2, 3]);
      expect(s.calls()).toBe(2);
    }
  });

  it('gives up after a bounded number of tries, naming the key', async () => {
    const s = scripted([503]);
    await expect(fetchKey('https://h/b/k', 'tas/0.0', undefined, undefined, s.fetch)).rejects.toThrow(/tas\/0\.0 failed: HTTP 503 \(after 3 tries\)/);
    expect(s.calls()).toBe(READ_ATTEMPTS);
  });

  it('does not try again what another try cannot mend: 403, 400, a missing key', async () => {
    for (const status of [403, 400]) {
      const s = scripted([status, 200]);
      await expect(fetchKey('https://h/b/k', 'k', undefined, undefined, s.fetch)).rejects.toBeInstanceOf(ZarrError);
      expect(s.calls()).toBe(1);
    }
    const missing = scripted([404, 200]);
    expect(await fetchKey('https://h/b/k', 'k', undefined, undefined, missing.fetch)).toBeUndefined();
    expect(missing.calls()).toBe(1);
  });

  it('stops waiting to try again when cancelled', async () => {
    const s = scripted([503]);
    const c = new AbortController();
    const p = fetchKey('https://h/b/k', 'k', undefined, c.signal, s.fetch);
    c.abort();
    await expect(p).rejects.toMatchObject({ kind: 'aborted' });
    expect(s.calls()).toBe(1);
  });
});

describe('a ranged read', () => {
  /** 206 answers declaring bytes 100-199; `short` of them carry fewer bytes than declared. */
  function ranged(bodies: number[]): { fetch: typeof fetch; inits: RequestInit[] } {
    const inits: RequestInit[] = [];
    const f = (async (_url: string, init: RequestInit) => {
      const n = bodies[Math.min(inits.length, bodies.length - 1)]!;
      inits.push(init);
      return new Response(new Uint8Array(n).fill(7), { status: 206, headers: { 'content-range': 'bytes 100-199/1000' } });
    }) as typeof fetch;
    return { fetch: f, inits };
  }

  it('never goes through the HTTP cache, and adds no header but Range (no preflight)', async () => {
    const s = ranged([100]);
    expect((await fetchKey('https://h/b/k', 'k', { offset: 100, length: 100 }, undefined, s.fetch))!.byteLength).toBe(100);
    expect(s.inits[0]).toMatchObject({ cache: 'no-store', headers: { Range: 'bytes=100-199' } });
    expect(Object.keys(s.inits[0]!.headers as Record<string, string>)).toEqual(['Range']);
  });

  it('reads again a body shorter than its Content-Range, and says so when it stays short', async () => {
    const s = ranged([52, 100]);
    expect((await fetchKey('https://h/b/k', 'k', { offset: 100, length: 100 }, undefined, s.fetch))!.byteLength).toBe(100);
    expect(s.inits).toHaveLength(2);
    const short = ranged([52]);
    await expect(fetchKey('https://h/b/shard', 'c/0/0/0', { offset: 100, length: 100 }, undefined, short.fetch)).rejects.toThrow(/c\/0\/0\/0 failed: the store declared bytes 100-199 but sent 52 bytes \(after 3 tries\)/);
    expect(short.inits).toHaveLength(READ_ATTEMPTS);
  });
});
