/**
 * Why did a request from the page get no readable answer? A browser hides the
 * difference between "wrong secret" and "no CORS rule for this origin" (Ceph
 * RGW sends no CORS headers with 403 SignatureDoesNotMatch, so both look like
 * "Failed to fetch"). We tell them apart with requests that need no preflight:
 * an anonymous GET and a query-presigned GET. Only their outcome decides.
 */
import type { S3Client } from './client';
import { requestUrl } from './endpoint';
import { parseErrorXml } from './client';

export type Diagnosis =
  | { kind: 'ok' }
  | { kind: 'unreachable'; detail: string }
  | { kind: 'no-cors'; detail: string }
  | { kind: 'bad-credentials'; detail: string }
  | { kind: 'preflight-refused'; detail: string }
  | { kind: 'no-such-bucket'; detail: string }
  | { kind: 'access-denied'; detail: string };

interface Probe {
  readable: boolean;
  status: number;
  code?: string;
}

async function probe(fetcher: typeof fetch, url: string, signal?: AbortSignal): Promise<Probe> {
  try {
    const res = await fetcher(url, { method: 'GET', signal, cache: 'no-store' });
    const body = await res.text().catch(() => '');
    return { readable: true, status: res.status, code: parseErrorXml(body)?.code };
  } catch {
    return { readable: false, status: 0 };
  }
}

/**
 * Probe a bucket from where this code runs (a worker of the page, so the
 * browser's CORS rules apply) and say what is wrong.
 */
export async function diagnoseBucket(client: S3Client, bucket: string, options: { fetch?: typeof fetch; signal?: AbortSignal } = {}): Promise<Diagnosis> {
  const fetcher = options.fetch ?? ((i, init) => fetch(i, init));
  const query = { 'list-type': '2', 'max-keys': '1' };
  const anon = await probe(fetcher, requestUrl(client.endpoint, bucket, undefined, query), options.signal);
  if (!anon.readable) {
    // Is the store there at all? A bucket-less GET is also a simple request.
    const root = await probe(fetcher, requestUrl(client.endpoint, bucket, undefined, {}), options.signal);
    return root.readable
      ? { kind: 'no-cors', detail: `The store answers, but bucket "${bucket}" sends no CORS headers for this page's origin.` }
      : {
          kind: 'no-cors',
          detail: `No readable answer from ${client.endpoint.url} for bucket "${bucket}": either the bucket has no CORS rule for this page's origin, it does not exist, or the store cannot be reached.`,
        };
  }
  if (anon.code === 'NoSuchBucket' || (anon.status === 404 && !anon.code)) {
    return { kind: 'no-such-bucket', detail: `The bucket "${bucket}" does not exist on ${client.endpoint.url}.` };
  }
  if (client.anonymous) {
    if (anon.status >= 200 && anon.status < 300) return { kind: 'ok' };
    return { kind: 'access-denied', detail: `The bucket "${bucket}" cannot be listed anonymously (${anon.code ?? anon.status}). Objects may still be readable by key.` };
  }
  const signedUrl = await client.presign({ method: 'GET', bucket, query }, 60);
  const signed = await probe(fetcher, signedUrl, options.signal);
  if (!signed.readable || signed.code === 'SignatureDoesNotMatch') {
    return { kind: 'bad-credentials', detail: 'The bucket answers with CORS, but not to these keys: the secret key is most likely wrong.' };
  }
  if (signed.code === 'InvalidAccessKeyId') return { kind: 'bad-credentials', detail: 'The store does not know this access key.' };
  if (signed.code === 'RequestTimeTooSkewed') return { kind: 'bad-credentials', detail: "This computer's clock is too far from the store's." };
  if (signed.status >= 200 && signed.status < 300) {
    return {
      kind: 'preflight-refused',
      detail: `The keys are right and simple requests work, but the bucket's CORS rule refuses the headers or method the app needs (AllowedHeader * and methods GET, HEAD, PUT, POST, DELETE).`,
    };
  }
  if (signed.status === 403) return { kind: 'access-denied', detail: `These keys may not list bucket "${bucket}" (${signed.code ?? 'AccessDenied'}).` };
  return { kind: 'unreachable', detail: `Unexpected answer ${signed.status} ${signed.code ?? ''}`.trim() };
}
