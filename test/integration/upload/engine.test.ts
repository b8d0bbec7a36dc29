/**
 * The upload engine against the real Ceph RGW: uploads end byte-identical and
 * verified, resume sends only missing parts, and a cancel leaves nothing.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { HeadObject, listAllMultipartUploads, listAllParts, CreateMultipartUpload, UploadPart, AbortMultipartUpload } from '../../../src/lib/s3/ops/index';
import { MiB } from '../../../src/lib/upload/part-plan';
import { UploadEngine } from '../../../src/lib/upload/engine';
import { aws, s3cmd } from '../../helpers/cli';
import { createBucket, destroyBucket, rgwClient, uniqueBucket } from '../../helpers/s3';
import { TempFiles, downloadedSha256, newEngine, partsSent, recordingClient, type Sent } from './harness';
import { createHash } from 'node:crypto';
import { readFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';

const bucket = uniqueBucket('upload');
const files = new TempFiles();
const client = rgwClient();

beforeAll(async () => {
  await createBucket(bucket);
});

afterAll(async () => {
  await destroyBucket(bucket);
  files.cleanup();
});

async function waitFor(engine: UploadEngine, id: string, pred: (s: NonNullable<ReturnType<UploadEngine['snapshot']>>) => boolean): Promise<void> {
  await new Promise<void>((resolve) => {
    const check = () => {
      const s = engine.snapshot(id);
      if (s && pred(s)) {
        off();
        resolve();
      }
    };
    const off = engine.subscribe(check);
    check();
  });
}

/** Until no request of the engine is running (new ones may be held or queued). */
async function settled(engine: UploadEngine): Promise<void> {
  await vi.waitFor(() => expect(engine.scheduler.stats.running).toBe(0), { timeout: 30_000, interval: 20 });
}

describe('upload engine on RGW', () => {
  it('uploads a multipart file byte-identical, with MD5-of-MD5s ETag and the SHA-256 stored and verified', async () => {
    const f = files.random('multi.bin', 23 * MiB + 12345);
    const sent: Sent[] = [];
    const c = recordingClient(sent);
    const { engine, store } = newEngine(() => c);
    const [id] = await engine.add([{ bucket, key: 'multi.bin', file: await files.blob(f.path), partSize: 5 * MiB }]);
    await engine.idle();
    const snap = engine.snapshot(id!)!;
    expect(snap.status, JSON.stringify(snap.error)).toBe('done');
    expect(snap.verify).toMatchObject({ size: 'ok', etag: 'ok', sha256: 'ok' });
    expect(snap.sha256).toBe(f.sha256);
    expect(partsSent(sent).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5]);
    // Saved after every part (and more), so a reload loses at most the parts in flight.
    expect(store.writes).toBeGreaterThanOrEqual(5);
    expect(await downloadedSha256(client, bucket, 'multi.bin')).toBe(f.sha256);
    const head = await client.send(HeadObject, { bucket, key: 'multi.bin' });
    expect(head.metadata.sha256).toBe(f.sha256);
    expect(head.contentType).toBe('application/octet-stream');
    // Every part carried Content-MD5: the store checked each one.
    expect(sent.filter((s) => s.url.searchParams.has('partNumber')).length).toBe(5);
  });

  it('completes with ETags from ListParts when the ETag header is hidden (CORS without ExposeHeader ETag)', async () => {
    const f = files.random('hidden-etag.bin', 11 * MiB);
    const sent: Sent[] = [];
    const c = recordingClient(sent, { hideEtag: true });
    const { engine } = newEngine(() => c);
    const [id] = await engine.add([{ bucket, key: 'hidden-etag.bin', file: await files.blob(f.path), partSize: 5 * MiB }]);
    await engine.idle();
    const snap = engine.snapshot(id!)!;
    expect(snap.status, JSON.stringify(snap.error)).toBe('done');
    // The object's ETag also came from the listing's XML body.
    expect(snap.verify?.etag).toBe('ok');
    expect(sent.some((s) => s.method === 'GET' && s.url.searchParams.has('uploadId'))).toBe(true);
    expect(await downloadedSha256(client, bucket, 'hidden-etag.bin')).toBe(f.sha256);
  });

  it('handles zero bytes, exactly 5 MiB, part-size boundaries and keys with unicode and #?%+', async () => {
    const cases = [
      { key: 'edge/empty', size: 0 },
      { key: 'edge/five-mib', size: 5 * MiB },
      { key: 'edge/two-parts-exact', size: 10 * MiB, partSize: 5 * MiB },
      { key: 'edge/one-over', size: 10 * MiB + 1, partSize: 5 * MiB },
      { key: 'edge/ünïcødé ✓ #hash ?q=1 %41 +plus', size: 1000 },
    ];
    const { engine } = newEngine(() => client);
    const made = cases.map((c, i) => ({ ...c, f: files.random(`edge-${i}`, c.size) }));
    const ids = await engine.add(await Promise.all(made.map(async (c) => ({ bucket, key: c.key, file: await files.blob(c.f.path), partSize: c.partSize }))));
    await engine.idle();
    for (const [i, c] of made.entries()) {
      const s = engine.snapshot(ids[i]!)!;
      expect(s.status, `${c.key}: ${JSON.stringify(s.error)}`).toBe('done');
      expect(s.verify?.size).toBe('ok');
      expect(s.verify?.etag).toBe('ok');
      expect(s.verify?.sha256).toBe('ok');
      expect(await downloadedSha256(client, bucket, c.key)).toBe(c.f.sha256);
    }
    expect(engine.snapshot(ids[3]!)!.partCount).toBe(3);
    // Single PUTs carry the SHA-256 as metadata in the same request.
    const small = await client.send(HeadObject, { bucket, key: made[4]!.key });
    expect(small.metadata.sha256).toBe(made[4]!.f.sha256);
  });

  it('resumes after a reload: restore, re-attach, ListParts reconciles, only missing parts are sent', async () => {
    const f = files.random('resume.bin', 40 * MiB);
    const sent1: Sent[] = [];
    const c1 = recordingClient(sent1);
    const { engine: first, store } = newEngine(() => c1, undefined, { maxConcurrent: 2 });
    const [id] = await first.add([{ bucket, key: 'resume.bin', file: await files.blob(f.path), partSize: 5 * MiB }]);
    await waitFor(first, id!, (s) => s.partsDone >= 3);
    // Let the parts on the wire land before pausing: a part cut off by the
    // pause after its whole body arrived could still be stored at any later
    // moment, and what the store holds at the reload must be known.
    first.scheduler.hold();
    await settled(first);
    first.pause(id);
    await first.idle();
    first.scheduler.release();
    const before = first.record(id!)!;
    expect(before.status).toBe('paused');
    const onServerBefore = new Set((await listAllParts(client, { bucket, key: 'resume.bin', uploadId: before.uploadId! })).map((p) => p.partNumber));
    expect(onServerBefore.has(2)).toBe(true);
    // Simulate a crash after part 2 was sent but before it was recorded.
    const persisted = (await store.get(id!))!;
    await store.put({ ...persisted, status: 'uploading', parts: persisted.parts.filter((p) => p.n !== 2) });

    const sent2: Sent[] = [];
    const c2 = recordingClient(sent2);
    const { engine: second } = newEngine(() => c2, store);
    const restored = await second.restore();
    expect(restored.find((s) => s.id === id)!.status).toBe('needs-file');
    await expect(second.attach(id!, new Blob([new Uint8Array(40 * MiB)]))).rejects.toThrow(/differs/);
    await expect(second.attach(id!, new Blob([new Uint8Array(3)]))).rejects.toThrow(/bytes/);
    await second.attach(id!, await files.blob(f.path));
    await second.idle();
    const snap = second.snapshot(id!)!;
    expect(snap.status, JSON.stringify(snap.error)).toBe('done');
    // Exactly the parts the store did not hold at the reload (a part cut off by the pause may have landed).
    const resent = partsSent(sent2).sort((a, b) => a - b);
    expect(resent).toEqual([1, 2, 3, 4, 5, 6, 7, 8].filter((n) => !onServerBefore.has(n)));
    expect(resent).not.toContain(2);
    expect(snap.verify).toMatchObject({ size: 'ok', etag: 'ok', sha256: 'ok' });
    expect(await downloadedSha256(client, bucket, 'resume.bin')).toBe(f.sha256);
  });

  it('cancel aborts the multipart upload on the server and leaves no parts', async () => {
    const f = files.random('cancel.bin', 30 * MiB);
    const { engine } = newEngine(() => client, undefined, { maxConcurrent: 1 });
    const [id] = await engine.add([{ bucket, key: 'cancel.bin', file: await files.blob(f.path), partSize: 5 * MiB }]);
    await waitFor(engine, id!, (s) => s.partsDone >= 1);
    await engine.cancel(id);
    expect(engine.snapshot(id!)!.status).toBe('cancelled');
    expect((await listAllMultipartUploads(client, { bucket, prefix: 'cancel.bin' })).length).toBe(0);
    await expect(client.send(HeadObject, { bucket, key: 'cancel.bin' })).rejects.toMatchObject({ status: 404 });
  });

  it('pauses on refused keys with a clear message, continues after new keys, loses nothing', async () => {
    const f = files.random('creds.bin', 20 * MiB);
    const good = rgwClient();
    const bad = rgwClient('main', { secretAccessKey: 'wrong-secret-wrong-secret-wrong-secret0' });
    let current = good;
    const { engine } = newEngine(() => current, undefined, { maxConcurrent: 1 });
    const [id] = await engine.add([{ bucket, key: 'creds.bin', file: await files.blob(f.path), partSize: 5 * MiB }]);
    await waitFor(engine, id!, (s) => s.partsDone >= 1);
    current = bad;
    await waitFor(engine, id!, (s) => s.status === 'needs-credentials');
    const stopped = engine.snapshot(id!)!;
    expect(stopped.error?.code).toBe('SignatureDoesNotMatch');
    expect(stopped.error?.message).toMatch(/secret key is wrong/);
    expect(stopped.partsDone).toBeGreaterThanOrEqual(1);
    current = good;
    engine.credentialsChanged();
    await engine.idle();
    expect(engine.snapshot(id!)!.status).toBe('done');
    expect(await downloadedSha256(client, bucket, 'creds.bin')).toBe(f.sha256);
  });

  it('waits while the browser is offline and continues when it is back', async () => {
    const f = files.random('offline.bin', 20 * MiB);
    const { engine } = newEngine(() => client, undefined, { maxConcurrent: 1 });
    const [id] = await engine.add([{ bucket, key: 'offline.bin', file: await files.blob(f.path), partSize: 5 * MiB }]);
    await waitFor(engine, id!, (s) => s.partsDone >= 1);
    engine.setOnline(false);
    expect(engine.snapshot(id!)!.status).toBe('waiting-network');
    const stuck = engine.snapshot(id!)!.partsDone;
    // Whatever was on the wire may land; nothing new starts.
    await settled(engine);
    expect(engine.snapshot(id!)!.partsDone).toBeLessThanOrEqual(stuck + 1);
    expect(engine.snapshot(id!)!.status).toBe('waiting-network');
    engine.setOnline(true);
    await engine.idle();
    expect(engine.snapshot(id!)!.status).toBe('done');
    expect(await downloadedSha256(client, bucket, 'offline.bin')).toBe(f.sha256);
  });

  it('starts a new server upload when someone else aborted ours', async () => {
    const f = files.random('gone.bin', 15 * MiB);
    const { engine } = newEngine(() => client, undefined, { maxConcurrent: 1 });
    const [id] = await engine.add([{ bucket, key: 'gone.bin', file: await files.blob(f.path), partSize: 5 * MiB }]);
    await waitFor(engine, id!, (s) => s.partsDone >= 1);
    engine.pause(id);
    await engine.idle();
    const r = engine.record(id!)!;
    await client.send(AbortMultipartUpload, { bucket, key: 'gone.bin', uploadId: r.uploadId! });
    engine.resume(id);
    await engine.idle();
    const snap = engine.snapshot(id!)!;
    expect(snap.status, JSON.stringify(snap.error)).toBe('done');
    expect(snap.uploadId).not.toBe(r.uploadId);
    expect(await downloadedSha256(client, bucket, 'gone.bin')).toBe(f.sha256);
  });

  it('reports a file changed on disk during the upload, and keeps the server upload resumable', async () => {
    const f = files.random('changing.bin', 25 * MiB);
    const { engine } = newEngine(() => client, undefined, { maxConcurrent: 1 });
    const [id] = await engine.add([{ bucket, key: 'changing.bin', file: await files.blob(f.path), partSize: 5 * MiB }]);
    await waitFor(engine, id!, (s) => s.partsDone >= 1);
    // Another program rewrites the file (new mtime, new bytes).
    const rewritten = files.random('changing.bin', 25 * MiB);
    // A modification time plainly later than the one the Blob was opened with, however fast the rewrite.
    utimesSync(rewritten.path, new Date(), new Date(Date.now() + 60_000));
    await waitFor(engine, id!, (s) => s.status === 'failed');
    const snap = engine.snapshot(id!)!;
    expect(snap.error?.code).toBe('FileChanged');
    expect(snap.error?.message).toMatch(/changed on disk/);
    expect(snap.attached).toBe(false);
    // An error never aborts: the server upload is still there until the user decides.
    expect((await listAllMultipartUploads(client, { bucket, prefix: 'changing.bin' })).length).toBe(1);
    await engine.cancel(id);
    expect((await listAllMultipartUploads(client, { bucket, prefix: 'changing.bin' })).length).toBe(0);
  });

  it('lists incomplete uploads with their bytes, tells ours from others, and aborts them', async () => {
    const orphan = await client.send(CreateMultipartUpload, { bucket, key: 'orphan.bin' });
    await client.send(UploadPart, { bucket, key: 'orphan.bin', uploadId: orphan.uploadId, partNumber: 1, body: new Uint8Array(5 * MiB) });
    const f = files.random('ours.bin', 12 * MiB);
    const { engine } = newEngine(() => client, undefined, { maxConcurrent: 1 });
    const [id] = await engine.add([{ bucket, key: 'ours.bin', file: await files.blob(f.path), partSize: 5 * MiB }]);
    await waitFor(engine, id!, (s) => s.partsDone >= 1);
    engine.pause(id);
    await engine.idle();
    const list = await engine.incomplete(bucket);
    const o = list.find((u) => u.uploadId === orphan.uploadId)!;
    expect(o).toMatchObject({ key: 'orphan.bin', parts: 1, bytes: 5 * MiB, recordId: undefined });
    const mine = list.find((u) => u.key === 'ours.bin')!;
    expect(mine.recordId).toBe(id);
    expect(mine.bytes).toBeGreaterThanOrEqual(5 * MiB);
    await engine.abortIncomplete(bucket, 'orphan.bin', orphan.uploadId);
    await engine.abortIncomplete(bucket, 'ours.bin', mine.uploadId);
    expect(engine.snapshot(id!)!.status).toBe('cancelled');
    expect((await engine.incomplete(bucket)).filter((u) => u.key === 'orphan.bin' || u.key === 'ours.bin')).toEqual([]);
  });

  it('a folder of small files: one PUT each, no read-back, two record writes a file, SHA-256 stored', async () => {
    const sent: Sent[] = [];
    const c = recordingClient(sent);
    const { engine, store } = newEngine(() => c);
    const made = Array.from({ length: 12 }, (_, i) => files.random(`small-${i}.bin`, 1000 + i * 50_000));
    const ids = await engine.add(await Promise.all(made.map(async (f, i) => ({ bucket, key: `small/${i}.bin`, file: await files.blob(f.path) }))));
    const writesAtAdd = store.writes;
    await engine.idle();
    for (const [i, id] of ids.entries()) {
      const snap = engine.snapshot(id)!;
      expect(snap.status, JSON.stringify(snap.error)).toBe('done');
      expect(snap.sha256).toBe(made[i]!.sha256);
    }
    const mine = sent.filter((s) => s.url.pathname.includes('/small/'));
    expect(mine.map((s) => s.method)).toEqual(Array(12).fill('PUT'));
    // Queued, then done: the steps between are not worth a write for a single PUT.
    expect(store.writes - writesAtAdd).toBe(12);
    expect((await store.list()).filter((r) => r.key.startsWith('small/')).every((r) => r.status === 'done')).toBe(true);
    expect((await client.send(HeadObject, { bucket, key: 'small/11.bin' })).metadata.sha256).toBe(made[11]!.sha256);
  });

  it('what Tessera uploads, aws cli and s3cmd read back byte-identical', async () => {
    const f = files.random('interop.bin', 12 * MiB + 7);
    const { engine } = newEngine(() => client);
    const [id] = await engine.add([{ bucket, key: 'interop/ä b.bin', file: await files.blob(f.path), partSize: 5 * MiB }]);
    await engine.idle();
    expect(engine.snapshot(id!)!.status).toBe('done');
    const viaAws = join(files.dir, 'via-aws');
    const viaS3cmd = join(files.dir, 'via-s3cmd');
    expect((await aws(['s3', 'cp', `s3://${bucket}/interop/ä b.bin`, viaAws])).code).toBe(0);
    expect((await s3cmd(['get', `s3://${bucket}/interop/ä b.bin`, viaS3cmd])).code).toBe(0);
    for (const p of [viaAws, viaS3cmd]) expect(createHash('sha256').update(readFileSync(p)).digest('hex')).toBe(f.sha256);
  });
});
