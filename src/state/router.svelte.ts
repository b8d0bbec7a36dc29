/**
 * Hash routes: every place in the app has a link that can be bookmarked and
 * shared. Routes carry bucket names and keys, never credentials.
 *
 *   #/                         connect
 *   #/buckets                  choose a bucket
 *   #/b/<bucket>/<prefix...>   objects under a prefix
 *   #/o/<bucket>/<key...>      one object
 *   #/dataset/<bucket>/<path>  a Zarr store as a dataset
 *   #/dataset/<bucket>/<path>?group=<a/b>  one of its nested groups
 *   #/settings/<bucket>        CORS doctor and bucket policy
 */

export type Route =
  | { name: 'connect' }
  | { name: 'buckets' }
  | { name: 'bucket'; bucket: string; prefix: string }
  | { name: 'object'; bucket: string; key: string }
  | { name: 'dataset'; bucket: string; path: string; group?: string }
  | { name: 'settings'; bucket: string };

/** Encode each part but keep `/` readable; keys may hold anything, so `%` etc. are encoded. */
function enc(s: string): string {
  return s.split('/').map(encodeURIComponent).join('/');
}

function dec(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export function routeToHash(route: Route): string {
  switch (route.name) {
    case 'connect':
      return '#/';
    case 'buckets':
      return '#/buckets';
    case 'bucket':
      return `#/b/${encodeURIComponent(route.bucket)}/${enc(route.prefix)}`;
    case 'object':
      return `#/o/${encodeURIComponent(route.bucket)}/${enc(route.key)}`;
    case 'dataset':
      return `#/dataset/${encodeURIComponent(route.bucket)}/${enc(route.path)}${route.group ? `?group=${enc(route.group)}` : ''}`;
    case 'settings':
      return `#/settings/${encodeURIComponent(route.bucket)}`;
  }
}

export function parseHash(hash: string): Route {
  const h = hash.replace(/^#\/?/, '');
  const [head, bucket, ...rest] = h.split('/');
  // Keys are decoded part by part so an encoded `%2F` inside a part stays a character of the key.
  const tail = rest.map(dec).join('/');
  switch (head) {
    case 'buckets':
      return { name: 'buckets' };
    case 'b':
      if (bucket) return { name: 'bucket', bucket: dec(bucket), prefix: tail };
      break;
    case 'o':
      if (bucket) return { name: 'object', bucket: dec(bucket), key: tail };
      break;
    case 'dataset':
      if (bucket) return datasetRoute(dec(bucket), rest);
      break;
    case 'settings':
      if (bucket) return { name: 'settings', bucket: dec(bucket) };
      break;
  }
  return { name: 'connect' };
}

/** A raw `?` never occurs in an encoded path, so it starts the group query. */
function datasetRoute(bucket: string, rest: string[]): Route {
  const raw = rest.join('/');
  const q = raw.indexOf('?');
  const path = (q < 0 ? raw : raw.slice(0, q)).split('/').map(dec).join('/');
  const m = q < 0 ? null : /^group=(.*)$/.exec(raw.slice(q + 1));
  const group = m ? m[1]!.split('/').map(dec).join('/').replace(/^\/+|\/+$/g, '') : '';
  return group ? { name: 'dataset', bucket, path, group } : { name: 'dataset', bucket, path };
}

class Router {
  #route = $state<Route>(typeof location === 'undefined' ? { name: 'connect' } : parseHash(location.hash));

  constructor() {
    if (typeof window !== 'undefined') {
      window.addEventListener('hashchange', () => (this.#route = parseHash(location.hash)));
    }
  }

  get route(): Route {
    return this.#route;
  }

  go(route: Route): void {
    const hash = routeToHash(route);
    if (location.hash !== hash) location.hash = hash;
    else this.#route = route;
  }

  href(route: Route): string {
    return routeToHash(route);
  }
}

export const router = new Router();
