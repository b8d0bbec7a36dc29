/**
 * The end of an upload: CompleteMultipartUpload (and what to believe when its
 * answer was lost), then the check that the object on the store is the file
 * we read (size, ETag, SHA-256). A check that fails sends the file again from
 * the start: the object on the store is complete, so nothing can be resumed.
 */
import { describeChecksum } from './checksum-probe';
import { complete, isUploadGone, shaCatchUp, type UploadContext } from './multipart';
import type { Live } from './live';
import type { UploadEvent } from './status';
import { expectedEtag, singlePutReport, storeSha256, verifyFailed, verifyObject } from './verify';

/** What completion needs of the engine: moving an upload through the state table, and saving it. */
export interface CompletionHost {
  fire(live: Live, event: UploadEvent, error?: unknown): boolean;
  save(live: Live): Promise<void>;
  now(): number;
}

/** CompleteMultipartUpload; a lost answer is told apart from a vanished upload by looking at the object. */
export async function completeUpload(host: CompletionHost, live: Live, ctx: UploadContext): Promise<void> {
  try {
    await complete(ctx);
  } catch (e) {
    // A Complete whose answer was lost is retried by the client and then
    // finds no upload: the object may well be there already. Check it.
    if (!isUploadGone(e) || !(await alreadyComplete(host, live, ctx))) throw e;
  }
}

/** Is the object on the store already, made from exactly our parts (ETag = MD5 of our part MD5s)? */
export async function alreadyComplete(host: CompletionHost, live: Live, ctx: UploadContext): Promise<boolean> {
  const r = live.record;
  const expected = await expectedEtag(r);
  if (!expected) return false;
  try {
    const { report, head } = await verifyObject(ctx.client(), r, { etag: expected }, { signal: ctx.signal });
    if (report.size !== 'ok' || report.etag !== 'ok') return false;
    r.etag = head.etag;
    r.completedAt = host.now();
    if (r.status === 'uploading') host.fire(live, 'parts-sent');
    await shaCatchUp(ctx, r.plan.partCount);
    return true;
  } catch {
    return false;
  }
}

function verificationFailed(message: string): Error {
  return Object.assign(new Error(message), { name: 'VerificationFailed' });
}

/** Check the stored object against what we hashed; ends in `verified`, or `fail` with the upload reset. */
export async function verifyUpload(host: CompletionHost, live: Live, ctx: UploadContext, singleMd5?: string): Promise<void> {
  const r = live.record;
  const sha256 = live.sha ? (r.sha256?.hex ?? (await live.sha.digestHex())) : undefined;
  if (sha256) r.sha256 = { through: r.plan.partCount, hex: sha256 };
  if (!r.plan.multipart) {
    r.verify = singlePutReport(r, singleMd5, sha256);
    if (r.checksum) r.verify.notes.push(describeChecksum(r.checksum));
    const bad = verifyFailed(r.verify);
    if (bad) {
      // Sent again from the start.
      r.completedAt = undefined;
      r.parts = [];
      live.sent.clear();
      host.fire(live, 'fail', verificationFailed(bad));
    } else host.fire(live, 'verified');
    return;
  }
  const client = ctx.client();
  const options = { signal: ctx.signal };
  const etag = await expectedEtag(r, singleMd5);
  // Check the multipart ETag before the metadata copy replaces it with the
  // copy's own; kept, so a verification resumed after the copy does not
  // mistake the copy's ETag for a corrupt object.
  let report = r.verify ?? (await verifyObject(client, r, { etag }, options)).report;
  if (!r.verify && report.size === 'ok' && report.etag !== 'mismatch') {
    r.verify = report;
    await host.save(live);
  }
  if (sha256 && r.plan.multipart && report.size === 'ok' && report.etag !== 'mismatch') {
    const stored = await storeSha256(client, r, sha256, options);
    const after = await verifyObject(client, r, { sha256 }, options);
    report = { ...report, size: after.report.size, sha256: stored ? after.report.sha256 : 'not-stored', notes: [...report.notes, ...after.report.notes] };
  }
  if (r.checksum && !report.notes.includes(describeChecksum(r.checksum))) report = { ...report, notes: [...report.notes, describeChecksum(r.checksum)] };
  r.verify = report;
  const bad = verifyFailed(report);
  if (bad) {
    // The upload on the server is complete: a retry starts from scratch.
    r.completedAt = undefined;
    r.verify = undefined;
    r.uploadId = undefined;
    r.parts = [];
    r.sha256 = undefined;
    live.sha = undefined;
    live.sent.clear();
    host.fire(live, 'fail', verificationFailed(bad));
    return;
  }
  host.fire(live, 'verified');
}
