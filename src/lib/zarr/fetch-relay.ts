/**
 * Chunk fetches on a thread of their own. In Chromium the bytes of a response
 * are pulled from the network process by the thread that called `fetch`; while
 * the Zarr worker decodes a chunk (10-70 ms of blocking WASM), the responses of
 * the other chunks in flight stall. A small fetch worker pulls them instead and
 * hands each body over as a transferred ArrayBuffer (no copy).
 *
 * `relayFetch(port)` gives a `fetch` for the Zarr worker; `serveFetches(port)`
 * runs in the fetch worker. Only GET/HEAD with headers are relayed (that is all
 * chunk, metadata and listing reads use); anything else is fetched locally.
 */

interface FetchRequest {
  id: number;
  url: string;
  method: string;
  headers: [string, string][];
}
type FetchReply = { id: number; status: number; statusText: string; headers: [string, string][]; body: ArrayBuffer | null } | { id: number; error: string; name: string };
type Message = FetchRequest | { cancel: number };

interface Port {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (e: MessageEvent) => void): void;
  start?(): void;
}

/** In the fetch worker: answer relayed requests from `port`. */
export function serveFetches(port: Port, fetchFn: typeof fetch = (...a) => fetch(...a)): void {
  const controllers = new Map<number, AbortController>();
  port.addEventListener('message', (e: MessageEvent<Message>) => {
    const m = e.data;
    if ('cancel' in m) {
      controllers.get(m.cancel)?.abort();
      return;
    }
    const controller = new AbortController();
    controllers.set(m.id, controller);
    void (async () => {
      try {
        const res = await fetchFn(m.url, { method: m.method, headers: m.headers, signal: controller.signal });
        // Error bodies are read too: they are small and may hold an S3 error document.
        const body = m.method === 'HEAD' || res.status === 204 || res.status === 304 ? null : await res.arrayBuffer();
        const reply: FetchReply = { id: m.id, status: res.status, statusText: res.statusText, headers: [...res.headers], body };
        port.postMessage(reply, body ? [body] : []);
      } catch (err) {
        port.postMessage({ id: m.id, error: (err as Error)?.message ?? String(err), name: (err as Error)?.name ?? 'Error' } satisfies FetchReply);
      } finally {
        controllers.delete(m.id);
      }
    })();
  });
  port.start?.();
}

/** In the Zarr worker: a `fetch` whose requests are made by the fetch worker behind `port`. */
export function relayFetch(port: Port, fallback: typeof fetch = (...a) => fetch(...a)): typeof fetch {
  let next = 1;
  const waiting = new Map<number, { resolve: (r: Response) => void; reject: (e: unknown) => void }>();
  port.addEventListener('message', (e: MessageEvent<FetchReply>) => {
    const r = e.data;
    const w = waiting.get(r.id);
    if (!w) return;
    waiting.delete(r.id);
    if ('error' in r) {
      w.reject(r.name === 'AbortError' ? new DOMException(r.error, 'AbortError') : new TypeError(r.error));
      return;
    }
    // Statuses a Response cannot be built with (e.g. 0) never come back from fetch.
    w.resolve(new Response(r.status === 204 || r.status === 304 ? null : r.body, { status: r.status, statusText: r.statusText, headers: r.headers }));
  });
  port.start?.();
  return (input, init) => {
    const method = (init?.method ?? 'GET').toUpperCase();
    if (typeof input !== 'string' || init?.body || (method !== 'GET' && method !== 'HEAD')) return fallback(input, init);
    const signal = init?.signal;
    if (signal?.aborted) return Promise.reject(new DOMException('The operation was aborted.', 'AbortError'));
    const id = next++;
    const headers = [...new Headers(init?.headers)];
    return new Promise<Response>((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      signal?.addEventListener('abort', () => {
        if (!waiting.delete(id)) return;
        port.postMessage({ cancel: id });
        reject(new DOMException('The operation was aborted.', 'AbortError'));
      }, { once: true });
      port.postMessage({ id, url: input, method, headers } satisfies FetchRequest);
    });
  };
}
