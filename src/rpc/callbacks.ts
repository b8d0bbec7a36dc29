/**
 * Every call of the S3 worker's API takes one options object, and some of
 * its fields are callbacks (`onProgress`, `onPage`, `onMatches`). Comlink
 * proxies a function only when it is a whole argument; inside an object the
 * structured clone would refuse it. This handler sends such an object with
 * each function field replaced by a port, and rebuilds the callbacks on the
 * other side with comlink's own proxy handler (so the worker calls them
 * exactly as it called a proxied argument, and may await them).
 *
 * Call `installCallbackTransfer()` on both sides of the boundary.
 */
import * as Comlink from 'comlink';

type Wire = { plain: Record<string, unknown>; ports: Record<string, MessagePort> };

function isPlainWithCallbacks(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Object.getPrototypeOf(v) !== Object.prototype) return false;
  for (const x of Object.values(v)) if (typeof x === 'function') return true;
  return false;
}

let installed = false;

export function installCallbackTransfer(): void {
  if (installed) return;
  installed = true;
  const proxy = Comlink.transferHandlers.get('proxy') as Comlink.TransferHandler<object, MessagePort>;
  const handler: Comlink.TransferHandler<Record<string, unknown>, Wire> = {
    canHandle: isPlainWithCallbacks,
    serialize(options) {
      const plain: Record<string, unknown> = {};
      const ports: Record<string, MessagePort> = {};
      const transfer: Transferable[] = [];
      for (const [k, v] of Object.entries(options)) {
        if (typeof v === 'function') {
          const [port] = proxy.serialize(v);
          ports[k] = port;
          transfer.push(port);
        } else plain[k] = v;
      }
      return [{ plain, ports }, transfer];
    },
    deserialize({ plain, ports }) {
      const out: Record<string, unknown> = { ...plain };
      for (const [k, port] of Object.entries(ports)) out[k] = proxy.deserialize(port);
      return out;
    },
  };
  Comlink.transferHandlers.set('options-with-callbacks', handler as Comlink.TransferHandler<unknown, unknown>);
}
