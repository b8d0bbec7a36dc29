import { describe, expect, it } from 'vitest';
import { FINAL, apply, can, next, type UploadEvent, type UploadStatus } from '../../../src/lib/upload/status';

const ALL: UploadStatus[] = ['queued', 'uploading', 'completing', 'verifying', 'done', 'paused', 'waiting-network', 'needs-file', 'needs-credentials', 'failed', 'cancelling', 'cancelled'];
const EVENTS: UploadEvent[] = ['start', 'parts-sent', 'completed', 'verified', 'pause', 'resume', 'network-lost', 'network-back', 'credentials-refused', 'credentials-changed', 'file-lost', 'file-attached', 'fail', 'backoff', 'cancel', 'aborted', 'reloaded'];

describe('upload state machine', () => {
  it('walks the happy path of a multipart upload', () => {
    let s: UploadStatus = 'queued';
    for (const e of ['start', 'parts-sent', 'completed', 'verified'] as UploadEvent[]) s = next(s, e)!;
    expect(s).toBe('done');
  });

  it('never leaves a final status', () => {
    for (const s of FINAL) for (const e of EVENTS) expect(next(s, e)).toBeUndefined();
  });

  it('an error never cancels: only the user cancel leads to cancelled', () => {
    for (const s of ALL) {
      for (const e of EVENTS) {
        const to = next(s, e);
        if (to === 'cancelling' || to === 'cancelled') expect(e === 'cancel' || e === 'aborted').toBe(true);
      }
    }
    expect(next('cancelling', 'fail')).toBe('failed');
  });

  it('every unfinished status can be cancelled or resumed by the user', () => {
    for (const s of ALL) {
      if (FINAL.has(s) || s === 'cancelling') continue;
      expect(can(s, 'cancel'), s).toBe(true);
    }
    for (const s of ['paused', 'failed', 'needs-credentials'] as UploadStatus[]) expect(next(s, 'resume')).toBe('queued');
    expect(next('needs-file', 'file-attached')).toBe('queued');
    expect(next('needs-credentials', 'credentials-changed')).toBe('queued');
    expect(next('waiting-network', 'network-back')).toBe('uploading');
  });

  it('a reload leaves moving uploads needing their file, and paused or failed ones as they were', () => {
    for (const s of ['queued', 'uploading', 'completing', 'verifying', 'waiting-network', 'needs-file', 'needs-credentials', 'cancelling'] as UploadStatus[]) expect(next(s, 'reloaded'), s).toBe('needs-file');
    for (const s of ['paused', 'failed', 'done', 'cancelled'] as UploadStatus[]) expect(next(s, 'reloaded'), s).toBeUndefined();
  });

  it('apply() moves a record only by an event that applies', () => {
    const r = { status: 'uploading' as UploadStatus };
    expect(apply(r, 'pause')).toBe('paused');
    expect(r.status).toBe('paused');
    expect(apply(r, 'verified')).toBeUndefined();
    expect(r.status).toBe('paused');
  });

  it('ignores events that do not apply', () => {
    expect(next('done', 'pause')).toBeUndefined();
    expect(next('paused', 'verified')).toBeUndefined();
  });
});
