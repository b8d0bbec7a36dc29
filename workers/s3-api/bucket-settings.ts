/**
 * `bucketSettings.*`: a bucket's CORS rules and policy, written and
 * confirmed, and what this page can observe or diagnose of them.
 */
import { CLIENT, type S3Service } from '../../src/lib/s3/service';
import type { Diagnosis } from '../../src/lib/s3/diagnose';
import type { CorsRule } from '../../src/lib/s3/ops/cors-rules';
import { observeCors, type CorsObservation } from '../../src/lib/policy/cors-probe';
import { deletePolicyConfirmed, putPolicyConfirmed, type WriteOutcome } from '../../src/lib/policy/write';
import type { OpOptions } from './options';

type BucketOptions = { bucket: string } & OpOptions;

export function bucketSettingsApi(s3: S3Service) {
  return {
    /** The bucket policy as the store returns it (JSON text). */
    getPolicy({ bucket, opId }: BucketOptions): Promise<string> {
      return s3.send('GetBucketPolicy', { bucket }, opId);
    },

    /** Write a whole bucket policy, confirmed by reading back where the store's answer is unreadable. */
    putPolicy({ bucket, policy, opId }: BucketOptions & { policy: string }): Promise<WriteOutcome> {
      return s3.run(opId, (signal) => putPolicyConfirmed(s3[CLIENT](), bucket, policy, { signal }));
    },

    deletePolicy({ bucket, opId }: BucketOptions): Promise<WriteOutcome> {
      return s3.run(opId, (signal) => deletePolicyConfirmed(s3[CLIENT](), bucket, { signal }));
    },

    /** Replace a bucket's CORS rules (the XML and its MD5 are made in the worker). */
    putCors({ bucket, rules, opId }: BucketOptions & { rules: CorsRule[] }): Promise<void> {
      return s3.putBucketCors(bucket, rules, opId);
    },

    /** What this page can observe of the bucket's CORS set-up (see cors-probe.ts). */
    observeCors({ bucket, opId }: BucketOptions): Promise<CorsObservation> {
      return s3.run(opId, (signal) => observeCors(s3[CLIENT](), bucket, signal));
    },

    /** Why a bucket gives this page no readable answer: nothing answers, no such bucket, wrong keys or CORS (see diagnose.ts). */
    diagnose({ bucket, opId }: BucketOptions): Promise<Diagnosis> {
      return s3.diagnose(bucket, opId);
    },
  };
}
