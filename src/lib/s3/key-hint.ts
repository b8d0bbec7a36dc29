/**
 * An access key id with its middle hidden, for display: enough to tell two
 * keys apart, too little to be the key. Short ids are hidden whole.
 *
 * @example keyHint('AKIAEXAMPLEKEY12345') // 'AKIA…345'
 */
export function keyHint(accessKeyId: string): string {
  return accessKeyId.length <= 8 ? '…' : `${accessKeyId.slice(0, 4)}…${accessKeyId.slice(-3)}`;
}
