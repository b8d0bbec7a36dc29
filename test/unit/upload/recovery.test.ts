/**
 * What an upload does after each class of failure (the pure `decide`), and
 * the one retry budget per request: a failing part is tried exactly as many
 * times as the client's retry policy allows, counted at a recording `fetch`
 * (a seam in our own client) in front of which the engine runs unchanged.
 */
import { describe, expect, it } from 'vitest';
import { S3Client } from '../../../src/lib/s3/client';
import { resolveEndpoint } from '../../../src/lib/s3/endpoint';
import { S3Error } from '../../../src/lib/s3/errors';
import { DEFAULT_RETRY } from '../../../src/lib/s3/retry';
import { FileChangedError } from '../../../src/lib/upload/classify';
import { UploadEngine, type UploadSnapshot } from '../../../src/lib/upload/engine';
import { MiB } from '../../../src/lib/upload/part-plan';
import { decide, failureOf, networkWait, type FailureKind, type Recovery } from '../../../src/lib/upload/recovery';
import { MemoryUploadStore } from '../../../src/lib/upload/store';

const s3 = (code: string, status: number) => new S3Error({ operation: 'UploadPart', status, code });

describe('the class of a failure', () => {
  const cases: Array<[string, unknown, FailureKind]> = [
    ['no answer', s3('NetworkError', 0), 'network'],
    ['500 InternalError', s3('InternalError', 500), 'server'],
    ['503 ServiceUnavailable', s3('ServiceUnavailable', 503), 'server'],
    ['503 SlowDown', s3('SlowDown', 503), 'slow-down'],
    ['429 without a code', s3('Http429', 429), 'slow-down'],
    ['400 RequestTimeout', s3('RequestTimeout', 400), 'request-timeout'],
    ['403 RequestTimeTooSkewed', s3('RequestTimeTooSkewed', 403), 'clock-skew'],
    ['403 SignatureDoesNotMatch', s3('SignatureDoesNotMatch', 403), 'credentials'],
    ['400 InvalidArgument', s3('InvalidArgument', 400), 'fatal'],
    ['400 EntityTooSmall', s3('EntityTooSmall', 400), 'entity-too-small'],
    ['404 NoSuchUpload', s3('NoSuchUpload', 404), 'upload-gone'],
    ['400 BadDigest', s3('BadDigest', 400), 'checksum'],
    ['400 XAmzContentChecksumMismatch', s3('XAmzContentChecksumMismatch', 400), 'checksum'],
    ['a file changed on disk', new FileChangedError('a.bin'), 'file'],
    ['a pause', s3('Aborted', 0), 'aborted'],
  ];
  it.each(cases)('%s is %s', (_, e, kind) => {
    expect(failureOf(e)).toBe(kind);
  });
});

describe('decide: what the upload does next', () => {
  const options = { maxRetries: 5, maxNetworkWaitMs: 15_000 };
  const fresh = { failures: 0, waitingNetwork: false };
  const table: Array<[FailureKind, Recovery]> = [
    // The user paused or cancelled: the status is set already.
    ['aborted', { event: undefined, failures: 0 }],
    // Wait for the store to answer again, and come back by itself.
    ['network', { event: 'network-lost', delayMs: 1000, failures: 1, diagnose: false }],
    // The client spent the request's budget: stop, resumable, with the store's reason.
    ['server', { event: 'fail', failures: 1 }],
    ['slow-down', { event: 'fail', failures: 1 }],
    ['request-timeout', { event: 'fail', failures: 1 }],
    ['clock-skew', { event: 'fail', failures: 1 }],
    ['credentials', { event: 'credentials-refused', failures: 0 }],
    ['fatal', { event: 'fail', failures: 0 }],
    ['entity-too-small', { event: 'fail', failures: 0 }],
    ['checksum', { event: 'fail', failures: 0 }],
    ['file', { event: 'fail', failures: 0, dropFile: true }],
    // Someone aborted the server upload: a new one, at once, with the file at hand.
    ['upload-gone', { event: 'backoff', delayMs: 0, failures: 1, restart: true }],
  ];
  it.each(table)('after a first %s failure', (kind, expected) => {
    expect(decide(kind, fresh, options)).toEqual(expected);
  });

  it('no failure class makes the engine send a failed request again after a wait, except a lost network', () => {
    for (const [kind] of table) {
      const d = decide(kind, fresh, options);
      if (d.delayMs !== undefined) expect(['network', 'upload-gone']).toContain(kind);
    }
  });

  it('while the network is down: waits grow to the cap, the status stays, the keys are suspected once', () => {
    const waits: number[] = [];
    let state = { failures: 0, waitingNetwork: false };
    const diagnosed: number[] = [];
    for (let i = 0; i < 8; i++) {
      const d = decide('network', state, options);
      expect(d.event).toBe(i === 0 ? 'network-lost' : undefined);
      if (d.diagnose) diagnosed.push(d.failures);
      waits.push(d.delayMs!);
      state = { failures: d.failures, waitingNetwork: true };
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000, 15_000, 15_000, 15_000, 15_000]);
    expect(diagnosed).toEqual([3]);
    expect(networkWait(30, 2000)).toBe(2000);
  });

  it('a server upload that keeps disappearing is started again at most maxRetries times', () => {
    let failures = 0;
    const events: Array<string | undefined> = [];
    for (let i = 0; i < 7; i++) {
      const d = decide('upload-gone', { failures, waitingNetwork: false }, options);
      expect(d.restart).toBe(true);
      events.push(d.event);
      failures = d.failures;
    }
    expect(events).toEqual(['backoff', 'backoff', 'backoff', 'backoff', 'backoff', 'fail', 'fail']);
  });
});

interface Seen {
  method: string;
  url: URL;
}

/**
 * A client whose `fetch` answers Create and the clock probe as a store
 * would, and every upload request with `answer` (a response or a thrown
 * network error), recording each request.
 */
function clientAnswering(seen: Seen[], answer: () => Response): S3Client {
  const { endpoint } = resolveEndpoint('http://store.test:7480');
  const fetchSeam: typeof fetch = async (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const method = init?.method ?? 'GET';
    seen.push({ method, url });
    if (method === 'POST' && url.searchParams.has('uploads')) {
      return new Response('<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>up-1</UploadId></InitiateMultipartUploadResult>', { status: 200 });
    }
    if (method === 'GET') return new Response('', { status: 200, headers: { date: new Date().toUTCString() } });
    return answer();
  };
  // No jitter: every back-off is 0 ms, so the budget is counted, not waited for.
  return new S3Client({ endpoint, credentials: { accessKeyId: 'AK', secretAccessKey: 'SK' }, fetch: fetchSeam, random: () => 0 });
}

function until(engine: UploadEngine, id: string, pred: (s: UploadSnapshot) => boolean): Promise<UploadSnapshot> {
  return new Promise((resolve) => {
    const check = () => {
      const s = engine.snapshot(id);
      if (s && pred(s)) {
        off();
        resolve(s);
      }
    };
    const off = engine.subscribe(check);
    check();
  });
}

const integrity = { md5: false, sha256: false, checksum: false };
/** How many times each part was sent. */
function partPuts(seen: Seen[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const s of seen) {
    if (s.method !== 'PUT' || !s.url.searchParams.has('partNumber')) continue;
    const n = Number(s.url.searchParams.get('partNumber'));
    out.set(n, (out.get(n) ?? 0) + 1);
  }
  return out;
}

describe('one retry budget per request', () => {
  it.each([
    ['503 SlowDown', () => new Response('<Error><Code>SlowDown</Code></Error>', { status: 503 })],
    ['500 InternalError', () => new Response('<Error><Code>InternalError</Code></Error>', { status: 500 })],
  ])('a part refused with %s is sent exactly maxAttempts times in all, then the upload stops, resumable', async (_, answer) => {
    const seen: Seen[] = [];
    const client = clientAnswering(seen, answer);
    const engine = new UploadEngine({ client: () => client, store: new MemoryUploadStore(), integrity, maxConcurrent: 1 });
    const [id] = await engine.add([{ bucket: 'b', key: 'k', file: new Blob([new Uint8Array(6 * MiB)]), partSize: 5 * MiB }]);
    await engine.idle();
    const snap = engine.snapshot(id!)!;
    expect(snap.status).toBe('failed');
    expect(snap.uploadId).toBe('up-1');
    const puts = partPuts(seen);
    expect(puts.get(1)).toBe(DEFAULT_RETRY.maxAttempts);
    // The next part may have started beside it; it was stopped with the upload, not sent again.
    expect(puts.get(2) ?? 0).toBeLessThanOrEqual(1);
  });

  it('a single PUT refused with 503 is sent exactly maxAttempts times', async () => {
    const seen: Seen[] = [];
    const client = clientAnswering(seen, () => new Response('<Error><Code>ServiceUnavailable</Code></Error>', { status: 503 }));
    const engine = new UploadEngine({ client: () => client, store: new MemoryUploadStore(), integrity });
    const [id] = await engine.add([{ bucket: 'b', key: 'small', file: new Blob([new Uint8Array(1000)]) }]);
    await engine.idle();
    expect(engine.snapshot(id!)!.status).toBe('failed');
    expect(seen.filter((s) => s.method === 'PUT')).toHaveLength(DEFAULT_RETRY.maxAttempts);
  });

  it('a part that gets no answer is sent maxNetworkAttempts times, then the upload waits for the network', async () => {
    const seen: Seen[] = [];
    const client = clientAnswering(seen, () => {
      throw new TypeError('Failed to fetch');
    });
    const engine = new UploadEngine({ client: () => client, store: new MemoryUploadStore(), integrity, maxConcurrent: 1 });
    const [id] = await engine.add([{ bucket: 'b', key: 'k', file: new Blob([new Uint8Array(6 * MiB)]), partSize: 5 * MiB }]);
    const snap = await until(engine, id!, (s) => s.status === 'waiting-network');
    expect(snap.error?.code).toBe('NetworkError');
    // The next round comes after decide's wait (a second here): pause before it.
    engine.pause(id);
    await engine.idle();
    const puts = partPuts(seen);
    expect(puts.get(1)).toBe(DEFAULT_RETRY.maxNetworkAttempts);
    expect(puts.get(2) ?? 0).toBeLessThanOrEqual(1);
    expect(engine.snapshot(id!)!.status).toBe('paused');
  });
});
