/**
 * `x-amz-checksum-*`: digests as S3 wants them, the headers we build, and the
 * probe's verdict from a store's answers (the store here is a fetch seam in
 * our own client; the real RGW's answers are in the integration test).
 */
import { describe, expect, it } from 'vitest';
import { S3Client } from '../../../src/lib/s3/client';
import { resolveEndpoint } from '../../../src/lib/s3/endpoint';
import { S3Error } from '../../../src/lib/s3/errors';
import { checksumAlgorithmHeaders, checksumBase64, checksumHeader, checksumHeaders } from '../../../src/lib/s3/checksum';
import { buildCompleteBody } from '../../../src/lib/s3/ops/complete-multipart-upload';
import { ChecksumProbes, decideVerdict, describeChecksum, outcomeOf, probeChecksum, support, wrongChecksum, type ProbeOutcome } from '../../../src/lib/upload/checksum-probe';
import { bodyChecksumHeaders, checksumInUse } from '../../../src/lib/upload/multipart';
import { InlineHasher } from '../../../src/lib/upload/part-hasher';
import type { UploadRecord } from '../../../src/lib/upload/record';

const ascii = (s: string) => new TextEncoder().encode(s);
const b64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');

describe('checksum digests', () => {
  it('CRC32C and CRC-64/NVME of "123456789" match the published check values, base64 of the big-endian bytes', async () => {
    expect(await checksumBase64('CRC32C', ascii('123456789'))).toBe(b64('e3069283'));
    expect(await checksumBase64('CRC64NVME', ascii('123456789'))).toBe(b64('ae8b14860a799888'));
  });

  it('a digest fed in chunks equals the one-shot digest; the empty body has CRC32C 0', async () => {
    const data = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 7) & 255);
    expect(await checksumBase64('CRC32C', [data.subarray(0, 123), data.subarray(123)])).toBe(await checksumBase64('CRC32C', data));
    expect(await checksumBase64('CRC32C', new Uint8Array(0))).toBe(b64('00000000'));
  });

  it('the part hasher gives the checksum with (or without) the MD5 from one read', async () => {
    const blob = new Blob([ascii('xx123456789yy')]);
    const h = new InlineHasher();
    expect(await h.hash({ blob, start: 2, end: 11, name: 'f', md5: false, checksum: 'CRC32C' })).toEqual({ checksum: b64('e3069283') });
    const both = await h.hash({ blob, start: 2, end: 11, name: 'f', md5: true, checksum: 'CRC32C' });
    expect(both.checksum).toBe(b64('e3069283'));
    expect(both.md5).toBe(Buffer.from('25f9e794323b453885f5181f1b624d0b', 'hex').toString('base64'));
  });
});

describe('checksum headers', () => {
  it('names the header and the algorithm as S3 does', () => {
    expect(checksumHeader('CRC32C')).toBe('x-amz-checksum-crc32c');
    expect(checksumHeader('CRC64NVME')).toBe('x-amz-checksum-crc64nvme');
    expect(checksumHeaders('CRC32C', 'AAAAAA==')).toEqual({ 'x-amz-checksum-crc32c': 'AAAAAA==' });
    expect(checksumAlgorithmHeaders('CRC32C')).toEqual({ 'x-amz-checksum-algorithm': 'CRC32C' });
  });

  it('an upload sends the header only when its probe said the store checks it', () => {
    const r = (verdict: Parameters<typeof support>[1]) => ({ checksum: support('CRC32C', verdict) }) as UploadRecord;
    expect(checksumInUse(r('verified'))).toBe('CRC32C');
    expect(bodyChecksumHeaders(r('verified'), 'abc=')).toEqual({ 'x-amz-checksum-crc32c': 'abc=' });
    for (const v of ['ignored', 'refused', 'blocked', 'unknown'] as const) {
      expect(checksumInUse(r(v))).toBeUndefined();
      expect(bodyChecksumHeaders(r(v), 'abc=')).toBeUndefined();
    }
    expect(bodyChecksumHeaders({} as UploadRecord, 'abc=')).toBeUndefined();
  });

  it('Complete names each part\'s CRC32C when the upload sends them, and nothing otherwise', () => {
    const withCrc = buildCompleteBody([{ partNumber: 2, etag: 'b', checksumCRC32C: 'Yg==' }, { partNumber: 1, etag: 'a', checksumCRC32C: 'YQ==' }]);
    expect(withCrc).toContain('<Part><PartNumber>1</PartNumber><ETag>&quot;a&quot;</ETag><ChecksumCRC32C>YQ==</ChecksumCRC32C></Part><Part><PartNumber>2</PartNumber>');
    expect(buildCompleteBody([{ partNumber: 1, etag: 'a' }])).not.toContain('Checksum');
  });
});

describe('checksum probe verdict', () => {
  const ok: ProbeOutcome = { ok: true };
  const digest: ProbeOutcome = { ok: false, kind: 'digest', code: 'BadDigest' };
  const network: ProbeOutcome = { ok: false, kind: 'network', code: 'NetworkError' };
  const other: ProbeOutcome = { ok: false, kind: 'other', code: 'AccessDenied' };

  it('uses the header only where the right checksum passes and the wrong one is refused', () => {
    expect(decideVerdict(ok, digest)).toBe('verified');
    expect(decideVerdict(ok, ok)).toBe('ignored');
    expect(decideVerdict(network)).toBe('blocked');
    expect(decideVerdict(digest)).toBe('refused');
    expect(decideVerdict(other)).toBe('unknown');
    expect(decideVerdict(ok, other)).toBe('unknown');
    // A refusal the browser cannot read (no CORS headers on the error): verified only if the right one still passes.
    expect(decideVerdict(ok, network, ok)).toBe('verified');
    expect(decideVerdict(ok, network, network)).toBe('unknown');
    expect(decideVerdict(ok, network)).toBe('unknown');
    expect(support('CRC32C', 'verified').use).toBe(true);
    expect(support('CRC32C', 'ignored').use).toBe(false);
  });

  it('classifies store answers', () => {
    const e = (status: number, code: string) => new S3Error({ operation: 'PutObject', status, code });
    expect(outcomeOf(e(400, 'BadDigest'))).toMatchObject({ kind: 'digest' });
    expect(outcomeOf(e(400, 'XAmzContentChecksumMismatch'))).toMatchObject({ kind: 'digest' });
    expect(outcomeOf(e(400, 'InvalidRequest'))).toMatchObject({ kind: 'digest' });
    expect(outcomeOf(e(0, 'NetworkError'))).toMatchObject({ kind: 'network' });
    expect(outcomeOf(e(403, 'AccessDenied'))).toMatchObject({ kind: 'other' });
    expect(outcomeOf(new TypeError('x'))).toMatchObject({ kind: 'other' });
  });

  it('a wrong checksum differs from the right one and has its length', () => {
    const right = b64('e3069283');
    const wrong = wrongChecksum(right);
    expect(wrong).not.toBe(right);
    expect(Buffer.from(wrong, 'base64').length).toBe(4);
  });

  it('says the verdict in plain words', () => {
    expect(describeChecksum(support('CRC32C', 'verified'))).toMatch(/^This store checks CRC32C: on/);
    expect(describeChecksum(support('CRC32C', 'ignored'))).toBe('This store does not check x-amz-checksum headers: Content-MD5 only.');
    expect(describeChecksum(support('CRC32C', 'blocked'))).toMatch(/CORS rule does not let the browser send x-amz-checksum-crc32c/);
    expect(describeChecksum(support('CRC32C', 'refused'))).toMatch(/refuses/);
    expect(describeChecksum(support('CRC32C', 'unknown'))).toMatch(/Could not tell/);
  });
});

/** A store behind our client's fetch seam: it checks CRC32C, ignores it, or the browser refuses the header. */
function fakeStore(mode: 'verifies' | 'ignores' | 'cors-refused' | 'versioned-ignores'): { client: S3Client; log: string[] } {
  const log: string[] = [];
  const body = ascii('');
  const f: typeof fetch = async (input, init) => {
    const method = init?.method ?? 'GET';
    const headers = new Headers(init?.headers);
    const crc = headers.get('x-amz-checksum-crc32c');
    const version = new URL(String(input)).searchParams.get('versionId');
    log.push(`${method}${crc ? ` crc=${crc}` : ''}${version ? ` version=${version}` : ''}`);
    if (mode === 'cors-refused' && crc) throw new TypeError('Failed to fetch');
    if (method === 'PUT' && mode === 'verifies' && crc) {
      const sent = new Uint8Array(await new Response(init!.body as BodyInit).arrayBuffer());
      if (crc !== (await checksumBase64('CRC32C', sent))) {
        return new Response('<Error><Code>BadDigest</Code><Message>The CRC32C you specified did not match the calculated checksum.</Message></Error>', { status: 400 });
      }
    }
    const answer: Record<string, string> = { etag: '"x"' };
    if (mode === 'versioned-ignores' && method === 'PUT') answer['x-amz-version-id'] = `v${log.length}`;
    return new Response(method === 'DELETE' ? null : body, { status: method === 'DELETE' ? 204 : 200, headers: answer });
  };
  const { endpoint } = resolveEndpoint('http://store.test:7480', { region: 'us-east-1' });
  return { client: new S3Client({ endpoint, credentials: { accessKeyId: 'AK', secretAccessKey: 'SK' }, fetch: f, retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } }), log };
}

describe('probeChecksum against stores of each kind', () => {
  it('a store that checks CRC32C: verified, and the probe object is deleted', async () => {
    const { client, log } = fakeStore('verifies');
    expect(await probeChecksum(client, 'b', 'CRC32C')).toEqual({ algorithm: 'CRC32C', verdict: 'verified', use: true });
    expect(log.map((l) => l.split(' ')[0])).toEqual(['PUT', 'PUT', 'DELETE']);
    expect(log[0]).not.toBe(log[1]);
  });

  it('a store that ignores it: not used', async () => {
    const { client } = fakeStore('ignores');
    expect(await probeChecksum(client, 'b', 'CRC32C')).toMatchObject({ verdict: 'ignored', use: false });
  });

  it('a versioned bucket: each probe version is deleted by its id (no delete marker left)', async () => {
    const { client, log } = fakeStore('versioned-ignores');
    expect(await probeChecksum(client, 'b', 'CRC32C')).toMatchObject({ verdict: 'ignored' });
    expect(log.filter((l) => l.startsWith('DELETE'))).toEqual(['DELETE version=v1', 'DELETE version=v2']);
  });

  it('a CORS rule that does not allow the header: not used, nothing left to delete', async () => {
    const { client, log } = fakeStore('cors-refused');
    expect(await probeChecksum(client, 'b', 'CRC32C')).toMatchObject({ verdict: 'blocked', use: false });
    expect(log.filter((l) => l.startsWith('DELETE'))).toEqual([]);
  });

  it('probes once per endpoint and bucket, however many uploads ask at once', async () => {
    let calls = 0;
    const probes = new ChecksumProbes(async (_c, bucket) => {
      calls++;
      return support('CRC32C', bucket === 'a' ? 'verified' : 'ignored');
    });
    const { client } = fakeStore('ignores');
    const answers = await Promise.all([probes.get(client, 'a'), probes.get(client, 'a'), probes.get(client, 'b'), probes.get(client, 'a')]);
    expect(answers.map((s) => s.verdict)).toEqual(['verified', 'verified', 'ignored', 'verified']);
    expect(calls).toBe(2);
    expect(await probes.known(client.endpoint.url, 'a')).toMatchObject({ verdict: 'verified' });
  });

  it('a probe that throws counts as unknown (uploads go on with Content-MD5)', async () => {
    const probes = new ChecksumProbes(async () => {
      throw new Error('boom');
    });
    expect(await probes.get(fakeStore('ignores').client, 'a')).toMatchObject({ verdict: 'unknown', use: false });
  });
});
