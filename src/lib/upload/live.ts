/**
 * One upload as the engine holds it while the page is open: the persisted
 * record plus what does not survive a reload (the file, the running
 * SHA-256, requests on the wire), and the snapshot the page is shown.
 */
import type { RunningSha256 } from './hashing';
import type { ChecksumSupport } from './checksum-probe';
import { bytesSent, SentBytes } from './progress';
import { bytesDone, type UploadRecord } from './record';

/** What the page sees of an upload: the record's own fields, plus progress. */
export interface UploadSnapshot extends Pick<UploadRecord, 'id' | 'endpoint' | 'bucket' | 'key' | 'name' | 'size' | 'status' | 'uploadId' | 'etag' | 'verify' | 'error' | 'createdAt' | 'finishedAt'> {
  /** Bytes the store holds. */
  bytesDone: number;
  /**
   * Bytes sent: those the store holds plus how far the requests on the wire
   * have gone (a retried part counted once, so this never goes back while
   * the upload goes on). What progress, speed and time left are shown from.
   */
  bytesSent: number;
  /** Bytes of the parts on the wire now. */
  bytesInFlight: number;
  /**
   * Uploading, but none of its requests on the wire: they wait their turn
   * behind other uploads' (the scheduler's limits, see s3/protocol.ts), so
   * nothing moves and nothing is wrong.
   */
  waiting: boolean;
  partsDone: number;
  partCount: number;
  multipart: boolean;
  attached: boolean;
  /** The whole file's SHA-256 (hex), once known. */
  sha256?: string;
  /** Whether `x-amz-checksum-*` headers go with this upload, and why (the store's probe). */
  checksum?: ChecksumSupport;
}

export interface Live {
  record: UploadRecord;
  file?: Blob;
  sha?: RunningSha256;
  inFlight: Map<number, number>;
  sent: SentBytes;
  controller?: AbortController;
  running?: Promise<void>;
  /** Reconciled with the store since the file was attached. */
  reconciled: boolean;
  /** Failures since the upload last went well or was resumed (see recovery.ts). */
  failures: number;
  timer?: ReturnType<typeof setTimeout>;
  saving: Promise<void>;
}

export function newLive(record: UploadRecord, file?: Blob): Live {
  return { record, file, inFlight: new Map(), sent: new SentBytes(), reconciled: false, failures: 0, saving: Promise.resolve() };
}

/** What the page is shown of an upload; `waiting`: its requests wait for their turn (`Scheduler.waiting`). */
export function snapshotOf(live: Live, waiting = false): UploadSnapshot {
  const r = live.record;
  let inFlight = 0;
  for (const b of live.inFlight.values()) inFlight += b;
  const done = r.status === 'done' ? r.size : r.plan.multipart ? bytesDone(r) : r.status === 'verifying' ? r.size : 0;
  return {
    id: r.id,
    endpoint: r.endpoint,
    bucket: r.bucket,
    key: r.key,
    name: r.name,
    size: r.size,
    status: r.status,
    bytesDone: done,
    bytesSent: bytesSent(r.size, done, live.sent.pending(r.parts)),
    bytesInFlight: inFlight,
    waiting: waiting && r.status === 'uploading',
    partsDone: r.plan.multipart ? r.parts.length : r.status === 'done' || r.status === 'verifying' ? 1 : 0,
    partCount: r.plan.partCount,
    multipart: r.plan.multipart,
    attached: live.file !== undefined,
    uploadId: r.uploadId,
    etag: r.etag,
    sha256: r.sha256?.hex,
    verify: r.verify,
    checksum: r.checksum,
    error: r.error,
    createdAt: r.createdAt,
    finishedAt: r.finishedAt,
  };
}

/** Forget the server upload and everything sent to it: the next run starts a new one. */
export function forgetServerUpload(live: Live): void {
  const r = live.record;
  r.uploadId = undefined;
  r.parts = [];
  r.completedAt = undefined;
  r.verify = undefined;
  live.sent.clear();
}
