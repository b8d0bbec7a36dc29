/**
 * Open a public bucket, prefix or object from a URL, without keys:
 * `https://host/bucket/prefix/` (path-style, as JASMIN serves), `s3://bucket/key`
 * with an endpoint the user gives, or AWS virtual-host URLs
 * (`https://bucket.s3.region.amazonaws.com/key`).
 */
import { resolveEndpoint } from '../s3/endpoint';

export interface OpenTarget {
  endpoint: string;
  region?: string;
  bucket: string;
  /** Key or prefix ('' for the bucket root). */
  path: string;
  /** A trailing `/` (or nothing after the bucket) says "prefix"; otherwise it may be a key. */
  isPrefix: boolean;
  notes: string[];
}

const AWS_VHOST = /^([a-z0-9.-]+)\.s3(?:[.-]([a-z0-9-]+))?\.amazonaws\.com$/i;

function decodePath(p: string): string {
  return p
    .split('/')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    })
    .join('/');
}

export function parseOpenUrl(input: string, endpointForS3Uri?: string): OpenTarget {
  const raw = input.trim();
  if (!raw) throw new TypeError('Paste a URL such as https://tenancy-o.s3-ext.jc.rl.ac.uk/bucket/path/ or s3://bucket/path/.');
  const s3 = /^s3:\/\/([^/]+)\/?(.*)$/i.exec(raw);
  if (s3) {
    if (!endpointForS3Uri?.trim()) throw new TypeError('An s3:// address names no server: give the endpoint (or JASMIN tenancy) too.');
    const { endpoint, notes } = resolveEndpoint(endpointForS3Uri);
    const path = s3[2] ?? '';
    return { endpoint: endpoint.url, bucket: s3[1]!, path, isPrefix: path === '' || path.endsWith('/'), notes };
  }
  let url: URL;
  try {
    url = new URL(/^[a-z]+:\/\//i.test(raw) ? raw : `https://${raw}`);
  } catch {
    throw new TypeError(`"${raw}" is not a URL.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError(`Only http(s) and s3:// addresses can be opened, not ${url.protocol}`);
  if (url.search) throw new TypeError('This URL has a query (?...): paste the plain object or folder address, not a signed link.');
  const vhost = AWS_VHOST.exec(url.hostname);
  if (vhost) {
    const region = vhost[2] && vhost[2] !== 'external-1' ? vhost[2] : 'us-east-1';
    const path = decodePath(url.pathname.slice(1));
    return { endpoint: `https://s3.${region}.amazonaws.com`, region, bucket: vhost[1]!, path, isPrefix: path === '' || path.endsWith('/'), notes: [] };
  }
  const [bucket, ...rest] = url.pathname.replace(/^\/+/, '').split('/');
  if (!bucket) throw new TypeError('The URL names no bucket: expected https://host/bucket/...');
  const { endpoint, notes } = resolveEndpoint(`${url.protocol}//${url.host}`);
  const path = decodePath(rest.join('/'));
  return { endpoint: endpoint.url, bucket: decodePath(bucket), path, isPrefix: path === '' || path.endsWith('/'), notes };
}
