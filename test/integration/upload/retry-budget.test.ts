/**
 * One retry budget per request, against the real RGW behind the fault proxy:
 * a part refused with 503 SlowDown every time is sent exactly as many times
 * as the client's retry policy allows, then the upload stops, resumable; the
 * user's Resume continues it from what the store holds.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEFAULT_RETRY } from '../../../src/lib/s3/retry';
import { MiB } from '../../../src/lib/upload/part-plan';
import { loadRgwEnv } from '../../helpers/rgw-env';
import { startFaultProxy, type FaultProxy } from '../../helpers/fault-proxy';
import { createBucket, destroyBucket, rgwClient, uniqueBucket } from '../../helpers/s3';
import { TempFiles, downloadedSha256, newEngine, recordingClient, type Sent } from './harness';

const bucket = uniqueBucket('upbudget');
const files = new TempFiles();
let proxy: FaultProxy;

beforeAll(async () => {
  await createBucket(bucket);
  // Every attempt the client's policy allows, refused.
  proxy = await startFaultProxy(loadRgwEnv().endpoint, { faults: Object.fromEntries(Array.from({ length: DEFAULT_RETRY.maxAttempts }, (_, i) => [i + 1, { kind: 'slowdown' }])) });
});

afterAll(async () => {
  await proxy?.close();
  await destroyBucket(bucket);
  files.cleanup();
});

it('a part refused with SlowDown is sent maxAttempts times in all, the upload stops resumable, and Resume finishes it', async () => {
  const f = files.random('budget.bin', 12 * MiB);
  const sent: Sent[] = [];
  const c = recordingClient(sent, { endpoint: proxy.endpoint });
  const { engine } = newEngine(() => c, undefined, { maxConcurrent: 1 });
  const [id] = await engine.add([{ bucket, key: 'budget.bin', file: await files.blob(f.path), partSize: 5 * MiB }]);
  await engine.idle();
  const stopped = engine.snapshot(id!)!;
  expect(stopped.status).toBe('failed');
  expect(stopped.error?.code).toBe('SlowDown');
  const attemptsOf = (n: number) => proxy.log.filter((l) => l.method === 'PUT' && l.url.searchParams.get('partNumber') === String(n));
  expect(attemptsOf(1)).toHaveLength(DEFAULT_RETRY.maxAttempts);
  expect(attemptsOf(1).every((l) => l.fault === 'slowdown')).toBe(true);

  engine.resume(id);
  await engine.idle();
  const snap = engine.snapshot(id!)!;
  expect(snap.status, JSON.stringify(snap.error)).toBe('done');
  expect(snap.verify).toMatchObject({ size: 'ok', etag: 'ok', sha256: 'ok' });
  expect(attemptsOf(1)).toHaveLength(DEFAULT_RETRY.maxAttempts + 1);
  expect(await downloadedSha256(rgwClient(), bucket, 'budget.bin')).toBe(f.sha256);
});
