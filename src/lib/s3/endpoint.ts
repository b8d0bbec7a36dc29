/**
 * Where requests go: an endpoint URL (or a JASMIN tenancy name), the region we
 * sign for, and how buckets are addressed.
 */
import { S3Error } from './errors';

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

/**
 * How a bucket name will be used: addressed path-style (`host/bucket/`),
 * virtual-host style (`bucket.host/`), or given to CreateBucket.
 */
export type BucketNameUse = AddressingStyle | 'create';

/**
 * Characters that would change where a request goes if a bucket name carried
 * them into a URL: a path separator, the start of a query or fragment, a
 * percent escape, a port separator (`bucket.host:port` with virtual-host
 * addressing), and the backslash WHATWG URLs read as `/`.
 */
const URL_SYNTAX: Record<string, string> = {
  '/': 'a slash ("/")',
  '?': 'a question mark ("?")',
  '#': 'a hash ("#")',
  '%': 'a percent sign ("%")',
  ':': 'a colon (":")',
  '\\': 'a backslash ("\\")',
};
/** Legacy names (us-east-1 before March 2018, Ceph RGW with `rgw_relaxed_s3_bucket_names`): path-style only. */
const LEGACY_MAX = 255;
const LEGACY_CHARS = /^[A-Za-z0-9._-]+$/;
const IPV4_LIKE = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;
/** AWS reserves these for its own features; a new bucket cannot take them. */
const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];

/**
 * What is wrong with a bucket name for a use, in plain words naming the rule
 * it breaks, or `undefined` when it is fine.
 *
 * - Every use refuses what would change a request's address (`/`, `?`, `#`,
 *   `%`, `:`, `\`), whitespace, control characters, names made only of dots
 *   (URL parsers drop `.` and `..` segments) and the empty name.
 * - `path` also accepts the older, looser names some stores still hold:
 *   upper case, underscores, up to 255 characters.
 * - `virtual` puts the name into the host name, so it must be DNS-compatible:
 *   3–63 characters, lower-case letters, digits, dots and hyphens, labels
 *   starting and ending with a letter or digit, not an IP address.
 * - `create` is AWS's rule for new buckets: DNS-compatible and none of the
 *   prefixes and suffixes AWS reserves.
 *
 * @example
 * bucketNameProblem('my-data') // undefined
 * bucketNameProblem('localhost:9000/') // 'A bucket name cannot contain a colon (":") …'
 * bucketNameProblem('My_Data', 'path') // undefined: a legacy name, path-style only
 * bucketNameProblem('My_Data', 'virtual') // 'Upper-case letters …'
 */
export function bucketNameProblem(name: string, use: BucketNameUse = 'path'): string | undefined {
  if (name === '') return 'A bucket name cannot be empty.';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) return 'A bucket name cannot contain control characters.';
  if (/\s/.test(name)) return 'A bucket name cannot contain spaces or other whitespace.';
  for (const ch of name) {
    const what = URL_SYNTAX[ch];
    if (what) return `A bucket name cannot contain ${what}: it would change the address the request is sent to.`;
  }
  if (/^\.+$/.test(name)) return 'A bucket name cannot be made only of dots.';
  if (use === 'path') {
    if (name.length > LEGACY_MAX) return `A bucket name has at most ${LEGACY_MAX} characters (this one has ${name.length}).`;
    const bad = [...name].find((ch) => !LEGACY_CHARS.test(ch));
    if (bad !== undefined) return `A bucket name may contain only letters, digits, dots, hyphens and underscores, not "${bad}".`;
    return undefined;
  }
  const why = use === 'virtual' ? ' with virtual-host addressing, where the name becomes part of the host name' : '';
  if (name.length < 3 || name.length > 63) return `A bucket name has 3 to 63 characters${why} (this one has ${name.length}).`;
  if (/[A-Z]/.test(name)) return `Upper-case letters are not allowed in a bucket name${why}.`;
  if (name.includes('_')) return `Underscores are not allowed in a bucket name${why}.`;
  const bad = [...name].find((ch) => !/[a-z0-9.-]/.test(ch));
  if (bad !== undefined) return `A bucket name may contain only lower-case letters, digits, dots and hyphens${why}, not "${bad}".`;
  if (!/^[a-z0-9].*[a-z0-9]$/.test(name)) return `A bucket name must start and end with a letter or a digit${why}.`;
  if (name.includes('..')) return `A bucket name cannot contain two dots in a row${why}.`;
  if (name.includes('.-') || name.includes('-.')) return `A hyphen cannot stand next to a dot in a bucket name${why}.`;
  if (IPV4_LIKE.test(name)) return 'A bucket name cannot look like an IP address.';
  if (use === 'create') {
    const prefix = RESERVED_PREFIXES.find((p) => name.startsWith(p));
    if (prefix) return `Bucket names starting with "${prefix}" are reserved.`;
    const suffix = RESERVED_SUFFIXES.find((s) => name.endsWith(s));
    if (suffix) return `Bucket names ending with "${suffix}" are reserved.`;
  }
  return undefined;
}

/** Whether a name can be a host name label sequence (virtual-host addressing). */
export function isDnsCompatibleBucketName(name: string): boolean {
  return bucketNameProblem(name, 'virtual') === undefined;
}

/**
 * Throw the structured, non-retryable error for a bucket name that cannot be
 * addressed with this style. Called by `requestUrl` before any URL is built,
 * so no caller can skip it.
 */
export function assertBucketName(bucket: string, style: AddressingStyle, operation = 'Request'): void {
  const problem = bucketNameProblem(bucket, style);
  if (problem) throw new S3Error({ operation, status: 0, code: 'InvalidBucketName', message: problem, bucket, retryable: false });
}

/**
 * Build the URL of a bucket, object or the service root, with an optional query.
 * The bucket name is checked first (see `bucketNameProblem`): a name that would
 * send a signed request to another host or path throws an `S3Error`
 * (`InvalidBucketName`, not retryable) and no URL is made.
 */
export function requestUrl(endpoint: Endpoint, bucket?: string, key?: string, query?: Record<string, string>): string {
  if (bucket !== undefined) assertBucketName(bucket, endpoint.style);
  const base = new URL(endpoint.url);
  let host = base.host;
  let path = base.pathname.replace(/\/+$/, '');
  if (bucket !== undefined) {
    // Dotted names break TLS wildcard certificates (*.host): those stay path-style.
    if (endpoint.style === 'virtual' && !bucket.includes('.')) host = `${bucket}.${host}`;
    else path += '/' + encodeRfc3986(bucket);
  }
  if (key !== undefined) path += '/' + encodeKey(key);
  else if (bucket !== undefined) path += '/';
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
