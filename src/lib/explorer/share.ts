/**
 * Expiry of presigned share links. SigV4 presigned URLs live at most 7 days,
 * and a link can never outlive the key that signed it: JASMIN keys carry an
 * expiry date, which the user may give with the profile.
 */
export const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

export interface ExpiryDecision {
  seconds: number;
  /** Why it is shorter than asked, in plain words. */
  note?: string;
}

export function clampExpiry(requestedSeconds: number, keyExpiresAt: Date | null, now: Date = new Date()): ExpiryDecision {
  if (!Number.isFinite(requestedSeconds) || requestedSeconds < 1) throw new TypeError('Choose an expiry of at least one second.');
  let seconds = Math.floor(requestedSeconds);
  let note: string | undefined;
  if (seconds > MAX_PRESIGN_SECONDS) {
    seconds = MAX_PRESIGN_SECONDS;
    note = 'Presigned links cannot last longer than 7 days.';
  }
  if (keyExpiresAt) {
    const left = Math.floor((keyExpiresAt.getTime() - now.getTime()) / 1000);
    if (left <= 0) throw new TypeError('The access key has expired: make a new one in the Object Store Portal.');
    if (left < seconds) {
      seconds = left;
      note = `Shortened to end when the access key expires (${keyExpiresAt.toISOString().slice(0, 10)}).`;
    }
  }
  return { seconds, note };
}

/** Query that makes the browser save the presigned object under its own name. */
export function attachmentQuery(key: string): Record<string, string> {
  const name = key.split('/').filter(Boolean).pop() ?? 'download';
  // RFC 6266: an ASCII fallback plus the UTF-8 name.
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return { 'response-content-disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}` };
}
