/**
 * Does this store check `x-amz-checksum-*` headers? Stores differ: AWS
 * verifies them, Ceph RGW 16 ignores them (measured here: a wrong CRC32C is
 * stored without complaint), others refuse them (FIELD-NOTES §3), and a
 * browser refuses to send one when the bucket's CORS rule does not allow the
 * header. A header the store ignores is only cost, so Tessera probes once per
 * endpoint and bucket: PUT a tiny object with the RIGHT checksum (does the
 * header get through at all?), then with a WRONG one (does the store notice?),
 * then delete the probe object. Only a store that takes the right one and
 * refuses the wrong one gets checksums. The verdict holds no secret and is
 * kept in memory for the session.
 */
import type { S3Client } from '../s3/client';
import { S3Error } from '../s3/errors';
import { checksumBase64, checksumHeader, checksumHeaders, type ChecksumAlgorithm } from '../s3/checksum';
import { DeleteObject, PutObject } from '../s3/ops/index';

/**
 * - verified: the store refused a wrong checksum and took the right one: send it.
 * - ignored: the store took a wrong checksum: it does not check, do not send it.
 * - refused: the store refused even the right one (it does not know the header).
 * - blocked: the request never reached the store (CORS does not allow the header, or the network).
 * - unknown: the probe could not tell (no permission to write, server error, ...).
 */
export type ChecksumVerdict = 'verified' | 'ignored' | 'refused' | 'blocked' | 'unknown';

export interface ChecksumSupport {
  algorithm: ChecksumAlgorithm;
  verdict: ChecksumVerdict;
  /** Send the checksum header with uploads to this bucket. */
  use: boolean;
}

/** How one probe PUT ended. */
export type ProbeOutcome = { ok: true } | { ok: false; kind: 'digest' | 'network' | 'other'; code: string };

/** Codes with which stores refuse a body whose checksum does not match (AWS, Ceph, MinIO, R2). */
const DIGEST_CODES = new Set(['BadDigest', 'InvalidDigest', 'XAmzContentChecksumMismatch', 'InvalidChecksum', 'InvalidRequest', 'InvalidArgument']);

export function outcomeOf(e: unknown): ProbeOutcome {
  if (!(e instanceof S3Error)) return { ok: false, kind: 'other', code: e instanceof Error ? e.name : 'Error' };
  if (e.code === 'NetworkError' || e.status === 0) return { ok: false, kind: 'network', code: e.code };
  if (e.status === 400 && DIGEST_CODES.has(e.code)) return { ok: false, kind: 'digest', code: e.code };
  return { ok: false, kind: 'other', code: e.code };
}

/**
 * The verdict from the probe's answers: `right` (correct checksum), `wrong`
 * (deliberately wrong one; absent when `right` failed), and `confirm` (the
 * right one again, asked only when `wrong` failed without a readable answer:
 * RGW sends no CORS headers with some errors, so a refusal can look like a
 * network failure in a browser; if the right one still goes through, the
 * wrong one was refused).
 */
export function decideVerdict(right: ProbeOutcome, wrong?: ProbeOutcome, confirm?: ProbeOutcome): ChecksumVerdict {
  if (!right.ok) {
    if (right.kind === 'network') return 'blocked';
    if (right.kind === 'digest') return 'refused';
    return 'unknown';
  }
  if (!wrong) return 'unknown';
  if (wrong.ok) return 'ignored';
  if (wrong.kind === 'digest') return 'verified';
  if (wrong.kind === 'network' && confirm?.ok) return 'verified';
  return 'unknown';
}

export function support(algorithm: ChecksumAlgorithm, verdict: ChecksumVerdict): ChecksumSupport {
  return { algorithm, verdict, use: verdict === 'verified' };
}

const PROBE_BODY = new TextEncoder().encode('Tessera checks whether this store verifies x-amz-checksum headers. Safe to delete.\n');

/** A checksum that cannot be the body's: the right one with its first byte flipped. */
export function wrongChecksum(right: string): string {
  const bytes = Uint8Array.from(atob(right), (c) => c.charCodeAt(0));
  bytes[0] = bytes[0]! ^ 0xff;
  return btoa(String.fromCharCode(...bytes));
}

export interface ProbeOptions {
  signal?: AbortSignal;
  /** Key of the probe object (deleted afterwards). */
  key?: string;
}

/** Ask the store (three or four small requests); never throws except on abort. */
export async function probeChecksum(client: S3Client, bucket: string, algorithm: ChecksumAlgorithm, options: ProbeOptions = {}): Promise<ChecksumSupport> {
  const key = options.key ?? `.tessera-checksum-probe-${crypto.randomUUID()}`;
  const right = await checksumBase64(algorithm, PROBE_BODY);
  // In a versioned bucket each PUT makes a version: delete those by id, so nothing (not even a delete marker) is left.
  const versions: Array<string | undefined> = [];
  const put = async (checksum: string): Promise<ProbeOutcome> => {
    try {
      const out = await client.send(PutObject, { bucket, key, body: PROBE_BODY, contentType: 'text/plain', headers: checksumHeaders(algorithm, checksum) }, { signal: options.signal });
      versions.push(out.versionId);
      return { ok: true };
    } catch (e) {
      if (options.signal?.aborted) throw e;
      return outcomeOf(e);
    }
  };
  const first = await put(right);
  let wrong: ProbeOutcome | undefined;
  let confirm: ProbeOutcome | undefined;
  if (first.ok) {
    wrong = await put(wrongChecksum(right));
    if (!wrong.ok && wrong.kind === 'network') confirm = await put(right);
  }
  for (const versionId of versions.some((v) => v) ? versions : versions.slice(0, 1)) {
    await client.send(DeleteObject, { bucket, key, versionId }, { signal: options.signal }).catch(() => undefined);
  }
  return support(algorithm, decideVerdict(first, wrong, confirm));
}

/** Verdicts per endpoint and bucket for this session; concurrent askers share one probe. */
export class ChecksumProbes {
  #verdicts = new Map<string, Promise<ChecksumSupport>>();
  #probe: typeof probeChecksum;

  /** `probe` is a seam: tests pass one that forces a verdict. */
  constructor(probe: typeof probeChecksum = probeChecksum) {
    this.#probe = probe;
  }

  get(client: S3Client, bucket: string, algorithm: ChecksumAlgorithm = 'CRC32C'): Promise<ChecksumSupport> {
    const id = `${client.endpoint.url}\n${bucket}\n${algorithm}`;
    let p = this.#verdicts.get(id);
    if (!p) {
      p = this.#probe(client, bucket, algorithm).catch(() => support(algorithm, 'unknown'));
      this.#verdicts.set(id, p);
    }
    return p;
  }

  /** The verdict if the probe has finished (for display). */
  known(endpoint: string, bucket: string, algorithm: ChecksumAlgorithm = 'CRC32C'): Promise<ChecksumSupport> | undefined {
    return this.#verdicts.get(`${endpoint}\n${bucket}\n${algorithm}`);
  }
}

/** The verdict in plain words, for the upload details. */
export function describeChecksum(s: ChecksumSupport | undefined): string {
  if (!s) return 'Checksums: Content-MD5 only.';
  const header = checksumHeader(s.algorithm);
  switch (s.verdict) {
    case 'verified':
      return `This store checks ${s.algorithm}: on (${header} sent with every part, besides Content-MD5).`;
    case 'ignored':
      return 'This store does not check x-amz-checksum headers: Content-MD5 only.';
    case 'refused':
      return `This store refuses ${header}: Content-MD5 only.`;
    case 'blocked':
      return `The bucket's CORS rule does not let the browser send ${header}: Content-MD5 only.`;
    default:
      return `Could not tell whether this store checks ${s.algorithm}: Content-MD5 only.`;
  }
}
