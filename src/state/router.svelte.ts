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
 *   #/dataset/<bucket>/<key>?refs=json      a kerchunk reference file as a dataset
 *                                           (refs=parquet: a Parquet reference folder;
 *                                           refs=scan: a data file described on the fly)
 *   #/dataset/<bucket>/<folder>?refs=combine&file=a.nc&file=b.nc&dim=time
 *                                           files of a folder combined along a dimension
 *   #/settings/<bucket>        CORS doctor and bucket policy
 *
 * Any route may end in `?name=value&…` (a raw `?` never occurs in an encoded
 * path): `group=` picks a nested group of a dataset, the dataset view's
 * parameters say what it shows (see lib/zarr/view-state.ts), and `at=` names
 * the endpoint of an anonymous connection, so a link to public data opens by
 * itself after a reload or on another machine. A connection with keys never
 * puts its endpoint in links: whoever opens them connects first.
 */
import { viewFromParams, viewToParams, type DatasetView } from '../lib/zarr/view-state';
import type { CombineSpec, ReferenceFormat } from '../lib/zarr/address';

type Place =
  | { name: 'connect' }
  | { name: 'buckets' }
  | { name: 'bucket'; bucket: string; prefix: string }
  | { name: 'object'; bucket: string; key: string }
  | { name: 'dataset'; bucket: string; path: string; group?: string; view?: DatasetView; refs?: ReferenceFormat; combine?: CombineSpec }
  | { name: 'settings'; bucket: string };

export type Route = Place & {
  /** Endpoint of the anonymous connection the route is read with. */
  at?: string;
};

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

/** A query value, readable where the fragment allows it (`:`, `,`, `/`, `@` need no escape there). */
function encValue(s: string): string {
  return encodeURIComponent(s).replace(/%(3A|2C|2F|40)/gi, (m) => decodeURIComponent(m));
}

function query(pairs: [string, string][]): string {
  return pairs.length ? `?${pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encValue(v)}`).join('&')}` : '';
}

function placeHash(route: Place): string {
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
      return `#/dataset/${encodeURIComponent(route.bucket)}/${enc(route.path)}`;
    case 'settings':
      return `#/settings/${encodeURIComponent(route.bucket)}`;
  }
}

export function routeToHash(route: Route): string {
  const pairs: [string, string][] = [];
  if (route.name === 'dataset') {
    if (route.refs) pairs.push(['refs', route.refs]);
    if (route.refs === 'combine' && route.combine) pairs.push(...route.combine.files.map((f): [string, string] => ['file', f]), ['dim', route.combine.dim]);
    if (route.group) pairs.push(['group', route.group]);
    if (route.view) pairs.push(...viewToParams(route.view));
  }
  if (route.at) pairs.push(['at', route.at]);
  return placeHash(route) + query(pairs);
}

export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#\/?/, '');
  const q = raw.indexOf('?');
  const params = (q < 0 ? '' : raw.slice(q + 1))
    .split('&')
    .filter(Boolean)
    .map((p): [string, string] => {
      const eq = p.indexOf('=');
      return eq < 0 ? [dec(p), ''] : [dec(p.slice(0, eq)), dec(p.slice(eq + 1))];
    });
  const route = parsePlace(q < 0 ? raw : raw.slice(0, q), params);
  const at = params.find(([k]) => k === 'at')?.[1];
  return at && route.name !== 'connect' ? { ...route, at } : route;
}

function parsePlace(h: string, params: [string, string][]): Place {
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
      if (bucket) return datasetRoute(dec(bucket), tail, params);
      break;
    case 'settings':
      if (bucket) return { name: 'settings', bucket: dec(bucket) };
      break;
  }
  return { name: 'connect' };
}

function datasetRoute(bucket: string, path: string, params: [string, string][]): Place {
  const group = (params.find(([k]) => k === 'group')?.[1] ?? '').replace(/^\/+|\/+$/g, '');
  const view = viewFromParams(params);
  const route: Place = { name: 'dataset', bucket, path };
  const refs = params.find(([k]) => k === 'refs')?.[1];
  if (refs === 'json' || refs === 'parquet' || refs === 'scan') route.refs = refs;
  const files = params.filter(([k, v]) => k === 'file' && v).map(([, v]) => v);
  const dim = params.find(([k]) => k === 'dim')?.[1];
  if (refs === 'combine' && files.length && dim) Object.assign(route, { refs, combine: { files, dim } });
  if (group) route.group = group;
  if (Object.keys(view).length) route.view = view;
  return route;
}

class Router {
  #route = $state<Route>(typeof location === 'undefined' ? { name: 'connect' } : parseHash(location.hash));
  /** Endpoint of the anonymous connection, added to every link made while it is open. */
  #at: string | null = null;

  constructor() {
    if (typeof window !== 'undefined') {
      window.addEventListener('hashchange', () => (this.#route = parseHash(location.hash)));
    }
  }

  get route(): Route {
    return this.#route;
  }

  /** Links carry `at=<endpoint>` while an anonymous connection is open (null: none). */
  set anonymousEndpoint(url: string | null) {
    this.#at = url;
  }

  #withAt(route: Route): Route {
    if (route.name === 'connect') return route;
    const { at: _, ...place } = route;
    return this.#at ? { ...place, at: this.#at } : place;
  }

  go(route: Route): void {
    const hash = routeToHash(this.#withAt(route));
    if (location.hash !== hash) location.hash = hash;
    else this.#route = route;
  }

  /**
   * Put `route` in the address bar without moving there: for what a view
   * shows (sliders, zoom), so the address can be shared or reloaded, without
   * an entry in the history for every step of a slider.
   */
  replace(route: Route): void {
    const hash = routeToHash(this.#withAt(route));
    if (location.hash !== hash) history.replaceState(history.state, '', hash);
  }

  href(route: Route): string {
    return routeToHash(this.#withAt(route));
  }
}

export const router = new Router();
