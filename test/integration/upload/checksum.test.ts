/**
 * The `x-amz-checksum-*` probe against the real Ceph RGW: its verdict is the
 * one the RGW's own behaviour gives (asked directly here), uploads follow it,
 * and with the verdict forced to "verified" (a seam in our own engine) the
 * CRC32C headers reach the real server on every PUT, Create announces the
 * algorithm, Complete names each part's checksum, and the objects still end
 * byte-identical and verified.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Client } from '../../../src/lib/s3/client';
import { resolveEndpoint } from '../../../src/lib/s3/endpoint';
import { S3Error } from '../../../src/lib/s3/errors';
import { checksumBase64 } from '../../../src/lib/s3/checksum';
import { PutObject, listPages } from '../../../src/lib/s3/ops/index';
import { ChecksumProbes, probeChecksum, support, wrongChecksum, type ChecksumVerdict } from '../../../src/lib/upload/checksum-probe';
import { MiB } from '../../../src/lib/upload/part-plan';
import { createBucket, destroyBucket, rgwClient, uniqueBucket } from '../../helpers/s3';
import { loadRgwEnv } from '../../helpers/rgw-env';
import { TempFiles, downloadedSha256, newEngine } from './harness';
import { readFileSync } from 'node:fs';

const bucket = uniqueBucket('upcrc');
const files = new TempFiles();
const client = rgwClient();

interface Req {
  method: string;
  url: URL;
  headers: Headers;
  body?: string;
  status: number;
}

/** Our client with a fetch that records each request's headers (and XML bodies). */
function recording(log: Req[]): S3Client {
  const env = loadRgwEnv();
  const { endpoint } = resolveEndpoint(env.endpoint, { region: env.region });
  const f: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    log.push({ method: init?.method ?? 'GET', url: new URL(String(input)), headers: new Headers(init?.headers), body: typeof init?.body === 'string' ? init.body : undefined, status: res.status });
    return res;
  };
  return new S3Client({ endpoint, credentials: { accessKeyId: env.accessKeyId, secretAccessKey: env.secretAccessKey }, fetch: f });
}

/** What the RGW does with a wrong CRC32C, asked without our probe. */
async function rgwBehaviour(): Promise<ChecksumVerdict> {
  const body = new TextEncoder().encode('direct question');
  const wrong = wrongChecksum(await checksumBase64('CRC32C', body));
  try {
    await client.send(PutObject, { bucket, key: 'direct-question', body, headers: { 'x-amz-checksum-crc32c': wrong } });
    return 'ignored';
  } catch (e) {
    if (e instanceof S3Error && e.status === 400) return 'verified';
    throw e;
  }
}

async function keys(): Promise<string[]> {
  const out: string[] = [];
  for await (const page of listPages(client, { bucket })) out.push(...page.objects.map((o) => o.key));
  return out;
}

let expected: ChecksumVerdict;

beforeAll(async () => {
  await createBucket(bucket);
  expected = await rgwBehaviour();
});

afterAll(async () => {
  await destroyBucket(bucket);
  files.cleanup();
});

describe('x-amz-checksum probe on RGW', () => {
  it('gives the verdict the RGW behaviour shows, and leaves no probe object', async () => {
    const s = await probeChecksum(client, bucket, 'CRC32C');
    expect(s.verdict).toBe(expected);
    expect(s.use).toBe(expected === 'verified');
    expect((await keys()).filter((k) => k.startsWith('.tessera-checksum-probe'))).toEqual([]);
  });

  it('uploads follow the probed verdict, say it, and still verify', async () => {
    const log: Req[] = [];
    const c = recording(log);
    const { engine } = newEngine(() => c);
    const small = files.random('plain-small.bin', 300_000);
    const big = files.random('plain-multi.bin', 11 * MiB + 7);
    const ids = await engine.add([
      { bucket, key: 'plain/small.bin', file: await files.blob(small.path) },
      { bucket, key: 'plain/multi.bin', file: await files.blob(big.path), partSize: 5 * MiB },
    ]);
    await engine.idle();
    for (const id of ids) {
      const snap = engine.snapshot(id)!;
      expect(snap.status, JSON.stringify(snap.error)).toBe('done');
      expect(snap.checksum?.verdict).toBe(expected);
      expect(snap.verify?.etag).toBe('ok');
    }
    // (The copy onto itself that stores the SHA-256 of a multipart object is a PUT too, without a body.)
    const uploads = log.filter((r) => r.url.pathname.includes('/plain/') && r.method === 'PUT' && !r.headers.has('x-amz-copy-source'));
    expect(uploads.length).toBe(4);
    for (const r of uploads) expect(r.headers.has('x-amz-checksum-crc32c')).toBe(expected === 'verified');
    expect(await downloadedSha256(client, bucket, 'plain/multi.bin')).toBe(big.sha256);
  });

  it('with the verdict forced to "verified", CRC32C goes with every PUT and part, and the store accepts it', async () => {
    const log: Req[] = [];
    const c = recording(log);
    const probes = new ChecksumProbes(async () => support('CRC32C', 'verified'));
    const { engine } = newEngine(() => c, undefined, { checksumProbes: probes });
    const small = files.random('crc-small.bin', 200_001);
    const big = files.random('crc-multi.bin', 12 * MiB + 3);
    const ids = await engine.add([
      { bucket, key: 'crc/small.bin', file: await files.blob(small.path) },
      { bucket, key: 'crc/multi.bin', file: await files.blob(big.path), partSize: 5 * MiB },
    ]);
    await engine.idle();
    for (const id of ids) {
      const snap = engine.snapshot(id)!;
      expect(snap.status, JSON.stringify(snap.error)).toBe('done');
      expect(snap.checksum).toEqual({ algorithm: 'CRC32C', verdict: 'verified', use: true });
      expect(snap.verify).toMatchObject({ size: 'ok', etag: 'ok', sha256: 'ok' });
      expect(snap.verify?.notes.join(' ')).toMatch(/This store checks CRC32C: on/);
    }
    // The headers carry the CRC32C of exactly the bytes of each body.
    const data = readFileSync(big.path);
    const puts = log.filter((r) => r.url.pathname.endsWith('/crc/multi.bin') && r.method === 'PUT' && r.url.searchParams.has('partNumber'));
    expect(puts.length).toBe(3);
    for (const r of puts) {
      const n = Number(r.url.searchParams.get('partNumber'));
      const part = data.subarray((n - 1) * 5 * MiB, Math.min(data.length, n * 5 * MiB));
      expect(r.headers.get('x-amz-checksum-crc32c')).toBe(await checksumBase64('CRC32C', part));
    }
    const smallPut = log.find((r) => r.url.pathname.endsWith('/crc/small.bin') && r.method === 'PUT')!;
    expect(smallPut.headers.get('x-amz-checksum-crc32c')).toBe(await checksumBase64('CRC32C', readFileSync(small.path)));
    const create = log.find((r) => r.url.pathname.endsWith('/crc/multi.bin') && r.method === 'POST' && r.url.searchParams.has('uploads'))!;
    expect(create.headers.get('x-amz-checksum-algorithm')).toBe('CRC32C');
    const completeReq = log.find((r) => r.url.pathname.endsWith('/crc/multi.bin') && r.method === 'POST' && r.url.searchParams.has('uploadId'))!;
    expect(completeReq.body?.match(/<ChecksumCRC32C>/g)?.length).toBe(3);
    expect(await downloadedSha256(client, bucket, 'crc/multi.bin')).toBe(big.sha256);
    expect(await downloadedSha256(client, bucket, 'crc/small.bin')).toBe(small.sha256);
  });

  it('a resumed upload whose parts came from ListParts still names every part\'s CRC32C in Complete', async () => {
    const log: Req[] = [];
    const c = recording(log);
    const probes = new ChecksumProbes(async () => support('CRC32C', 'verified'));
    const big = files.random('crc-resume.bin', 15 * MiB + 1);
    const first = newEngine(() => c, undefined, { checksumProbes: probes });
    const [id] = await first.engine.add([{ bucket, key: 'crc/resume.bin', file: await files.blob(big.path), partSize: 5 * MiB }]);
    // Stop after the first part is stored; forget what we recorded about parts (as a crash before the save would).
    await new Promise<void>((resolve) => {
      const off = first.engine.subscribe(() => {
        if ((first.engine.snapshot(id!)?.partsDone ?? 0) >= 1) {
          off();
          first.engine.pause(id);
          resolve();
        }
      });
    });
    await first.engine.idle();
    // The record as an earlier page left it, before any part was recorded.
    await first.store.put({ ...first.engine.record(id!)!, status: 'paused', parts: [] });
    const before = log.length;
    const second = newEngine(() => c, first.store, { checksumProbes: probes });
    await second.engine.restore();
    await second.engine.attach(id!, await files.blob(big.path));
    await second.engine.idle();
    const snap = second.engine.snapshot(id!)!;
    expect(snap.status, JSON.stringify(snap.error)).toBe('done');
    expect(snap.verify).toMatchObject({ size: 'ok', etag: 'ok' });
    const completeReq = log.filter((r) => r.url.pathname.endsWith('/crc/resume.bin') && r.method === 'POST' && r.url.searchParams.has('uploadId')).at(-1)!;
    expect(completeReq.body?.match(/<ChecksumCRC32C>/g)?.length).toBe(4);
    // At least one part was adopted from ListParts (not sent again), so its CRC32C was read back from the file.
    const resent = log.slice(before).filter((r) => r.method === 'PUT' && r.url.pathname.endsWith('/crc/resume.bin') && r.url.searchParams.has('partNumber') && r.status === 200);
    expect(resent.length).toBeLessThan(4);
    expect(await downloadedSha256(client, bucket, 'crc/resume.bin')).toBe(big.sha256);
  });
});
