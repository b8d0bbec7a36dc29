/**
 * What an upload does after a failure, decided without I/O: given the class
 * of the failure and how many the upload has had, the event it goes through
 * and how long until it runs again by itself.
 *
 * One retry budget per request, and it is the S3 client's (`RetryPolicy`:
 * re-signed, jittered attempts that honour `Retry-After` and correct clock
 * skew). Every failure that reaches the engine is a request whose budget is
 * spent, so the engine never sends it again because it failed: a part refused
 * with 5xx, 429/SlowDown or RequestTimeout is tried exactly
 * `RetryPolicy.maxAttempts` times, then the upload stops, resumable, with the
 * store's reason. The engine runs an upload again by itself only when
 * something changed: the store can be reached again (network), or the server
 * upload is gone and a new one is started with the file at hand.
 */
import { S3Error } from '../s3/errors';
import { classify } from './classify';
import type { UploadEvent } from './status';

export type FailureKind =
  /** Paused or cancelled by the user: not a failure. */
  | 'aborted'
  /** No answer at all (offline, store unreachable, or a CORS refusal). */
  | 'network'
  /** 500/502/503/504 (InternalError, ServiceUnavailable...). */
  | 'server'
  /** 429, SlowDown, Throttling. */
  | 'slow-down'
  | 'request-timeout'
  /** RequestTimeTooSkewed or RequestExpired, after the client corrected its clock once. */
  | 'clock-skew'
  /** Keys refused or expired, or another endpoint's upload. */
  | 'credentials'
  /** A 4xx that no retry changes. */
  | 'fatal'
  /** A part below the store's minimum: the plan does not suit this store. */
  | 'entity-too-small'
  /** NoSuchUpload: aborted by someone else, or expired. */
  | 'upload-gone'
  /** The store found other bytes than we hashed, or the stored object did not verify. */
  | 'checksum'
  /** The file changed on disk or can no longer be read. */
  | 'file';

const SLOW_DOWN = new Set(['SlowDown', 'Throttling', 'ThrottlingException', 'TooManyRequests']);
const SKEW = new Set(['RequestTimeTooSkewed', 'RequestExpired']);
const CHECKSUM = new Set(['BadDigest', 'InvalidDigest', 'XAmzContentChecksumMismatch', 'XAmzContentSHA256Mismatch', 'VerificationFailed']);

/** The class of a failure, from the error the client (or a step of the upload) threw. */
export function failureOf(e: unknown): FailureKind {
  const kind = classify(e);
  if (kind === 'aborted' || kind === 'network' || kind === 'credentials' || kind === 'upload-gone' || kind === 'file') return kind;
  const code = e instanceof S3Error ? e.code : e instanceof Error ? e.name : '';
  const status = e instanceof S3Error ? e.status : 0;
  if (CHECKSUM.has(code)) return 'checksum';
  if (code === 'EntityTooSmall') return 'entity-too-small';
  if (SKEW.has(code)) return 'clock-skew';
  if (code === 'RequestTimeout') return 'request-timeout';
  if (SLOW_DOWN.has(code) || status === 429) return 'slow-down';
  if (status >= 500 || kind === 'retry') return 'server';
  return 'fatal';
}

export interface RecoveryOptions {
  /** New server uploads started, at most, when the old one keeps disappearing. */
  maxRetries: number;
  /** Longest wait between attempts while the network is down, ms. */
  maxNetworkWaitMs: number;
}

export interface RecoveryState {
  /** Failures the upload had since it last went well (or the user resumed it), this one not counted. */
  failures: number;
  /** The upload is waiting for the network already. */
  waitingNetwork: boolean;
}

export interface Recovery {
  /** The event to fire; undefined when the status stays (the error is recorded all the same). */
  event: UploadEvent | undefined;
  /** Run the upload again by itself after this many ms; undefined: only when the user (or new keys, a file, the network) says so. */
  delayMs?: number;
  /** The failures counted from now on. */
  failures: number;
  /** The server upload is gone: forget its id and parts, and start a new one. */
  restart?: boolean;
  /** The file can no longer be read as it was: drop it, so the user re-attaches it. */
  dropFile?: boolean;
  /**
   * Ask the store, in ways that need no CORS preflight, whether the keys are
   * refused before waiting any longer: in a browser, refused keys look like a
   * network failure (Ceph RGW sends no CORS headers with 403 SignatureDoesNotMatch).
   */
  diagnose?: boolean;
}

/** Network failures after which the keys are suspected (see `Recovery.diagnose`). */
export const DIAGNOSE_AFTER = 3;

/** Wait before the next try while the network is down: 1 s, 2 s, 4 s... up to `maxNetworkWaitMs`. */
export function networkWait(failures: number, maxNetworkWaitMs: number): number {
  return Math.min(maxNetworkWaitMs, 500 * 2 ** Math.min(failures, 10));
}

/**
 * What the upload does next after a failure of `kind`. Pure: the engine
 * carries it out (fires the event, resets what `restart`/`dropFile` say,
 * arms the timer).
 */
export function decide(kind: FailureKind, state: RecoveryState, options: RecoveryOptions): Recovery {
  const { failures } = state;
  switch (kind) {
    case 'aborted':
      // The user paused or cancelled: the status is set already.
      return { event: undefined, failures };
    case 'network': {
      const n = failures + 1;
      return { event: state.waitingNetwork ? undefined : 'network-lost', delayMs: networkWait(n, options.maxNetworkWaitMs), failures: n, diagnose: n === DIAGNOSE_AFTER };
    }
    case 'upload-gone': {
      // Whatever comes next, the old server upload holds nothing to continue.
      const n = failures + 1;
      if (n > options.maxRetries) return { event: 'fail', failures: n, restart: true };
      return { event: 'backoff', delayMs: 0, failures: n, restart: true };
    }
    case 'credentials':
      return { event: 'credentials-refused', failures };
    case 'file':
      return { event: 'fail', failures, dropFile: true };
    case 'server':
    case 'slow-down':
    case 'request-timeout':
    case 'clock-skew':
      // The client spent this request's budget already (see the top of this file).
      return { event: 'fail', failures: failures + 1 };
    case 'entity-too-small':
    case 'checksum':
    case 'fatal':
      return { event: 'fail', failures };
  }
}
