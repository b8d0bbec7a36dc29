/**
 * Where requests go: an endpoint URL (or a JASMIN tenancy name), the region we
 * sign for, and how buckets are addressed.
 */

export type AddressingStyle = 'path' | 'virtual';

export interface Endpoint {
  /** Origin plus optional base path, without a trailing slash, e.g. `https://tenancy-o.s3-ext.jc.rl.ac.uk`. */
  url: string;
  /** Region used in the signature. JASMIN documents none: `us-east-1` works. */
  region: string;
  /** Path-style (`host/bucket/key`, JASMIN and most non-AWS stores) or virtual-host (`bucket.host/key`). */
  style: AddressingStyle;
}

export interface EndpointResolution {
  endpoint: Endpoint;
  /** Explanations of rewrites we made (e.g. internal JASMIN host to the external one). */
  notes: string[];
}

export const DEFAULT_REGION = 'us-east-1';
const JASMIN_INTERNAL = /^([a-z0-9][a-z0-9-]*)-o\.s3\.jc\.rl\.ac\.uk$/i;
const TENANCY_NAME = /^[a-z0-9][a-z0-9-]*[a-z0-9]$|^[a-z0-9]$/i;

/** `https://<tenancy>-o.s3-ext.jc.rl.ac.uk`: the HTTPS endpoint of a JASMIN tenancy that browsers can reach. */
export function jasminEndpoint(tenancy: string): string {
  return `https://${tenancy.toLowerCase()}-o.s3-ext.jc.rl.ac.uk`;
}

/**
 * Turn what a user typed into an endpoint.
 *
 * @example
 * resolveEndpoint('my-tenancy').endpoint.url // 'https://my-tenancy-o.s3-ext.jc.rl.ac.uk'
 * resolveEndpoint('http://my-tenancy-o.s3.jc.rl.ac.uk').notes // explains the switch to -ext HTTPS
 */
export function resolveEndpoint(input: string, options: { region?: string; style?: AddressingStyle } = {}): EndpointResolution {
  const raw = input.trim();
  const notes: string[] = [];
  const region = options.region?.trim() || DEFAULT_REGION;
  const style = options.style ?? 'path';
  if (!raw) throw new TypeError('Enter an endpoint URL or a JASMIN tenancy name.');

  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    const name = raw.replace(/-o$/i, '');
    if (TENANCY_NAME.test(name) && !name.includes('.')) {
      notes.push(`"${raw}" is read as a JASMIN tenancy name.`);
      return { endpoint: { url: jasminEndpoint(name), region, style }, notes };
    }
    // A bare host name: assume HTTPS.
    return resolveEndpoint(`https://${raw}`, { region, style });
  }

  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TypeError(`"${raw}" is not a valid URL.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`Only http and https endpoints are supported, not ${url.protocol}`);
  }
  if (url.username || url.password) throw new TypeError('Do not put credentials in the endpoint URL.');
  if (url.search || url.hash) throw new TypeError('The endpoint URL must not have a query or fragment.');
  const internal = JASMIN_INTERNAL.exec(url.hostname);
  if (internal) {
    notes.push(
      `${url.hostname} is JASMIN's internal endpoint, reachable only inside JASMIN and over plain HTTP, ` +
        `which a web page cannot use. Using the external HTTPS endpoint of the same tenancy instead.`,
    );
    return { endpoint: { url: jasminEndpoint(internal[1]!), region, style }, notes };
  }
  const path = url.pathname.replace(/\/+$/, '');
  return { endpoint: { url: `${url.protocol}//${url.host}${path}`, region, style }, notes };
}

/**
 * Percent-encode an object key for a URL path, keeping `/` as the separator.
 * Every byte outside RFC 3986's unreserved set is encoded, so `+`, `%`, `#`, `?`
 * and spaces survive.
 *
 * A path segment that is `.` or `..` (even spelt `%2E%2E`) is removed by the
 * WHATWG URL parser that `fetch` uses, so `../x` would silently address a
 * different key, or another bucket. Such a segment is glued to its neighbour
 * with `%2F`, which S3 decodes back to `/`: `../x` is sent as `..%2Fx` and
 * `x/..` as `x%2F..`. The keys `.` and `..` alone have no neighbour and cannot
 * be addressed from a browser at all.
 */
export function encodeKey(key: string): string {
  const segments = key.split('/');
  if (segments.length === 1 && isDotSegment(key)) {
    throw new TypeError(`The key "${key}" cannot be used from a web browser: the URL standard removes "." and ".." path segments.`);
  }
  let out = '';
  for (let i = 0; i < segments.length; i++) {
    const seg = encodeRfc3986(segments[i]!);
    if (i === 0) {
      out = seg;
      continue;
    }
    // Glue with %2F when this segment or the previous one is a dot segment.
    const glue = isDotSegment(segments[i]!) || isDotSegment(segments[i - 1]!) ? '%2F' : '/';
    out += glue + seg;
  }
  return out;
}

function isDotSegment(segment: string): boolean {
  return segment === '.' || segment === '..';
}

/** RFC 3986 encoding of a whole string (as S3's canonical request wants it). */
export function encodeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/** Build the URL of a bucket, object or the service root, with an optional query. */
export function requestUrl(endpoint: Endpoint, bucket?: string, key?: string, query?: Record<string, string>): string {
  const base = new URL(endpoint.url);
  let host = base.host;
  let path = base.pathname.replace(/\/+$/, '');
  if (bucket) {
    if (endpoint.style === 'virtual' && !bucket.includes('.')) host = `${bucket}.${host}`;
    else path += '/' + encodeRfc3986(bucket);
  }
  if (key !== undefined) path += '/' + encodeKey(key);
  else if (bucket) path += '/';
  if (!path) path = '/';
  let url = `${base.protocol}//${host}${path}`;
  if (query) {
    const parts = Object.entries(query).map(([k, v]) => (v === '' ? encodeRfc3986(k) : `${encodeRfc3986(k)}=${encodeRfc3986(v)}`));
    if (parts.length) url += '?' + parts.join('&');
  }
  return url;
}

/** `s3://bucket/key`, for display and for the peer tools' command lines. */
export function s3Uri(bucket: string, key = ''): string {
  return `s3://${bucket}/${key}`;
}
