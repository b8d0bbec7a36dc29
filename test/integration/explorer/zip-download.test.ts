/**
 * "Download as .zip" against the real Ceph RGW: a prefix with hostile keys and
 * a multi-MB object is streamed into a zip file on disk, then read back by
 * Python's `zipfile` (CRCs tested) and compared, name by name and byte by byte,
 * with what the aws cli downloads. Also: an object rewritten after the listing
 * is left out (If-Match), and cancel leaves no file behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { open, stat, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObject } from '../../../src/lib/s3/ops/index';
import { listPages, type ObjectSummary } from '../../../src/lib/s3/ops/list-objects';
import type { ByteSink } from '../../../src/lib/explorer/download';
import { downloadZip, planZip, zipEntries } from '../../../src/lib/explorer/zip-download';
import { createBucket, destroyBucket, rgwClient, uniqueBucket } from '../../helpers/s3';
import { aws } from '../../helpers/cli';

const client = rgwClient();
const bucket = uniqueBucket('zip');
const BASE = 'run 1/';
const BIG = randomBytes(12 * 1024 * 1024 + 7);
/** Keys below BASE and their bodies. */
const OBJECTS: Record<string, Uint8Array> = {
  '<script>alert(1)</script>.txt': Buffer.from('script key'),
  'emoji 🎉 ünï cødé #?%+.txt': Buffer.from('emoji key'),
  'a%2Fb.txt': Buffer.from('percent key'),
  'deep/sub/table.csv': Buffer.from('a,b\n1,2\n'),
  '../escape.txt': Buffer.from('must stay inside the zip'),
  'empty.txt': new Uint8Array(0),
  'big.bin': BIG,
};
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** A byte sink over a file on disk; abort deletes it. */
async function diskSink(path: string): Promise<ByteSink> {
  const fh = await open(path, 'w');
  return {
    async write(at, bytes) {
      await fh.write(bytes, 0, bytes.byteLength, at);
    },
    async close() {
      await fh.close();
      return (await stat(path)).size;
    },
    async abort() {
      await fh.close().catch(() => undefined);
      await unlink(path).catch(() => undefined);
    },
  };
}

interface ZipInfo {
  ok: boolean;
  entries: { name: string; size: number; sha256: string; utf8: boolean; stored: boolean }[];
}

/** What Python's zipfile reads from the zip (testzip checks every CRC). */
function pythonZip(path: string): ZipInfo {
  const script = `
import hashlib, json, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    ok = z.testzip() is None
    entries = [{"name": i.filename, "size": i.file_size, "sha256": hashlib.sha256(z.read(i)).hexdigest(),
                "utf8": bool(i.flag_bits & 0x800), "stored": i.compress_type == zipfile.ZIP_STORED} for i in z.infolist()]
print(json.dumps({"ok": ok, "entries": entries}))
`;
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, path], { encoding: 'utf8' })) as ZipInfo;
}

describe('zip download on the real RGW', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-zip-'));

  beforeAll(async () => {
    await createBucket(bucket);
    for (const [k, body] of Object.entries(OBJECTS)) await client.send(PutObject, { bucket, key: BASE + k, body });
    await client.send(PutObject, { bucket, key: 'outside.txt', body: 'not selected' });
  });
  afterAll(async () => {
    await destroyBucket(bucket);
    rmSync(dir, { recursive: true, force: true });
  });

  it('zips a prefix: names relative to it, bytes identical to what the aws cli downloads', async () => {
    const path = join(dir, 'run.zip');
    const r = await downloadZip(client, bucket, [], [BASE], BASE, () => diskSink(path));
    expect(r).toMatchObject({ phase: 'done', skipped: [], renamed: [], objects: 7, doneObjects: 7 });
    expect(r.doneBytes).toBe(Object.values(OBJECTS).reduce((n, b) => n + b.byteLength, 0));
    expect(r.size).toBe((await stat(path)).size);

    const zip = pythonZip(path);
    expect(zip.ok).toBe(true);
    expect(zip.entries.every((e) => e.utf8 && e.stored)).toBe(true);
    const inZip = Object.fromEntries(zip.entries.map((e) => [e.name, e.sha256]));
    // `..` cannot climb out of the folder the zip is unpacked into; every other key is its name verbatim.
    const expectedNames = Object.keys(OBJECTS).map((k) => (k === '../escape.txt' ? '%2E%2E/escape.txt' : k));
    expect(Object.keys(inZip).sort()).toEqual(expectedNames.sort());

    // What the aws cli gets for each key, byte for byte.
    for (const [k, body] of Object.entries(OBJECTS)) {
      const out = join(dir, `aws-${sha(Buffer.from(k)).slice(0, 12)}`);
      const got = await aws(['s3api', 'get-object', '--bucket', bucket, '--key', BASE + k, out]);
      expect(got.code, k).toBe(0);
      const fromAws = readFileSync(out);
      expect(sha(fromAws), k).toBe(sha(body));
      expect(inZip[k === '../escape.txt' ? '%2E%2E/escape.txt' : k], k).toBe(sha(fromAws));
    }
    // unzip agrees on the listing (another reader than Python's).
    const listing = execFileSync('/usr/bin/unzip', ['-Z1', path], { encoding: 'utf8' });
    expect(listing.split('\n').filter(Boolean).sort()).toEqual(expectedNames.sort());
  });

  it('leaves out an object rewritten after the listing and names it; the zip stays valid', async () => {
    const listed: ObjectSummary[] = [];
    for (const prefix of [`${BASE}deep/`, `${BASE}emoji`]) for await (const p of listPages(client, { bucket, prefix })) listed.push(...p.objects);
    const plan = planZip(listed, BASE);
    await client.send(PutObject, { bucket, key: `${BASE}deep/sub/table.csv`, body: 'a,b\n9,9\n' });
    const path = join(dir, 'changed.zip');
    const r = await zipEntries(client, bucket, plan, await diskSink(path));
    expect(r.skipped.map((s) => s.key)).toEqual([`${BASE}deep/sub/table.csv`]);
    expect(r.skipped[0]?.message).toMatch(/changed/i);
    const zip = pythonZip(path);
    expect(zip.ok).toBe(true);
    expect(zip.entries.map((e) => e.name)).toEqual(['emoji 🎉 ünï cødé #?%+.txt']);
  });

  it('cancel mid-way aborts the GETs and leaves no file', async () => {
    const path = join(dir, 'cancelled.zip');
    const ac = new AbortController();
    const sink = await diskSink(path);
    const write = sink.write.bind(sink);
    // Cancel once a few MB of the big object are in the file.
    sink.write = (at, bytes) => {
      if (at > 4 * 1024 * 1024) ac.abort();
      return write(at, bytes);
    };
    const err = (await downloadZip(client, bucket, [], [BASE], BASE, async () => sink, { signal: ac.signal }).then(
      () => null,
      (e: unknown) => e,
    )) as { code?: string } | null;
    expect(err?.code).toBe('Aborted');
    expect(existsSync(path)).toBe(false);
  });
});
