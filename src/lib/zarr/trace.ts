/**
 * Timestamps of the steps between "open" and "picture on screen" (worker
 * start, presign, fetch, decode, paint, draw), for the benchmark. Each thread
 * keeps its own short buffer on a shared clock (timeOrigin + now); the bench
 * page collects them over a BroadcastChannel by posting "dump". Nothing is
 * sent unless asked, and no key or URL is recorded beyond store-relative keys.
 *
 * Only in builds made for the benchmark (`TESSERA_TRACE=1`): elsewhere
 * `__TESSERA_TRACE__` is the constant false and the bundler drops all of it.
 */
declare const __TESSERA_TRACE__: boolean;
/** False where a build did not define the constant (a harness built without the app's config). */
const TRACE = typeof __TESSERA_TRACE__ !== 'undefined' && __TESSERA_TRACE__;

const CHANNEL = 'tessera-zarr-trace';
const MAX = 2000;
const events: [string, number][] = [];
let channel: BroadcastChannel | null = null;

function listen(): void {
  // Only in browsers (a BroadcastChannel would keep a Node test process alive).
  if (channel || typeof BroadcastChannel === 'undefined' || typeof (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent !== 'string' || /Node\.js/.test(navigator.userAgent)) return;
  channel = new BroadcastChannel(CHANNEL);
  channel.onmessage = (e: MessageEvent) => {
    if (e.data === 'dump') channel!.postMessage({ events: events.splice(0) });
  };
}

/** Record that `what` happened now. */
export function mark(what: string): void {
  if (!TRACE) return;
  if (events.length < MAX) events.push([what, performance.timeOrigin + performance.now()]);
  listen();
}

/** Ask every thread for its events (bench page only). */
export async function collectTrace(waitMs = 300): Promise<[string, number][]> {
  if (!TRACE) throw new Error('This build records no trace: build with TESSERA_TRACE=1.');
  const ch = new BroadcastChannel(CHANNEL);
  const all: [string, number][] = [...events.splice(0)];
  ch.onmessage = (e: MessageEvent<{ events?: [string, number][] }>) => void (e.data.events && all.push(...e.data.events));
  ch.postMessage('dump');
  await new Promise((r) => setTimeout(r, waitMs));
  ch.close();
  return all.sort((a, b) => a[1] - b[1]);
}
