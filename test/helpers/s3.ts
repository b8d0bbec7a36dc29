/**
 * Test-side access to the real RGW through Tessera's own core (in Node), for
 * set-up and checks. Bucket names are unique per run so test files can run
 * in parallel and leftovers never collide.
 */
import { S3Client } from '../../src/lib/s3/client';
import { resolveEndpoint } from '../../src/lib/s3/endpoint';
import { S3Service } from '../../src/lib/s3/service';
import { listPages } from '../../src/lib/s3/ops/list-objects';
import { deleteMany } from '../../src/lib/s3/ops/delete-objects';
import { CreateBucket, DeleteBucket, AbortMultipartUpload, listAllMultipartUploads } from '../../src/lib/s3/ops/index';
import type { CorsRule } from '../../src/lib/s3/ops/cors-rules';
import { loadRgwEnv } from './rgw-env';

export function rgwClient(which: 'main' | 'other' | 'anonymous' = 'main', overrides: { secretAccessKey?: string; accessKeyId?: string } = {}): S3Client {
  const env = loadRgwEnv();
  const { endpoint } = resolveEndpoint(env.endpoint, { region: env.region });
  if (which === 'anonymous') return new S3Client({ endpoint, credentials: null });
  const creds =
    which === 'main'
      ? { accessKeyId: env.accessKeyId, secretAccessKey: env.secretAccessKey }
      : { accessKeyId: env.otherAccessKeyId, secretAccessKey: env.otherSecretAccessKey };
  return new S3Client({ endpoint, credentials: { ...creds, ...overrides } });
}

export function rgwService(): S3Service {
  const env = loadRgwEnv();
  const s = new S3Service();
  s.connect({ endpoint: env.endpoint, region: env.region, accessKeyId: env.accessKeyId, secretAccessKey: env.secretAccessKey });
  return s;
}

let counter = 0;
/** A bucket name unique to this run: `tt-<area>-<time>-<n>`. */
export function uniqueBucket(area: string): string {
  return `tt-${area}-${Date.now().toString(36)}-${(counter++).toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`.toLowerCase();
}

/** The CORS rule Tessera recommends, for the given origins. */
export function appCorsRule(origins: string[]): CorsRule {
  return {
    allowedOrigins: origins,
    allowedMethods: ['GET', 'HEAD', 'PUT', 'POST', 'DELETE'],
    allowedHeaders: ['*'],
    exposeHeaders: ['ETag', 'Content-Length', 'Content-Range', 'Content-Type', 'Last-Modified', 'Date', 'x-amz-request-id', 'x-amz-version-id', 'x-amz-meta-sha256'],
    maxAgeSeconds: 3600,
  };
}

export async function createBucket(bucket: string, options: { corsOrigins?: string[] } = {}): Promise<void> {
  const client = rgwClient();
  await client.send(CreateBucket, { bucket });
  if (options.corsOrigins) {
    const s = rgwService();
    await s.putBucketCors(bucket, [appCorsRule(options.corsOrigins)]);
  }
}

/** Empty and delete a bucket, aborting incomplete uploads first. */
export async function destroyBucket(bucket: string): Promise<void> {
  const client = rgwClient();
  try {
    for (const u of await listAllMultipartUploads(client, { bucket })) {
      await client.send(AbortMultipartUpload, { bucket, key: u.key, uploadId: u.uploadId }).catch(() => undefined);
    }
    for (;;) {
      const keys: string[] = [];
      for await (const page of listPages(client, { bucket })) keys.push(...page.objects.map((o) => o.key));
      if (!keys.length) break;
      await deleteMany(client, bucket, keys, { concurrency: 32 });
    }
    await client.send(DeleteBucket, { bucket });
  } catch (e) {
    if ((e as { code?: string }).code !== 'NoSuchBucket') throw e;
  }
}
