/**
 * A 1 GiB upload through a proxy that drops connections, answers 503
 * SlowDown, stalls and cuts the network, interrupted by a reload halfway:
 * it ends byte-identical, and every part reaches the store exactly once.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { GiB } from '../../../src/lib/upload/part-plan';
import { MemoryUploadStore } from '../../../src/lib/upload/store';
import type { UploadEngine } from '../../../src/lib/upload/engine';
import { loadRgwEnv } from '../../helpers/rgw-env';
import { partsForwarded, startFaultProxy, type FaultProxy } from '../../helpers/fault-proxy';
import { listAllParts } from '../../../src/lib/s3/ops/index';
import { createBucket, destroyBucket, rgwClient, uniqueBucket } from '../../helpers/s3';
import { TempFiles, downloadedSha256, newEngine, recordingClient, type Sent } from './harness';

const bucket = uniqueBucket('upfault');
const files = new TempFiles();
let proxy: FaultProxy;

beforeAll(async () => {
  await createBucket(bucket);
  proxy = await startFaultProxy(loadRgwEnv().endpoint, {
    faults: { 2: { kind: 'drop' }, 4: { kind: 'slowdown' }, 5: { kind: 'slowdown' }, 7: { kind: 'stall', ms: 2000 }, 9: { kind: 'cut', ms: 3000 } },
  });
});

afterAll(async () => {
  await proxy?.close();
  await destroyBucket(bucket);
  files.cleanup();
});

function until(engine: UploadEngine, id: string, pred: (partsDone: number, status: string) => boolean): Promise<void> {
  return new Promise((resolve) => {
    const off = engine.subscribe(() => {
      const s = engine.snapshot(id);
      if (s && pred(s.partsDone, s.status)) {
        off();
        resolve();
      }
    });
  });
}

it('1 GiB through drops, SlowDown, stalls, a network cut and a reload: byte-identical, no part stored twice', async () => {
  const f = await files.bigRandom('big.bin', GiB);
  const store = new MemoryUploadStore();
  const sent1: Sent[] = [];
  const c1 = recordingClient(sent1, { endpoint: proxy.endpoint });
  const { engine: first } = newEngine(() => c1, store, { maxNetworkWaitMs: 2000 });
  const [id] = await first.add([{ bucket, key: 'big.bin', file: await files.blob(f.path) }]);
  const statuses = new Set<string>();
  first.subscribe(() => statuses.add(first.snapshot(id!)!.status));
  await until(first, id!, (done) => done >= 10);
  first.pause(id);
  await first.idle();
  const partCount = first.snapshot(id!)!.partCount;
  expect(partCount).toBe(16);

  // What the store holds at the reload, and what reached it so far: no part twice.
  const firstSession = partsForwarded(proxy.log);
  expect(Math.max(...firstSession.values())).toBe(1);
  const record = first.record(id!)!;
  const onServer = new Set((await listAllParts(rgwClient(), { bucket, key: 'big.bin', uploadId: record.uploadId! })).map((p) => p.partNumber));
  expect(onServer.size).toBeGreaterThanOrEqual(10);
  const logMark = proxy.log.length;

  // Reload: a new engine on the same records; the user re-attaches the file.
  proxy.setFaults({});
  const sent2: Sent[] = [];
  const c2 = recordingClient(sent2, { endpoint: proxy.endpoint });
  const { engine: second } = newEngine(() => c2, store);
  await second.restore();
  await second.attach(id!, await files.blob(f.path));
  await second.idle();
  const snap = second.snapshot(id!)!;
  expect(snap.status, JSON.stringify(snap.error)).toBe('done');
  expect(snap.verify).toMatchObject({ size: 'ok', etag: 'ok', sha256: 'ok' });

  // Every fault happened, and the upload went through "waiting for network" without failing.
  const kinds = new Set(proxy.log.map((l) => l.fault).filter(Boolean));
  expect([...kinds].sort()).toEqual(['cut', 'drop', 'slowdown', 'stall']);
  expect(statuses.has('waiting-network') || sent1.some((s) => s.status === 503)).toBe(true);
  expect(statuses.has('failed')).toBe(false);

  // After the reload exactly the missing parts were sent, each once.
  const secondSession = partsForwarded(proxy.log.slice(logMark));
  const missing = Array.from({ length: partCount }, (_, i) => i + 1).filter((n) => !onServer.has(n));
  expect([...secondSession.keys()].sort((a, b) => a - b)).toEqual(missing);
  expect(Math.max(...secondSession.values())).toBe(1);

  expect(await downloadedSha256(rgwClient(), bucket, 'big.bin')).toBe(f.sha256);
});
