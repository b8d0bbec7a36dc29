/**
 * A download whose ranges the browser gathers whole (`bodies: 'blob'`, issue
 * #12): the bytes are exact, every range is bound to the ETag, and a range
 * whose gathered body breaks is asked for again from its first missing byte,
 * then streamed, so a further break resumes at the exact byte where it broke.
 *
 * The store is a recording `fetch` at the client's seam (one object in memory,
 * ranges answered 206, chosen bodies cut mid-way); the same path against the
 * real RGW is covered by the e2e download in Chromium.
 */
import { describe, expect, it } from 'vitest';
import { S3Client } from '../../../src/lib/s3/client';
import { resolveEndpoint } from '../../../src/lib/s3/endpoint';
import { downloadObject, FIRST_RANGE, rangeList, shouldGather, type ByteSink } from '../../../src/lib/explorer/download';

const MiB = 1024 * 1024;
const object = Uint8Array.from({ length: 3 * MiB + 7 }, (_, i) => (i * 13) % 251);
const ETAG = 'abc123';

interface Get {
  range: string | null;
  ifMatch: string | null;
  cutAfter?: number;
  /** Signed in the URL, with no Authorization header (no preflight in a browser). */
  presigned: boolean;
}

/**
 * A store holding `object`; `cut(n)` says after how many bytes the n-th GET's body breaks,
 * `etagOf(n)` the ETag the n-th GET answers with (null: none the page can read).
 */
function store(cut: (n: number) => number | undefined, etagOf: (n: number) => string | null = () => ETAG): { client: S3Client; gets: Get[]; heads: Get[] } {
  const gets: Get[] = [];
  const heads: Get[] = [];
  const presigned = (req: Request) => new URL(req.url).searchParams.has('X-Amz-Signature') && !req.headers.has('authorization');
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const req = new Request(input, init);
    if (req.method === 'HEAD') {
      heads.push({ range: null, ifMatch: null, presigned: presigned(req) });
      return new Response(null, { status: 200, headers: { 'content-length': String(object.length), etag: `"${ETAG}"` } });
    }
    const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.get('range') ?? '')!;
    const [start, end] = [Number(m[1]), Math.min(Number(m[2]), object.length - 1)];
    const n = gets.length + 1;
    const cutAfter = cut(n);
    gets.push({ range: req.headers.get('range'), ifMatch: req.headers.get('if-match'), cutAfter, presigned: presigned(req) });
    const etag = etagOf(n);
    if (req.headers.get('if-match') && req.headers.get('if-match') !== `"${etag ?? ETAG}"`) return new Response('<Error><Code>PreconditionFailed</Code></Error>', { status: 412 });
    const bytes = object.slice(start, end + 1);
    let off = 0;
    // Network-sized pieces; a cut body errors once `cutAfter` bytes have gone.
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        const stop = cutAfter ?? bytes.length;
        if (off >= stop) return cutAfter === undefined ? c.close() : c.error(new TypeError('network error'));
        const n = Math.min(64 * 1024, stop - off);
        c.enqueue(bytes.slice(off, off + n));
        off += n;
      },
    });
    return new Response(body, { status: 206, headers: { 'content-range': `bytes ${start}-${end}/${object.length}`, 'content-length': String(bytes.length), ...(etag === null ? {} : { etag: `"${etag}"` }) } });
  };
  const client = new S3Client({ endpoint: resolveEndpoint('http://127.0.0.1:9', { region: 'us-east-1' }).endpoint, credentials: { accessKeyId: 'AK', secretAccessKey: 'SK' }, fetch });
  return { client, gets, heads };
}

/** Byte-wise equality (a deep `toEqual` over megabytes is slow). */
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

function memorySink(size: number): ByteSink & { bytes: Uint8Array; state: string } {
  const sink = {
    bytes: new Uint8Array(size),
    state: 'open',
    write(at: number, data: Uint8Array) {
      sink.bytes.set(data, at);
    },
    async close() {
      sink.state = 'closed';
      return size;
    },
    async abort() {
      sink.state = 'aborted';
    },
  };
  return sink;
}

describe('download with ranges gathered by the browser', () => {
  it('keeps the bytes exact, binds every range to the ETag, and after a gathered range breaks asks for all of it again, then streams', async () => {
    // 1 MiB ranges one at a time: the second range's first GET breaks after 100,000 bytes
    // (gathered: nothing of it kept), its second after 200,000 (streamed: those are kept).
    const { client, gets, heads } = store((n) => (n === 2 ? 100_000 : n === 3 ? 200_000 : undefined));
    let sink: ReturnType<typeof memorySink> | undefined;
    const r = await downloadObject(client, 'b', 'k', async (size) => (sink = memorySink(size)), { parallel: 1, rangeSize: MiB, bodies: 'blob' });
    expect(r.size).toBe(object.length);
    expect(sink!.state).toBe('closed');
    expect(same(sink!.bytes, object)).toBe(true);
    // The ETag is readable: checked on each range, so HEAD and GETs go presigned with no If-Match (no preflight).
    expect(heads).toEqual([{ range: null, ifMatch: null, presigned: true }]);
    expect(gets.map((g) => [g.range, g.ifMatch, g.presigned])).toEqual([
      [`bytes=0-${MiB - 1}`, null, true],
      [`bytes=${MiB}-${2 * MiB - 1}`, null, true],
      [`bytes=${MiB}-${2 * MiB - 1}`, null, true],
      [`bytes=${MiB + 200_000}-${2 * MiB - 1}`, null, true],
      [`bytes=${2 * MiB}-${3 * MiB - 1}`, null, true],
      [`bytes=${3 * MiB}-${object.length - 1}`, null, true],
    ]);
  });

  it('streams by default: a broken range resumes at the byte where it broke', async () => {
    const { client, gets } = store((n) => (n === 2 ? 100_000 : undefined));
    let sink: ReturnType<typeof memorySink> | undefined;
    await downloadObject(client, 'b', 'k', async (size) => (sink = memorySink(size)), { parallel: 1, rangeSize: MiB });
    expect(same(sink!.bytes, object)).toBe(true);
    expect(gets.map((g) => g.range).slice(1, 3)).toEqual([`bytes=${MiB}-${2 * MiB - 1}`, `bytes=${MiB + 100_000}-${2 * MiB - 1}`]);
  });

  it('gives up on a range after three resumes, gathered or streamed, and drops the sink', async () => {
    const { client, gets } = store(() => 50_000);
    let sink: ReturnType<typeof memorySink> | undefined;
    const err = await downloadObject(client, 'b', 'k', async (size) => (sink = memorySink(size)), { parallel: 1, rangeSize: MiB, bodies: 'blob' }).then(
      () => null,
      (e: unknown) => e as { code?: string },
    );
    expect(err).toMatchObject({ code: 'IncompleteBody' });
    expect(sink!.state).toBe('aborted');
    // Gathered once (lost), then streamed: each resume from where the last one broke.
    expect(gets.map((g) => g.range)).toEqual([`bytes=0-${MiB - 1}`, `bytes=0-${MiB - 1}`, `bytes=50000-${MiB - 1}`, `bytes=100000-${MiB - 1}`]);
  });

  it('auto: streams the first range (no rate known yet), gathers later ones on a fast link', async () => {
    // Range 1 breaks after 100,000 bytes: streamed, it resumes at that byte. Range 2 breaks too:
    // gathered (the in-memory store is fast), it is asked for whole again.
    const { client, gets } = store((n) => (n === 1 || n === 3 ? 100_000 : undefined));
    let sink: ReturnType<typeof memorySink> | undefined;
    await downloadObject(client, 'b', 'k', async (size) => (sink = memorySink(size)), { parallel: 1, rangeSize: MiB, bodies: 'auto' });
    expect(same(sink!.bytes, object)).toBe(true);
    expect(gets.map((g) => g.range).slice(0, 4)).toEqual([`bytes=0-${MiB - 1}`, `bytes=100000-${MiB - 1}`, `bytes=${MiB}-${2 * MiB - 1}`, `bytes=${MiB}-${2 * MiB - 1}`]);
  });

  it('auto: a range that would take longer than gatherWithinMs streams, so its progress moves', async () => {
    expect(shouldGather(64 * MiB, 0, 1000, 4)).toBe(false);
    // Home link: 12.5 MB/s over 4 ranges, a 64 MiB range takes ~21 s: streamed.
    expect(shouldGather(64 * MiB, 12.5e6 * 10, 10_000, 4)).toBe(false);
    // wan at 100 MB/s over 4 ranges: ~2.7 s: gathered.
    expect(shouldGather(64 * MiB, 100e6 * 10, 10_000, 4)).toBe(true);
    const { client, gets } = store((n) => (n === 3 ? 100_000 : undefined));
    await downloadObject(client, 'b', 'k', async (size) => memorySink(size), { parallel: 1, rangeSize: MiB, bodies: 'auto', gatherWithinMs: 0 });
    // The third range breaks after 100,000 bytes and, streamed, resumes at that byte.
    expect(gets.map((g) => g.range).slice(2, 4)).toEqual([`bytes=${2 * MiB}-${3 * MiB - 1}`, `bytes=${2 * MiB + 100_000}-${3 * MiB - 1}`]);
  });

  it('auto: the first range of each lane is small (it measures the link), the rest full size', async () => {
    const { client, gets } = store(() => undefined);
    let sink: ReturnType<typeof memorySink> | undefined;
    await downloadObject(client, 'b', 'k', async (size) => (sink = memorySink(size)), { parallel: 1, rangeSize: 2 * MiB, firstRangeSize: MiB, bodies: 'auto' });
    expect(same(sink!.bytes, object)).toBe(true);
    expect(gets.map((g) => g.range)).toEqual([`bytes=0-${MiB - 1}`, `bytes=${MiB}-${3 * MiB - 1}`, `bytes=${3 * MiB}-${object.length - 1}`]);
  });
});

describe('a download bound to one version of the object', () => {
  it('stops when a range comes from another version, and drops the file', async () => {
    const { client } = store(() => undefined, (n) => (n === 3 ? 'replaced' : ETAG));
    let sink: ReturnType<typeof memorySink> | undefined;
    const err = await downloadObject(client, 'b', 'k', async (size) => (sink = memorySink(size)), { parallel: 1, rangeSize: MiB, bodies: 'auto' }).then(
      () => null,
      (e: unknown) => e as { code?: string; status?: number; message?: string },
    );
    expect(err).toMatchObject({ code: 'PreconditionFailed', status: 412 });
    expect(err!.message).toContain('was replaced while it was being downloaded');
    expect(sink!.state).toBe('aborted');
  });

  it('where the ETag of a range cannot be read, asks for it again with If-Match, and so for every later range', async () => {
    const { client, gets } = store(() => undefined, () => null);
    let sink: ReturnType<typeof memorySink> | undefined;
    await downloadObject(client, 'b', 'k', async (size) => (sink = memorySink(size)), { parallel: 1, rangeSize: MiB, bodies: 'auto' });
    expect(same(sink!.bytes, object)).toBe(true);
    expect(gets.map((g) => [g.range, g.ifMatch, g.presigned])).toEqual([
      [`bytes=0-${MiB - 1}`, null, true],
      [`bytes=0-${MiB - 1}`, `"${ETAG}"`, false],
      [`bytes=${MiB}-${2 * MiB - 1}`, `"${ETAG}"`, false],
      [`bytes=${2 * MiB}-${3 * MiB - 1}`, `"${ETAG}"`, false],
      [`bytes=${3 * MiB}-${object.length - 1}`, `"${ETAG}"`, false],
    ]);
  });

  it('bound by If-Match, a replaced object answers 412 and the download stops', async () => {
    const { client } = store(() => undefined, (n) => (n === 1 ? null : 'replaced'));
    let sink: ReturnType<typeof memorySink> | undefined;
    const err = await downloadObject(client, 'b', 'k', async (size) => (sink = memorySink(size)), { parallel: 1, rangeSize: MiB }).then(
      () => null,
      (e: unknown) => e as { status?: number },
    );
    expect(err).toMatchObject({ status: 412 });
    expect(sink!.state).toBe('aborted');
  });
});

describe('the ranges of a download', () => {
  it('cover the object once, in order, whatever the sizes', () => {
    for (const size of [0, 1, MiB - 1, MiB, 3 * MiB + 7, 1024 * MiB, 1000 * MiB + 3]) {
      for (const [rangeSize, parallel, first] of [[64 * MiB, 4, FIRST_RANGE], [8 * MiB, 4, 8 * MiB], [MiB, 2, 3 * MiB], [3 * MiB, 1, 1]] as const) {
        const ranges = rangeList(size, rangeSize, parallel, first);
        let at = 0;
        ranges.forEach((r, i) => {
          expect(r.start, `${size} ${rangeSize} ${parallel} ${first}: range ${i}`).toBe(at);
          expect(r.end - r.start + 1).toBe(Math.min(size - at, i < parallel ? Math.min(first, rangeSize) : rangeSize));
          at = r.end + 1;
        });
        expect(at).toBe(size);
      }
    }
  });

  it('for 1 GiB with four in flight: four of 8 MiB, then 64 MiB ranges', () => {
    const ranges = rangeList(1024 * MiB, 64 * MiB, 4, FIRST_RANGE);
    expect(ranges.slice(0, 5).map((r) => (r.end + 1 - r.start) / MiB)).toEqual([8, 8, 8, 8, 64]);
    expect(ranges.length).toBe(4 + 15 + 1);
  });
});

