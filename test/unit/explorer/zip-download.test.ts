/**
 * The zip engine against a store answered at the S3Client's fetch seam (the
 * real RGW is in the integration test): names, sizes, skipped objects,
 * mid-entry failures, cancel, and what the sink sees in each case.
 */
import { describe, expect, it } from 'vitest';
import { S3Client } from '../../../src/lib/s3/client';
import { resolveEndpoint } from '../../../src/lib/s3/endpoint';
import type { ObjectSummary } from '../../../src/lib/s3/ops/list-objects';
import type { ByteSink } from '../../../src/lib/explorer/download';
import { planZip, zipEntries, zipLength, zipName, type ZipProgress } from '../../../src/lib/explorer/zip-download';

interface Stored {
  body: Uint8Array;
  etag: string;
  /** Serve this many bytes of a response, then break the connection... */
  breakAfter?: number;
  /** ...for this many responses (default: every one). */
  breaks?: number;
  /** Called once a response has been handed out (to change the object behind the reader's back). */
  afterServe?: () => void;
}

const enc = new TextEncoder();
const summary = (key: string, s: Stored): ObjectSummary => ({ key, size: s.body.byteLength, lastModified: '2024-05-06T07:08:10.000Z', etag: s.etag });

/** A store at the fetch seam: GET /bucket/key with If-Match and `Range: bytes=N-`, 412 on a stale ETag, 404 for unknown keys. */
function storeClient(objects: Map<string, Stored>, seen: string[] = []): S3Client {
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const req = new Request(input, init);
    const path = new URL(req.url).pathname.split('/').slice(2).map(decodeURIComponent).join('/');
    const range = /^bytes=(\d+)-$/.exec(req.headers.get('range') ?? '');
    seen.push(range ? `${path} from ${range[1]}` : path);
    const o = objects.get(path);
    if (!o) return new Response('<Error><Code>NoSuchKey</Code></Error>', { status: 404 });
    if (req.headers.get('if-match') && req.headers.get('if-match') !== `"${o.etag}"`) return new Response('<Error><Code>PreconditionFailed</Code></Error>', { status: 412 });
    const start = range ? Number(range[1]) : 0;
    const body = o.body.subarray(start);
    const breakAfter = o.breakAfter !== undefined && (o.breaks ?? Infinity) > 0 ? o.breakAfter : undefined;
    if (o.breaks !== undefined && breakAfter !== undefined) o.breaks--;
    // Two pulls: the bytes (all, or up to the break), then the end or the broken connection.
    let pulls = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        if (pulls++ === 0) c.enqueue(body.slice(0, breakAfter ?? body.byteLength));
        else if (breakAfter === undefined) c.close();
        else c.error(new TypeError('network error'));
      },
    });
    // The ETag of the bytes served, before any rewrite that follows.
    const etag = o.etag;
    o.afterServe?.();
    return new Response(stream, { status: range ? 206 : 200, headers: { etag, 'content-length': String(body.byteLength) } });
  };
  return new S3Client({ endpoint: resolveEndpoint('http://127.0.0.1:9').endpoint, credentials: { accessKeyId: 'AKTEST', secretAccessKey: 'secret' }, fetch: fetch as typeof globalThis.fetch });
}

/** A sink in memory that records how it ended. */
function memorySink(): ByteSink & { bytes: () => Buffer; state: 'open' | 'closed' | 'aborted' } {
  const chunks: Buffer[] = [];
  let at = 0;
  const s = {
    state: 'open' as 'open' | 'closed' | 'aborted',
    write(position: number, bytes: Uint8Array) {
      if (position !== at) throw new Error(`write at ${position}, expected ${at}`);
      chunks.push(Buffer.from(bytes));
      at += bytes.byteLength;
    },
    async close() {
      s.state = 'closed';
      return at;
    },
    async abort() {
      s.state = 'aborted';
    },
    bytes: () => Buffer.concat(chunks),
  };
  return s;
}

/** Names from the zip's central directory (signature 0x02014b50), with their UTF-8 flag. */
function centralNames(zip: Buffer): { name: string; utf8: boolean; size: number }[] {
  const out: { name: string; utf8: boolean; size: number }[] = [];
  for (let i = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])); i >= 0 && i + 46 <= zip.length; ) {
    const flags = zip.readUInt16LE(i + 8);
    const size = zip.readUInt32LE(i + 24);
    const n = zip.readUInt16LE(i + 28);
    const extra = zip.readUInt16LE(i + 30);
    const comment = zip.readUInt16LE(i + 32);
    out.push({ name: zip.subarray(i + 46, i + 46 + n).toString('utf8'), utf8: (flags & 0x800) !== 0, size });
    i += 46 + n + extra + comment;
    if (zip.readUInt32LE(i) !== 0x02014b50) break;
  }
  return out;
}

describe('zip names', () => {
  it('are relative to the folder, keep hostile keys verbatim, neutralise .. and number collisions', () => {
    const o = (key: string): ObjectSummary => ({ key, size: 1, lastModified: '', etag: 'e' });
    const plan = planZip([o('run/<script>alert(1)</script>.nc'), o('run/emoji 🎉 #?%+.txt'), o('run/../up.txt'), o('run/a//b.txt'), o('run/a/b.txt'), o('run/sub/'), o('run/')], 'run/');
    expect(plan.entries.map((e) => e.name)).toEqual(['<script>alert(1)</script>.nc', 'emoji 🎉 #?%+.txt', '%2E%2E/up.txt', 'a/b.txt', 'a/b (2).txt']);
    expect(plan.renamed).toEqual([{ key: 'run/a/b.txt', name: 'a/b (2).txt' }]);
  });
  it('suggest the folder name for the zip file', () => {
    expect(zipName('bkt', 'runs/2024 <x>/')).toBe('2024 _x_.zip');
    expect(zipName('bkt', '')).toBe('bkt.zip');
  });
});

describe('zip engine', () => {
  const A = enc.encode('alpha '.repeat(1000));
  const B = new Uint8Array(300_000).map((_, i) => (i * 31) & 255);

  it('streams every object into one zip of the predicted length, UTF-8 names, in order', async () => {
    const store = new Map<string, Stored>([
      ['d/emoji 🎉 #?%+.txt', { body: A, etag: 'a' }],
      ['d/sub/big.bin', { body: B, etag: 'b' }],
      ['d/empty', { body: new Uint8Array(0), etag: 'z' }],
    ]);
    const plan = planZip([...store].map(([k, s]) => summary(k, s)), 'd/');
    const sink = memorySink();
    const progress: ZipProgress[] = [];
    const r = await zipEntries(storeClient(store), 'bkt', plan, sink, { onProgress: (p) => progress.push(p) });
    const zip = sink.bytes();
    expect(sink.state).toBe('closed');
    expect(r.size).toBe(zip.length);
    expect(zip.length).toBe(zipLength(plan.entries));
    expect(r).toMatchObject({ phase: 'done', objects: 3, doneObjects: 3, bytes: A.length + B.length, doneBytes: A.length + B.length, skipped: [] });
    expect(centralNames(zip)).toEqual([
      { name: 'emoji 🎉 #?%+.txt', utf8: true, size: A.length },
      { name: 'sub/big.bin', utf8: true, size: B.length },
      { name: 'empty', utf8: true, size: 0 },
    ]);
    // Stored, not compressed: the bodies sit in the zip byte for byte.
    expect(zip.indexOf(Buffer.from(B))).toBeGreaterThan(0);
    expect(progress.at(-1)?.phase).toBe('done');
  });

  it('leaves out an object changed since the listing (If-Match) and lists it', async () => {
    const store = new Map<string, Stored>([
      ['d/a.txt', { body: A, etag: 'a' }],
      ['d/b.bin', { body: B, etag: 'b' }],
    ]);
    const plan = planZip([...store].map(([k, s]) => summary(k, s)), 'd/');
    store.set('d/a.txt', { body: enc.encode('rewritten'), etag: 'a2' });
    const sink = memorySink();
    const r = await zipEntries(storeClient(store), 'bkt', plan, sink);
    expect(r.skipped.map((s) => s.key)).toEqual(['d/a.txt']);
    expect(r.skipped[0]?.message).toMatch(/changed/i);
    expect(centralNames(sink.bytes()).map((e) => e.name)).toEqual(['b.bin']);
    expect(sink.bytes().length).toBe(zipLength(plan.entries.slice(1)));
    expect(r.zipBytes).toBe(r.size);
  });

  it('picks up a broken connection where it stopped, with a range GET bound to the same ETag', async () => {
    const store = new Map<string, Stored>([
      ['d/a.txt', { body: A, etag: 'a' }],
      ['d/sub/big.bin', { body: B, etag: 'b', breakAfter: 120_000, breaks: 2 }],
    ]);
    const seen: string[] = [];
    const plan = planZip([...store].map(([k, s]) => summary(k, s)), 'd/');
    const sink = memorySink();
    const r = await zipEntries(storeClient(store, seen), 'bkt', plan, sink);
    // The next object's GET is opened while the current one streams, so the first two may start in either order.
    expect(seen.slice(0, 2).sort()).toEqual(['d/a.txt', 'd/sub/big.bin']);
    expect(seen.slice(2)).toEqual(['d/sub/big.bin from 120000', 'd/sub/big.bin from 240000']);
    expect(r.doneObjects).toBe(2);
    expect(sink.state).toBe('closed');
    expect(sink.bytes().indexOf(Buffer.from(B))).toBeGreaterThan(0);
    expect(centralNames(sink.bytes()).map((e) => e.size)).toEqual([A.length, B.length]);
  });

  it('does not resume into an object rewritten while it was being read', async () => {
    const big: Stored = { body: B, etag: 'b', breakAfter: 120_000, breaks: 1 };
    big.afterServe = () => {
      big.etag = 'b2';
      big.afterServe = undefined;
    };
    const store = new Map<string, Stored>([['d/big.bin', big]]);
    const plan = planZip([summary('d/big.bin', { body: B, etag: 'b' })], 'd/');
    const sink = memorySink();
    const err = (await zipEntries(storeClient(store), 'bkt', plan, sink).then(() => null, (e: unknown) => e)) as Error | null;
    expect(err?.message).toMatch(/"d\/big.bin" failed after 120000 of 300000 bytes .*resuming failed: The object changed/);
    expect(sink.state).toBe('aborted');
  });

  it('abandons the whole zip, naming the key, when an object keeps breaking mid-way', async () => {
    const store = new Map<string, Stored>([
      ['d/a.txt', { body: A, etag: 'a' }],
      ['d/sub/big.bin', { body: B, etag: 'b', breakAfter: 50_000 }],
    ]);
    const plan = planZip([...store].map(([k, s]) => summary(k, s)), 'd/');
    const sink = memorySink();
    const err = (await zipEntries(storeClient(store), 'bkt', plan, sink).then(() => null, (e: unknown) => e)) as Error & { key?: string };
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toContain('"d/sub/big.bin"');
    // The first response and three resumes, 50,000 bytes each.
    expect(err.message).toMatch(/200000 of 300000 bytes/);
    expect(err.key).toBe('d/sub/big.bin');
    expect(sink.state).toBe('aborted');
  });

  it('fails plainly when nothing could be read', async () => {
    const store = new Map<string, Stored>();
    const plan = planZip([summary('d/gone.txt', { body: A, etag: 'a' })], 'd/');
    const sink = memorySink();
    await expect(zipEntries(storeClient(store), 'bkt', plan, sink)).rejects.toThrow(/None of the 1 objects could be read, e.g. "d\/gone.txt"/);
    expect(sink.state).toBe('aborted');
  });

  it('cancels: the sink is aborted and the error says Aborted', async () => {
    const store = new Map<string, Stored>([
      ['d/a.bin', { body: B, etag: 'a' }],
      ['d/b.bin', { body: B, etag: 'b' }],
      ['d/c.bin', { body: B, etag: 'c' }],
    ]);
    const seen: string[] = [];
    const plan = planZip([...store].map(([k, s]) => summary(k, s)), 'd/');
    const sink = memorySink();
    const ac = new AbortController();
    // The user presses Cancel once the first object's bytes reach the file.
    const write = sink.write;
    sink.write = (at, bytes) => {
      if (at > 100_000) ac.abort();
      return write(at, bytes);
    };
    const err = (await zipEntries(storeClient(store, seen), 'bkt', plan, sink, { signal: ac.signal, ahead: 1 }).then(() => null, (e: unknown) => e)) as { code?: string } | null;
    expect(err?.code).toBe('Aborted');
    expect(sink.state).toBe('aborted');
    // Cancelled during the first object: the third was never requested.
    expect(seen).not.toContain('d/c.bin');
  });
});
