/**
 * The fetch relay over a real MessageChannel: status, headers and body come
 * back intact (the body transferred, not copied), network failures stay
 * "Failed to fetch"-like TypeErrors, and cancelling reaches the fetch thread.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { relayFetch, serveFetches } from '../../../src/lib/zarr/fetch-relay';
import { fetchKey } from '../../../src/lib/zarr/source';

const channels: MessageChannel[] = [];
afterEach(() => {
  for (const c of channels.splice(0)) {
    c.port1.close();
    c.port2.close();
  }
});

function relayOver(fetchFn: typeof fetch): typeof fetch {
  const c = new MessageChannel();
  channels.push(c);
  serveFetches(c.port2 as unknown as Parameters<typeof serveFetches>[0], fetchFn);
  return relayFetch(c.port1 as unknown as Parameters<typeof relayFetch>[0], () => Promise.reject(new Error('no local fetch here')));
}

describe('fetch relay', () => {
  it('passes the request and gives back status, headers and bytes', async () => {
    const seen: { url: string; range: string | null }[] = [];
    const relayed = relayOver(async (input, init) => {
      seen.push({ url: String(input), range: new Headers(init?.headers).get('range') });
      return new Response(new Uint8Array([1, 2, 3]), { status: 206, headers: { 'content-range': 'bytes 0-2/10' } });
    });
    const res = await relayed('https://h/b/k?X-Amz-Signature=x', { headers: { Range: 'bytes=0-2' } });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe('bytes 0-2/10');
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(new Uint8Array([1, 2, 3]));
    expect(seen).toEqual([{ url: 'https://h/b/k?X-Amz-Signature=x', range: 'bytes=0-2' }]);
  });

  it('keeps the source contract: 404 is missing, 403 is denied, a network failure is fetch-failed', async () => {
    let mode = 404;
    const relayed = relayOver(async () => {
      if (mode === 0) throw new TypeError('Failed to fetch');
      return new Response('<Error/>', { status: mode });
    });
    expect(await fetchKey('https://h/k', 'k', undefined, undefined, relayed)).toBeUndefined();
    mode = 403;
    await expect(fetchKey('https://h/k', 'k', undefined, undefined, relayed)).rejects.toMatchObject({ kind: 'access-denied' });
    mode = 0;
    await expect(fetchKey('https://h/k', 'k', undefined, undefined, relayed)).rejects.toMatchObject({ kind: 'fetch-failed' });
  });

  it('cancels on the fetch thread when the caller aborts', async () => {
    let aborted: Promise<void> | undefined;
    const relayed = relayOver((_input, init) => {
      aborted = new Promise((resolve) => init!.signal!.addEventListener('abort', () => resolve()));
      return new Promise(() => undefined);
    });
    const controller = new AbortController();
    const p = fetchKey('https://h/k', 'k', undefined, controller.signal, relayed);
    await new Promise((r) => setTimeout(r, 20));
    controller.abort();
    await expect(p).rejects.toMatchObject({ kind: 'aborted' });
    await aborted;
  });
});
