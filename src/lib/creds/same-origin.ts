/**
 * Is the app served from the store it talks to? Served from a bucket of
 * that store (path-style: `https://host/app-bucket/index.html`), the app
 * shares its origin with every object of every bucket on the host: any HTML
 * object there that a browser renders runs as Tessera, reads what Tessera
 * stores in this origin (sealed keys, upload state) and can call the store
 * with the page's own tab. Served from a virtual-hosted bucket
 * (`https://app-bucket.host/`), objects of that bucket share its origin the
 * same way.
 */
export type SharedOrigin = 'same-origin' | 'bucket-host' | null;

/** How the app's origin overlaps the endpoint's, or null when they are apart. */
export function sharedOrigin(appUrl: string, endpointUrl: string): SharedOrigin {
  let app: URL;
  let store: URL;
  try {
    app = new URL(appUrl);
    store = new URL(endpointUrl);
  } catch {
    return null;
  }
  if (app.origin === store.origin) return 'same-origin';
  // `bucket.host` on the store's scheme and port: a virtual-hosted bucket of that store.
  if (app.protocol === store.protocol && app.port === store.port && app.hostname.endsWith('.' + store.hostname)) return 'bucket-host';
  return null;
}

/** The warning shown (and kept short) when the origin is shared. */
export function sharedOriginWarning(kind: Exclude<SharedOrigin, null>, appOrigin: string): string {
  const where = kind === 'same-origin' ? 'the same origin as the store it connects to' : 'a bucket host of the store it connects to';
  return (
    `Tessera is served from ${where} (${appOrigin}). Every HTML or SVG object on that origin that a browser opens runs as Tessera: ` +
    'it could read what Tessera keeps in this browser and act with your keys while this tab is open. ' +
    'Tessera therefore keeps no saved keys and no upload state here unless you insist. Serve Tessera from an origin of its own.'
  );
}
