/**
 * One run of one upload: from wherever its record stands (new, reconciled
 * after a reload, parts missing, completed but not verified) to done, or to
 * the failure that stopped it, which `recover` turns into the next step
 * (decided by the pure `decide` in recovery.ts).
 */
import type { S3Client } from '../s3/client';
import { S3Error } from '../s3/errors';
import { diagnoseBucket } from '../s3/diagnose';
import { errorInfo, FileChangedError } from './classify';
import type { ChecksumProbes } from './checksum-probe';
import { alreadyComplete, completeUpload, verifyUpload, type CompletionHost } from './completion';
import { RunningSha256 } from './hashing';
import { forgetServerUpload, type Live } from './live';
import { createUpload, digestsOf, fillEtags, hashingAhead, isUploadGone, putSingle, reconcile, sendMissingParts, shaCatchUp, type UploadContext } from './multipart';
import { decide, failureOf, type RecoveryOptions } from './recovery';
import type { UploadEvent } from './status';

/** What a run needs of the engine around it. */
export interface DriveHost extends CompletionHost {
  client(): S3Client;
  checksumProbes(): ChecksumProbes;
  recovery(): RecoveryOptions;
  context(live: Live, signal: AbortSignal): UploadContext;
  /** Run the upload again after `ms`, first firing `via` (with the error) when given. */
  retryLater(live: Live, ms: number, via?: UploadEvent, e?: unknown): void;
}

/** Run an upload until it is done or stopped; never throws (a failure becomes a status). */
export async function drive(host: DriveHost, live: Live, signal: AbortSignal): Promise<void> {
  const r = live.record;
  if (r.status === 'queued') host.fire(live, 'start');
  else if (r.status === 'waiting-network') host.fire(live, 'network-back');
  try {
    const here = host.client().endpoint.url;
    if (r.endpoint && r.endpoint !== here) {
      throw new S3Error({ operation: 'Upload', status: 0, code: 'OtherEndpoint', retryable: false, message: `This upload goes to ${r.endpoint}: connect to that store to continue it.` });
    }
    if (r.integrity.sha256 && !live.sha) live.sha = await RunningSha256.create(r.sha256);
    // Decided before anything is sent and then fixed: a multipart upload
    // created with a checksum algorithm must send it with every part.
    if (r.integrity.checksum && !r.checksum && !r.uploadId && !r.completedAt) {
      r.checksum = await host.checksumProbes().get(host.client(), r.bucket);
      if (signal.aborted) throw signal.reason;
    }
    const ctx = host.context(live, signal);
    let singleMd5: string | undefined = r.plan.multipart ? undefined : r.parts[0]?.md5;
    if (!r.completedAt && !r.plan.multipart) {
      singleMd5 = await putSingle(ctx);
      r.parts = [{ n: 1, size: r.size, etag: r.etag, md5: singleMd5 }];
      r.completedAt = host.now();
      host.fire(live, 'completed');
    } else if (!r.completedAt) {
      await sendMultipart(host, live, ctx);
    }
    if (r.status !== 'verifying') host.fire(live, 'completed');
    await verifyUpload(host, live, ctx, singleMd5);
    live.failures = 0;
  } catch (e) {
    await recover(host, live, e, signal);
  }
}

/** Create or reconcile the server upload, send what it lacks, complete it. */
async function sendMultipart(host: DriveHost, live: Live, ctx: UploadContext): Promise<void> {
  const r = live.record;
  if (!r.uploadId) {
    // The first parts are hashed while Create makes its round trips (a new upload sends every part).
    digestsOf(ctx).ahead(Array.from({ length: Math.min(hashingAhead(ctx), r.plan.partCount) }, (_, i) => i + 1));
    await createUpload(ctx);
    live.reconciled = true;
  } else if (!live.reconciled) {
    try {
      await reconcile(ctx);
    } catch (e) {
      // The upload is gone: maybe because our Complete went through and its answer was lost.
      if (!isUploadGone(e) || !(await alreadyComplete(host, live, ctx))) throw e;
    }
    live.reconciled = true;
  }
  if (r.completedAt) return;
  await sendMissingParts(ctx);
  await shaCatchUp(ctx, r.plan.partCount);
  await fillEtags(ctx);
  if (r.parts.length !== r.plan.partCount || r.parts.some((p) => !p.etag)) {
    // ListParts showed a part the store does not hold as we sent it: send again.
    await sendMissingParts(ctx);
    await fillEtags(ctx);
  }
  host.fire(live, 'parts-sent');
  await completeUpload(host, live, ctx);
  r.completedAt = host.now();
  host.fire(live, 'completed');
}

/** Carry out what `decide` says after a failure. */
export async function recover(host: DriveHost, live: Live, e: unknown, signal: AbortSignal): Promise<void> {
  const r = live.record;
  const kind = failureOf(e);
  // Parts cut off on the wire may still have been stored: ask the store
  // (ListParts) before sending anything again, so no part is sent twice.
  live.reconciled = false;
  // Rebuilt from the saved state on the next run.
  live.sha = undefined;
  if (signal.aborted && (kind === 'aborted' || r.status === 'paused' || r.status === 'cancelling')) {
    // Paused or cancelled by the user: the status is already set.
    await host.save(live);
    return;
  }
  const d = decide(kind, { failures: live.failures, waitingNetwork: r.status === 'waiting-network' }, host.recovery());
  live.failures = d.failures;
  if (d.restart) forgetServerUpload(live);
  if (d.diagnose) {
    const found = await diagnoseBucket(host.client(), r.bucket).catch(() => undefined);
    if (found?.kind === 'bad-credentials') {
      host.fire(live, 'credentials-refused', new S3Error({ operation: 'Upload', status: 403, code: 'InvalidCredentials', message: found.detail, bucket: r.bucket, key: r.key }));
      return;
    }
  }
  let error = e;
  if (d.dropFile) {
    live.file = undefined;
    error = e instanceof FileChangedError ? e : new FileChangedError(r.name, { cause: e });
  }
  if (d.delayMs === undefined) {
    if (d.event) host.fire(live, d.event, error);
    return;
  }
  if (d.event === 'backoff') {
    // Transient: record why, stay resumable, come back by itself.
    host.retryLater(live, d.delayMs, d.event, error);
    return;
  }
  if (d.event) host.fire(live, d.event, error);
  else if (r.status === 'waiting-network') {
    // Still waiting: say why the last try failed.
    r.error = errorInfo(error);
    await host.save(live);
  }
  host.retryLater(live, d.delayMs);
}
