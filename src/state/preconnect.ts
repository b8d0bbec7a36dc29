/**
 * Open the connection to a store before its first request needs it. The
 * first request over a real link pays for TCP, TLS and HTTP/2 set-up (three
 * round trips: ~60 ms on a 20 ms link) before its own; a
 * `<link rel="preconnect">` added as soon as the page knows the endpoint
 * lets the browser do that while the workers start, the connection's check
 * is signed and the dataset's metadata is presigned.
 *
 * `crossorigin` (anonymous) matters: the workers' fetches are CORS requests
 * without credentials, which Chromium sends over a connection pool of their
 * own; a preconnect without the attribute would open a connection in the
 * credentialed pool, which those fetches never use. Dedicated workers share
 * the page's network partition, so the connection opened here is theirs.
 * A store on the page's own origin needs none (its requests carry
 * credentials and the page's connection is already open).
 */

/**
 * Ask the browser to connect to the origin of `url` now (once per origin).
 * Does nothing outside a page, or for a URL that is not http(s) or that is
 * on the page's own origin.
 *
 * @example
 * preconnect('https://my-tenancy-o.s3-ext.jc.rl.ac.uk');
 * // <link rel="preconnect" href="https://my-tenancy-o.s3-ext.jc.rl.ac.uk" crossorigin="anonymous">
 */
export function preconnect(url: string): void {
  if (typeof document === 'undefined' || !document.head) return;
  let origin: string;
  try {
    origin = new URL(url).origin;
  } catch {
    return;
  }
  if (!/^https?:/.test(origin) || origin === location.origin) return;
  for (const link of document.head.querySelectorAll<HTMLLinkElement>('link[rel="preconnect"]')) if (link.getAttribute('href') === origin) return;
  const link = document.createElement('link');
  link.rel = 'preconnect';
  link.href = origin;
  link.crossOrigin = 'anonymous';
  document.head.append(link);
}
