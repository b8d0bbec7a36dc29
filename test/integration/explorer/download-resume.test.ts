/**
 * Downloads over a bad network, against the real Ceph RGW: requests go through
 * a proxy that breaks responses mid-body (cut-proxy) and then through the fault
 * proxy, which answers 503 SlowDown and records what the RGW answered.
 *
 * - "Download as .zip": a connection broken mid-object resumes by a range GET
 *   bound to the listed ETag (checked on each response, the GETs presigned with
 *   no If-Match), up to three times; every entry's bytes
 *   in the zip equal the object's; a fourth break abandons the zip, naming the
 *   object, and the sink is dropped.
 * - One object in parallel ranges: 503s are retried, every range bound to the
 *   ETag (the RGW exposes it: each range's own ETag is checked, so the ranges go
 *   as presigned GETs with no If-Match, which a browser sends without a CORS
 *   preflight), and the bytes equal the object's. A range broken mid-body is
 *   picked up where it broke (the rest of that range, still checked), up to
 *   three times; a fourth break ends the download with the sink dropped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '../../../src/lib/s3/client';
import { resolveEndpoint } from '../../../src/lib/s3/endpoint';
import { PutObject } from '../../../src/lib/s3/ops/index';
import { listPages, type ObjectSummary } from '../../../src/lib/s3/ops/list-objects';
import type { ByteSink } from '../../../src/lib/explorer/download';
import { downloadObject } from '../../../src/lib/explorer/download';
import { planZip, zipEntries } from '../../../src/lib/explorer/zip-download';
import { createBucket, destroyBucket, rgwClient, uniqueBucket } from '../../helpers/s3';
import { loadRgwEnv } from '../../helpers/rgw-env';
import { startFaultProxy, type FaultProxy } from '../../helpers/fault-proxy';
import { startCutProxy, type CutProxy, type CutProxyOptions } from '../../helpers/cut-proxy';

const MiB = 1024 * 1024;
const bucket = uniqueBucket('dlresume');
const BASE = 'resume/';
/** A few MB each, sizes not multiples of anything the code uses. */
const OBJECTS: Record<string, Buffer> = {
  'first.bin': randomBytes(5 * MiB + 13),
  'second.bin': randomBytes(3 * MiB + 7),
  'note.txt': Buffer.from('small enough to come in one piece'),
};
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const unquote = (etag: string | undefined): string | undefined => etag?.replace(/^"|"$/g, '');
/** Signed in the query string (a browser sends such a GET, with a plain Range, without a preflight). */
const presigned = (url: URL): boolean => url.searchParams.has('X-Amz-Signature');

/** An in-memory sink: positional writes into one buffer of the expected size. */
function memorySink(size: number): ByteSink & { bytes: Buffer; state: 'open' | 'closed' | 'aborted' } {
  const sink = {
    bytes: Buffer.alloc(size),
    written: 0,
    state: 'open' as 'open' | 'closed' | 'aborted',
    write(at: number, data: Uint8Array) {
      if (at + data.byteLength > sink.bytes.length) {
        const grown = Buffer.alloc(Math.max(at + data.byteLength, sink.bytes.length * 2));
        sink.bytes.copy(grown);
        sink.bytes = grown;
      }
      sink.bytes.set(data, at);
      sink.written = Math.max(sink.written, at + data.byteLength);
    },
    async close() {
      sink.state = 'closed';
      sink.bytes = sink.bytes.subarray(0, sink.written);
      return sink.written;
    },
    async abort() {
      sink.state = 'aborted';
    },
  };
  return sink;
}

/** Each entry of a zip as Python's zipfile reads it (testzip checks every CRC): name -> SHA-256. */
function zipContents(zip: Uint8Array, dir: string): { ok: boolean; entries: Record<string, string> } {
  const path = join(dir, `${sha(zip).slice(0, 12)}.zip`);
  writeFileSync(path, zip);
  const script = `
import hashlib, json, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    print(json.dumps({"ok": z.testzip() is None, "entries": {i.filename: hashlib.sha256(z.read(i)).hexdigest() for i in z.infolist()}}))
`;
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, path], { encoding: 'utf8' })) as { ok: boolean; entries: Record<string, string> };
}

describe('downloads over a network that breaks, on the real RGW', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-dl-resume-'));
  const env = loadRgwEnv();
  let fault: FaultProxy;
  let cut: CutProxy | undefined;
  const listed = new Map<string, ObjectSummary>();

  beforeAll(async () => {
    await createBucket(bucket);
    const client = rgwClient();
    for (const [k, body] of Object.entries(OBJECTS)) await client.send(PutObject, { bucket, key: BASE + k, body });
    for await (const page of listPages(client, { bucket, prefix: BASE })) for (const o of page.objects) listed.set(o.key, o);
    // 503s only where a test asks for them; every request is recorded either way.
    fault = await startFaultProxy(env.endpoint, { match: (method, url) => method === 'GET' && url.pathname.endsWith('.bin') });
  });
  afterAll(async () => {
    await cut?.close();
    await fault?.close();
    await destroyBucket(bucket);
    rmSync(dir, { recursive: true, force: true });
  });

  /** A client whose requests pass the cut proxy, then the fault proxy, then reach the RGW. */
  async function clientThrough(cutAfter: CutProxyOptions['cutAfter']): Promise<S3Client> {
    await cut?.close();
    cut = await startCutProxy(fault.endpoint, { cutAfter });
    const { endpoint } = resolveEndpoint(cut.endpoint, { region: env.region });
    // Short back-off: the RGW is local, and 503s here are the proxy's.
    return new S3Client({ endpoint, credentials: { accessKeyId: env.accessKeyId, secretAccessKey: env.secretAccessKey }, retry: { maxAttempts: 5, baseDelayMs: 20, maxDelayMs: 200, maxNetworkAttempts: 3 } });
  }

  const getsOf = (key: string) => cut!.log.filter((l) => l.method === 'GET' && decodeURIComponent(l.url.pathname).endsWith(`/${BASE}${key}`));

  it('zip: broken connections resume by range GETs bound to the listed ETag, and the zip holds the exact bytes', async () => {
    // first.bin breaks twice (after 1 MiB, then 1 MiB further on), second.bin once after a 503.
    const client = await clientThrough(({ method, url, n }) => {
      if (method !== 'GET') return undefined;
      if (url.pathname.endsWith('/first.bin') && n <= 2) return MiB + 1000 * n;
      // Its first request is answered 503 by the fault proxy; the client's retry is the second.
      if (url.pathname.endsWith('/second.bin') && n === 2) return 2 * MiB + 3;
      return undefined;
    });
    // GETs of .bin objects in order: first.bin and its two resumes, then second.bin (objects
    // open one ahead, and second.bin's turn comes only once first.bin is in the zip).
    fault.setFaults({ 4: { kind: 'slowdown' } });
    const faultMark = fault.log.length;
    const plan = planZip([...listed.values()], BASE);
    const sink = memorySink(1024);
    const r = await zipEntries(client, bucket, plan, sink, { ahead: 1 });
    fault.setFaults({});

    expect(r).toMatchObject({ phase: 'done', skipped: [], doneObjects: 3 });
    expect(sink.state).toBe('closed');
    const zip = zipContents(sink.bytes, dir);
    expect(zip.ok).toBe(true);
    expect(zip.entries).toEqual(Object.fromEntries(Object.entries(OBJECTS).map(([k, b]) => [k, sha(b)])));

    // first.bin: the whole-object GET broke after 1 MiB + 1000 bytes, the first resume after
    // 1 MiB + 2000 more, the second resume finished it; each resume asks for exactly the rest.
    const first = getsOf('first.bin');
    expect(first.map((l) => [l.range, l.ifMatch === undefined && presigned(l.url), l.status, l.cut])).toEqual([
      [undefined, true, 200, true],
      [`bytes=${MiB + 1000}-`, true, 206, true],
      [`bytes=${2 * MiB + 3000}-`, true, 206, false],
    ]);
    expect(first[2]!.sentBytes).toBe(OBJECTS['first.bin']!.length - (2 * MiB + 3000));

    // second.bin: its first GET got a 503 (retried by the client), the retry broke mid-body, one resume.
    expect(getsOf('second.bin').map((l) => [l.range, l.ifMatch === undefined && presigned(l.url), l.status, l.cut])).toEqual([
      [undefined, true, 503, false],
      [undefined, true, 200, true],
      [`bytes=${2 * MiB + 3}-`, true, 206, false],
    ]);
    // The fault proxy's record of the same: the 503 was its own, the RGW answered the rest.
    const seen = fault.log.slice(faultMark).filter((l) => l.url.pathname.endsWith('/second.bin'));
    expect(seen.map((l) => [l.fault ?? null, l.upstreamStatus])).toEqual([
      ['slowdown', 0],
      [null, 200],
      [null, 206],
    ]);
  });

  it('zip: a fourth break of one object abandons the zip, naming it, and drops the sink', async () => {
    const client = await clientThrough(({ method, url }) => (method === 'GET' && url.pathname.endsWith('/first.bin') ? 256 * 1024 : undefined));
    const plan = planZip([listed.get(`${BASE}first.bin`)!], BASE);
    const sink = memorySink(1024);
    const err = (await zipEntries(client, bucket, plan, sink).then(
      () => null,
      (e: unknown) => e,
    )) as { code?: string; key?: string; message?: string } | null;
    expect(err).toMatchObject({ code: 'IncompleteBody', key: `${BASE}first.bin` });
    expect(err?.message).toMatch(/after 1048576 of 5242893 bytes/);
    expect(sink.state).toBe('aborted');
    // The first GET and three resumes, each from where the last one broke, all checked against the ETag.
    expect(getsOf('first.bin').map((l) => [l.range, l.ifMatch === undefined && presigned(l.url)])).toEqual([
      [undefined, true],
      ['bytes=262144-', true],
      ['bytes=524288-', true],
      ['bytes=786432-', true],
    ]);
  });

  it('one object: 503s on range GETs are retried, every range bound to the ETag, the bytes exact', async () => {
    const client = await clientThrough(() => undefined);
    fault.setFaults({ 1: { kind: 'slowdown' }, 3: { kind: 'slowdown' } });
    const key = `${BASE}first.bin`;
    let sink: ReturnType<typeof memorySink> | undefined;
    const r = await downloadObject(client, bucket, key, async (size) => (sink = memorySink(size)), { parallel: 2, rangeSize: MiB });
    fault.setFaults({});
    expect(r.size).toBe(OBJECTS['first.bin']!.length);
    expect(sink!.state).toBe('closed');
    expect(sha(sink!.bytes)).toBe(sha(OBJECTS['first.bin']!));
    const gets = getsOf('first.bin');
    expect(gets.filter((l) => l.status === 503)).toHaveLength(2);
    expect(gets.every((l) => l.ifMatch === undefined && presigned(l.url) && /^bytes=\d+-\d+$/.test(l.range ?? ''))).toBe(true);
    expect(r.etag).toBe(unquote(listed.get(key)!.etag));
    // Every range once with the RGW's answer, and together they are the whole object.
    const served = gets.filter((l) => l.status === 206).map((l) => l.range);
    expect(new Set(served).size).toBe(served.length);
    expect(served).toHaveLength(Math.ceil(OBJECTS['first.bin']!.length / MiB));
  });

  it('one object: a range broken mid-body resumes where it broke, bound to the ETag, and the bytes are exact', async () => {
    // second.bin in 1 MiB ranges, one at a time: the second range's GET breaks after 100,000
    // bytes and its resume again after 200,000 more; the third GET of that range finishes it.
    const obj = OBJECTS['second.bin']!;
    const client = await clientThrough(({ method, url, n }) => (method === 'GET' && url.pathname.endsWith('/second.bin') && n === 2 ? 100_000 : method === 'GET' && url.pathname.endsWith('/second.bin') && n === 3 ? 200_000 : undefined));
    let sink: ReturnType<typeof memorySink> | undefined;
    const r = await downloadObject(client, bucket, `${BASE}second.bin`, async (size) => (sink = memorySink(size)), { parallel: 1, rangeSize: MiB });
    expect(r.size).toBe(obj.length);
    expect(sink!.state).toBe('closed');
    expect(sha(sink!.bytes)).toBe(sha(obj));
    expect(r.etag).toBe(unquote(listed.get(`${BASE}second.bin`)!.etag));
    const gets = getsOf('second.bin').map((l) => [l.range, l.ifMatch === undefined && presigned(l.url), l.cut]);
    expect(gets).toEqual([
      [`bytes=0-${MiB - 1}`, true, false],
      [`bytes=${MiB}-${2 * MiB - 1}`, true, true],
      [`bytes=${MiB + 100_000}-${2 * MiB - 1}`, true, true],
      [`bytes=${MiB + 300_000}-${2 * MiB - 1}`, true, false],
      [`bytes=${2 * MiB}-${3 * MiB - 1}`, true, false],
      [`bytes=${3 * MiB}-${obj.length - 1}`, true, false],
    ]);
  });

  it('one object: a fourth break of one range ends the download, says where, and drops the sink', async () => {
    const client = await clientThrough(({ method, url }) => (method === 'GET' && url.pathname.endsWith('/second.bin') ? 100_000 : undefined));
    let sink: ReturnType<typeof memorySink> | undefined;
    const err = (await downloadObject(client, bucket, `${BASE}second.bin`, async (size) => (sink = memorySink(size)), { parallel: 1, rangeSize: MiB }).then(
      () => null,
      (e: unknown) => e,
    )) as { code?: string; message?: string } | null;
    expect(err).toMatchObject({ code: 'IncompleteBody' });
    expect(err?.message).toMatch(/Range 0-1048575 broke 4 times, the last after byte 400000/);
    expect(sink!.state).toBe('aborted');
    // The first GET and three resumes, each from where the last one broke.
    expect(getsOf('second.bin').map((l) => l.range)).toEqual([`bytes=0-${MiB - 1}`, `bytes=100000-${MiB - 1}`, `bytes=200000-${MiB - 1}`, `bytes=300000-${MiB - 1}`]);
  });
});
