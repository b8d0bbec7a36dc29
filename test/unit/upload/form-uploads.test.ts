import { describe, expect, it } from 'vitest';
import { FormUploads } from '../../../src/lib/upload/form-uploads';

const key = FormUploads.key('https://s3.example', 'b');
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('FormUploads', () => {
  it('lets the first file of a bucket try alone; the others wait for its answer', async () => {
    const f = new FormUploads();
    expect(await f.claim(key)).toBe('probe');
    const turns: string[] = [];
    const waiting = [f.claim(key), f.claim(key)].map((p) => p.then((t) => turns.push(t)));
    await tick();
    expect(turns).toEqual([]);
    f.accepted(key);
    await Promise.all(waiting);
    expect(turns).toEqual(['post', 'post']);
    expect(f.verdict(key)).toBe('post');
    // Another bucket, or the same bucket on another endpoint, is tried on its own.
    expect(await f.claim(FormUploads.key('https://s3.example', 'c'))).toBe('probe');
    expect(await f.claim(FormUploads.key('https://other.example', 'b'))).toBe('probe');
  });

  it('remembers a refusal: PUT from then on', async () => {
    const f = new FormUploads();
    expect(await f.claim(key)).toBe('probe');
    const next = f.claim(key);
    f.refused(key);
    expect(await next).toBe('put');
    expect(await f.claim(key)).toBe('put');
    // A refusal learned later (after POSTs had worked) holds too.
    const g = new FormUploads();
    await g.claim(key);
    g.accepted(key);
    g.refused(key);
    expect(await g.claim(key)).toBe('put');
  });

  it('a try that ended without an answer hands the try to the next file', async () => {
    const f = new FormUploads();
    expect(await f.claim(key)).toBe('probe');
    const next = f.claim(key);
    f.abandon(key);
    expect(await next).toBe('probe');
    expect(f.verdict(key)).toBe('unknown');
    // Abandoning a known verdict changes nothing.
    f.accepted(key);
    f.abandon(key);
    expect(f.verdict(key)).toBe('post');
  });

  it('a file waiting for the try stops when its upload is stopped', async () => {
    const f = new FormUploads();
    await f.claim(key);
    const stop = new AbortController();
    const waiting = f.claim(key, stop.signal);
    stop.abort(new Error('Paused'));
    await expect(waiting).rejects.toThrow('Paused');
  });
});
