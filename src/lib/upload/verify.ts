/**
 * After Complete (or the single PUT): is the object on the store the file we
 * read? Size always; ETag where the store computes MD5 (single PUT) or MD5 of
 * MD5s (multipart); the stored SHA-256 when the header is readable. When CORS
 * hides a header, the listing (XML body, always readable) gives size and ETag.
 */
import type { S3Client, SendOptions } from '../s3/client';
import { CopyObject, HeadObject, ListObjectsV2, type ObjectHead } from '../s3/ops/index';
import { MAX_PART_SIZE } from './part-plan';
import { md5Hex, multipartEtag } from './hashing';
import type { CheckResult, UploadRecord, VerifyReport } from './record';

export const SHA256_META = 'sha256';

/** The ETag we expect, or undefined when we did not hash every part. */
export async function expectedEtag(r: UploadRecord, singleMd5?: string): Promise<string | undefined> {
  if (!r.plan.multipart) return singleMd5 ? md5Hex(singleMd5) : undefined;
  if (r.parts.length !== r.plan.partCount) return undefined;
  const md5s: string[] = [];
  for (const p of r.parts) {
    if (p.md5) md5s.push(p.md5);
    else return undefined;
  }
  return multipartEtag(md5s);
}

async function listedObject(client: S3Client, r: UploadRecord, options: SendOptions): Promise<{ size: number; etag: string } | undefined> {
  const page = await client.send(ListObjectsV2, { bucket: r.bucket, prefix: r.key, maxKeys: 1 }, options);
  return page.objects.find((o) => o.key === r.key);
}

const MD5_LIKE = /^[0-9a-f]{32}(-\d+)?$/i;

export async function verifyObject(client: S3Client, r: UploadRecord, expected: { etag?: string; sha256?: string }, options: SendOptions = {}): Promise<{ report: VerifyReport; head: ObjectHead }> {
  const notes: string[] = [];
  const head = await client.send(HeadObject, { bucket: r.bucket, key: r.key }, options);
  let size = head.size;
  let etag = head.etag;
  if (!etag) {
    const listed = await listedObject(client, r, options);
    if (listed) {
      size = listed.size;
      etag = listed.etag;
    }
  }
  const sizeCheck: CheckResult = size === r.size ? 'ok' : 'mismatch';
  let etagCheck: CheckResult = 'unchecked';
  if (!expected.etag) notes.push('ETag not checked: parts were sent without MD5.');
  else if (!etag) notes.push('ETag not checked: the store did not return one.');
  else if (!MD5_LIKE.test(etag)) notes.push(`ETag not checked: this store does not use MD5 ETags (${etag}).`);
  else etagCheck = etag.toLowerCase() === expected.etag.toLowerCase() ? 'ok' : 'mismatch';
  let shaCheck: VerifyReport['sha256'] = 'not-stored';
  if (expected.sha256) {
    const stored = head.metadata[SHA256_META];
    if (stored) shaCheck = stored.toLowerCase() === expected.sha256 ? 'ok' : 'mismatch';
    else if (r.plan.multipart && r.size > MAX_PART_SIZE) notes.push('SHA-256 not stored: objects over 5 GiB cannot be copied in one request to add it.');
    else {
      shaCheck = 'unchecked';
      notes.push('SHA-256 metadata not readable here (the bucket CORS rule does not expose x-amz-meta-sha256).');
    }
  }
  return { report: { size: sizeCheck, etag: etagCheck, sha256: shaCheck, notes }, head };
}

/**
 * Metadata of a multipart object can only be set at Create, before the
 * whole-file SHA-256 is known; a copy onto itself replaces it afterwards
 * (on Ceph RGW a metadata-only copy: the data is not rewritten).
 */
export async function storeSha256(client: S3Client, r: UploadRecord, sha256: string, options: SendOptions = {}): Promise<boolean> {
  if (r.size > MAX_PART_SIZE) return false;
  await client.send(
    CopyObject,
    { bucket: r.bucket, key: r.key, sourceBucket: r.bucket, sourceKey: r.key, metadataDirective: 'REPLACE', contentType: r.contentType, metadata: { [SHA256_META]: sha256 } },
    options,
  );
  return true;
}

/**
 * A single PUT needs no read-back: with Content-MD5 the store refuses bytes
 * that differ from what we hashed (BadDigest), and the SHA-256 travelled as
 * metadata in the same request. A HEAD per file would double the requests of
 * a folder of thousands of small objects.
 */
export function singlePutReport(r: UploadRecord, md5Base64?: string, sha256?: string): VerifyReport {
  const notes: string[] = [];
  let etag: CheckResult = 'unchecked';
  if (!md5Base64) notes.push('Not checked: sent without MD5.');
  else if (r.etag && MD5_LIKE.test(r.etag)) etag = r.etag.toLowerCase() === md5Hex(md5Base64) ? 'ok' : 'mismatch';
  else {
    etag = 'ok';
    notes.push('Checked by the store against the Content-MD5 sent with the object.');
  }
  if (sha256) notes.push('SHA-256 stored with the object in the same request.');
  return { size: md5Base64 ? etag : 'unchecked', etag, sha256: sha256 ? 'ok' : 'not-stored', notes };
}

export function verifyFailed(report: VerifyReport): string | undefined {
  const bad: string[] = [];
  if (report.size === 'mismatch') bad.push('size');
  if (report.etag === 'mismatch') bad.push('ETag (MD5)');
  if (report.sha256 === 'mismatch') bad.push('SHA-256');
  return bad.length ? `The object on the store does not match the file: ${bad.join(', ')} differ. Upload it again.` : undefined;
}
