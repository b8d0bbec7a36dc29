/**
 * The upload state machine, pure and explicit: every status and every event
 * that may move an upload between them. The engine asks `next()`; an event
 * that does not apply (pause on a finished upload) gives `undefined`.
 */

export type UploadStatus =
  | 'queued' // waiting for its turn
  | 'uploading' // parts (or the single PUT) on the wire
  | 'completing' // CompleteMultipartUpload
  | 'verifying' // size, ETag and SHA-256 checked against the store
  | 'done'
  | 'paused' // by the user; nothing is lost
  | 'waiting-network' // offline or the store unreachable; continues by itself
  | 'needs-file' // after a reload: the file must be re-attached
  | 'needs-credentials' // keys refused or expired; continues after new keys
  | 'failed' // stopped with a reason; resumable (the server upload is kept)
  | 'cancelling' // aborting the multipart upload on the server
  | 'cancelled';

export type UploadEvent =
  | 'start'
  | 'parts-sent'
  | 'completed'
  | 'verified'
  | 'pause'
  | 'resume'
  | 'network-lost'
  | 'network-back'
  | 'credentials-refused'
  | 'credentials-changed'
  | 'file-lost'
  | 'file-attached'
  | 'fail'
  | 'backoff'
  | 'cancel'
  | 'aborted'
  // A record loaded by a new page: nothing is attached, and nothing is on the wire any more.
  | 'reloaded';

/** Statuses in which the engine is doing work for the upload. */
export const ACTIVE: ReadonlySet<UploadStatus> = new Set(['uploading', 'completing', 'verifying', 'waiting-network', 'cancelling']);
/** Statuses an upload never leaves. */
export const FINAL: ReadonlySet<UploadStatus> = new Set(['done', 'cancelled']);

const stoppable = { pause: 'paused', cancel: 'cancelling', fail: 'failed', 'credentials-refused': 'needs-credentials', 'file-lost': 'needs-file' } as const;

/**
 * After a reload every upload that was moving (or waiting for new keys) has
 * lost its file; paused and failed ones stay as the user left them.
 */
const reloaded = { reloaded: 'needs-file' } as const;

const TABLE: Record<UploadStatus, Partial<Record<UploadEvent, UploadStatus>>> = {
  queued: { ...reloaded, start: 'uploading', pause: 'paused', cancel: 'cancelling', 'file-lost': 'needs-file', fail: 'failed' },
  uploading: { ...reloaded, ...stoppable, 'parts-sent': 'completing', 'network-lost': 'waiting-network', completed: 'verifying', backoff: 'queued' },
  // Requests already on the wire when the network went can still finish.
  'waiting-network': { ...reloaded, ...stoppable, 'network-back': 'uploading', backoff: 'queued', 'parts-sent': 'completing', completed: 'verifying', verified: 'done' },
  completing: { ...reloaded, ...stoppable, completed: 'verifying', 'network-lost': 'waiting-network', backoff: 'queued' },
  verifying: { ...reloaded, verified: 'done', fail: 'failed', 'network-lost': 'waiting-network', 'credentials-refused': 'needs-credentials', backoff: 'queued', pause: 'paused', cancel: 'cancelling' },
  paused: { resume: 'queued', cancel: 'cancelling', 'file-lost': 'needs-file' },
  'needs-file': { ...reloaded, 'file-attached': 'queued', cancel: 'cancelling' },
  'needs-credentials': { ...reloaded, 'credentials-changed': 'queued', resume: 'queued', pause: 'paused', cancel: 'cancelling', 'file-lost': 'needs-file' },
  failed: { resume: 'queued', cancel: 'cancelling', 'file-lost': 'needs-file' },
  cancelling: { ...reloaded, aborted: 'cancelled', fail: 'failed', 'credentials-refused': 'needs-credentials' },
  done: {},
  cancelled: {},
};

/** The status after `event`, or undefined when the event does not apply. */
export function next(status: UploadStatus, event: UploadEvent): UploadStatus | undefined {
  return TABLE[status][event];
}

export function can(status: UploadStatus, event: UploadEvent): boolean {
  return next(status, event) !== undefined;
}

/**
 * Move a record by an event: the one place an upload's status is written.
 * Returns the new status, or undefined (and leaves the record) when the event
 * does not apply.
 */
export function apply(record: { status: UploadStatus }, event: UploadEvent): UploadStatus | undefined {
  const to = next(record.status, event);
  if (to) record.status = to;
  return to;
}
