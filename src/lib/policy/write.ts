/**
 * Write or delete a bucket policy and make sure it happened. Some stores
 * answer `PUT ?policy` and `DELETE ?policy` without CORS headers (Ceph RGW 16
 * does), so a browser sees "Failed to fetch" even when the store did the
 * work. `GET ?policy` does carry them: on a network error we read the policy
 * back and report success only if it is what we wrote.
 */
import type { S3Client, SendOptions } from '../s3/client';
import { S3Error } from '../s3/errors';
import * as ops from '../s3/ops/index';

export interface WriteOutcome {
  /** True when the store's own answer was unreadable and the result was confirmed by reading back. */
  confirmedByReadBack: boolean;
}

function canonical(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return text.trim();
  }
}

async function readBack(client: S3Client, bucket: string, options: SendOptions): Promise<string | null> {
  try {
    return await client.send(ops.GetBucketPolicy, { bucket }, options);
  } catch (e) {
    if (e instanceof S3Error && e.code === 'NoSuchBucketPolicy') return null;
    throw e;
  }
}

export async function putPolicyConfirmed(client: S3Client, bucket: string, policy: string, options: SendOptions = {}): Promise<WriteOutcome> {
  try {
    await client.send(ops.PutBucketPolicy, { bucket, policy }, options);
    return { confirmedByReadBack: false };
  } catch (e) {
    if (!(e instanceof S3Error && e.code === 'NetworkError')) throw e;
    const stored = await readBack(client, bucket, options).catch(() => undefined);
    if (stored != null && canonical(stored) === canonical(policy)) return { confirmedByReadBack: true };
    throw e;
  }
}

export async function deletePolicyConfirmed(client: S3Client, bucket: string, options: SendOptions = {}): Promise<WriteOutcome> {
  try {
    await client.send(ops.DeleteBucketPolicy, { bucket }, options);
    return { confirmedByReadBack: false };
  } catch (e) {
    if (!(e instanceof S3Error && e.code === 'NetworkError')) throw e;
    const stored = await readBack(client, bucket, options).catch(() => undefined);
    if (stored === null) return { confirmedByReadBack: true };
    throw e;
  }
}
