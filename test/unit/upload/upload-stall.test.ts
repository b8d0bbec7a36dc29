/**
 * An upload sent through XMLHttpRequest (src/lib/s3/client.ts `xhrFetch`) that
 * sends nothing and hears nothing for the stall bound is dropped as a network
 * failure (which the client retries), while one whose bytes keep going is
 * never cut, however long it takes. The XMLHttpRequest is a stand-in passed
 * to `xhrFetch` (Node has none): it does nothing until the test moves it.
 */
import { describe, expect, it } from 'vitest';
import { xhrFetch } from '../../../src/lib/s3/client';

type Handler = ((e: { loaded: number }) => void) | null;

class StandInXhr {
  static last: StandInXhr | undefined;
  readyState = 0;
  status = 0;
  statusText = '';
  response: ArrayBuffer | null = null;
  responseType = '';
  aborted = false;
  sent = false;
  upload: { onprogress: Handler; onload: Handler } = { onprogress: null, onload: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  ontimeout: (() => void) | null = null;
  onabort: (() => void) | null = null;
  onreadystatechange: (() => void) | null = null;
  constructor() {
    StandInXhr.last = this;
  }
  open(): void {
    this.readyState = 1;
  }
  setRequestHeader(): void {}
  getAllResponseHeaders(): string {
    return 'etag: "abc"\r\n';
  }
  send(): void {
    this.sent = true;
  }
  abort(): void {
    this.aborted = true;
    this.onabort?.();
  }
  /** The network moved `loaded` bytes of the body. */
  progress(loaded: number): void {
    this.upload.onprogress?.({ loaded });
  }
  answer(status: number): void {
    this.readyState = 4;
    this.status = status;
    this.response = new ArrayBuffer(0);
    this.onload?.();
  }
}

const Xhr = StandInXhr as unknown as typeof XMLHttpRequest;
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('uploads that stall', () => {
  it('drops an upload that sends nothing and hears nothing for the stall bound, as a network failure', async () => {
    const seen: number[] = [];
    const sending = xhrFetch('https://store.test/b/k', { method: 'PUT', body: 'x' }, (n) => seen.push(n), { stallMs: 40, Xhr });
    const xhr = StandInXhr.last!;
    xhr.progress(1);
    await expect(sending).rejects.toThrow(/stalled: nothing was sent or received/);
    expect(xhr.aborted).toBe(true);
    expect(seen).toEqual([1]);
  });

  it('never cuts an upload whose bytes keep going, and gives its answer', async () => {
    const sending = xhrFetch('https://store.test/b/k', { method: 'PUT', body: 'x' }, () => undefined, { stallMs: 60, Xhr });
    const xhr = StandInXhr.last!;
    // Ten stall bounds long in all, never a whole bound without a byte.
    for (let i = 1; i <= 30; i++) {
      await wait(20);
      xhr.progress(i);
    }
    xhr.upload.onload?.({ loaded: 30 });
    await wait(20);
    xhr.answer(200);
    const res = await sending;
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"abc"');
    expect(xhr.aborted).toBe(false);
  });

  it('a cancel is a cancel, not a stall', async () => {
    const controller = new AbortController();
    const sending = xhrFetch('https://store.test/b/k', { method: 'PUT', body: 'x', signal: controller.signal }, () => undefined, { stallMs: 1000, Xhr });
    controller.abort(new DOMException('Cancel', 'AbortError'));
    await expect(sending).rejects.toThrow('Cancel');
    await expect(sending).rejects.not.toThrow(/stalled/);
  });
});
