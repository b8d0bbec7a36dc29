/**
 * Bucket names are checked in the core before any URL is built: the rules
 * (AWS's for virtual-host addressing and new buckets, the looser legacy ones
 * for path-style), and a hostile name from a route or a form never making a
 * request to another host.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { bucketNameProblem, isDnsCompatibleBucketName, requestUrl, resolveEndpoint, type AddressingStyle } from '../../src/lib/s3/endpoint';
import { S3Client } from '../../src/lib/s3/client';
import { S3Error } from '../../src/lib/s3/errors';
import { S3Service } from '../../src/lib/s3/service';
import * as ops from '../../src/lib/s3/ops/index';
import { diagnoseBucket } from '../../src/lib/s3/diagnose';

const LIST = '<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>b</Name><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated></ListBucketResult>';

/** A `fetch` that records every URL asked for and answers an empty listing. */
function recordingFetch(): { fetch: typeof fetch; urls: string[] } {
  const urls: string[] = [];
  const f = (async (input: RequestInfo | URL) => {
    urls.push(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    return new Response(LIST, { status: 200, headers: { 'content-type': 'application/xml' } });
  }) as typeof fetch;
  return { fetch: f, urls };
}

describe('bucket name rules', () => {
  it.each([
    ['my-data', 'path'],
    ['my-data', 'virtual'],
    ['my-data', 'create'],
    ['abc', 'create'],
    ['cmip6.data.2024', 'virtual'],
    ['a'.repeat(63), 'create'],
    // Legacy names some stores still hold: addressed path-style only.
    ['My_Data', 'path'],
    ['x', 'path'],
    ['a..b', 'path'],
    ['-odd-', 'path'],
    ['a'.repeat(255), 'path'],
    ['192.168.5.4', 'path'],
  ] as const)('%j is fine for %s', (name, use) => {
    expect(bucketNameProblem(name, use)).toBeUndefined();
  });

  it.each([
    ['', 'path', /cannot be empty/],
    ['a/b', 'path', /slash/],
    ['localhost:9000/', 'path', /colon/],
    ['b?x=1', 'path', /question mark/],
    ['b#frag', 'path', /hash/],
    ['b%2F', 'path', /percent/],
    ['a\\b', 'path', /backslash/],
    ['my bucket', 'path', /whitespace/],
    ['tab\there', 'path', /control characters/],
    ['nul\u0000', 'path', /control characters/],
    ['nbsp\u00a0x', 'path', /control characters|whitespace/],
    ['.', 'path', /only of dots/],
    ['..', 'path', /only of dots/],
    ['...', 'virtual', /only of dots/],
    ['a'.repeat(256), 'path', /at most 255 characters/],
    ['bücket', 'path', /only letters, digits, dots, hyphens and underscores, not "ü"/],
    ['a@b', 'path', /not "@"/],
    // Virtual-host addressing puts the name into the host name.
    ['My_Data', 'virtual', /Upper-case.*virtual-host/],
    ['my_data', 'virtual', /Underscores.*virtual-host/],
    ['ab', 'virtual', /3 to 63 characters/],
    ['a'.repeat(64), 'virtual', /3 to 63 characters/],
    ['-data', 'virtual', /start and end with a letter or a digit/],
    ['data.', 'virtual', /start and end/],
    ['a..b', 'virtual', /two dots in a row/],
    ['a-.b', 'virtual', /hyphen cannot stand next to a dot/],
    ['192.168.5.4', 'virtual', /IP address/],
    ['a+b', 'virtual', /not "\+"/],
    // New buckets: AWS's rules, reserved prefixes and suffixes included.
    ['Upper', 'create', /Upper-case/],
    ['xn--data', 'create', /starting with "xn--" are reserved/],
    ['data-s3alias', 'create', /ending with "-s3alias" are reserved/],
  ] as const)('%j breaks a rule for %s', (name, use, rule) => {
    const problem = bucketNameProblem(name, use);
    expect(problem).toMatch(rule);
  });

  it('says the same as the DNS-compatibility test', () => {
    expect(isDnsCompatibleBucketName('my.data')).toBe(true);
    expect(isDnsCompatibleBucketName('My.data')).toBe(false);
  });
});

describe('a hostile bucket name never reaches the network', () => {
  // From `#/b/<name>/`: the router decodes %2F, so `localhost:9000%2F` arrives as `localhost:9000/`.
  const HOSTILE = ['localhost:9000/', 'evil.example:443/x', 'evil.example?', 'evil.example#', 'evil.example\\', 'a@evil.example', 'a/../../other', '..', '', ' x', 'x\r\nHost: evil'];

  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it.each(['path', 'virtual'] as AddressingStyle[])('the URL builder refuses them before any URL exists (%s style)', (style) => {
    const endpoint = resolveEndpoint('https://store.example', { style }).endpoint;
    for (const name of HOSTILE) {
      let thrown: unknown;
      try {
        requestUrl(endpoint, name, 'k');
      } catch (e) {
        thrown = e;
      }
      expect(thrown, name).toBeInstanceOf(S3Error);
      expect((thrown as S3Error).code).toBe('InvalidBucketName');
      expect((thrown as S3Error).retryable).toBe(false);
      expect((thrown as S3Error).status).toBe(0);
    }
  });

  it('virtual-host addressing needs a DNS-compatible name; path-style takes a legacy one', () => {
    const vhost = resolveEndpoint('https://store.example', { style: 'virtual' }).endpoint;
    expect(() => requestUrl(vhost, 'Legacy_Name')).toThrow(/Upper-case/);
    const path = resolveEndpoint('https://store.example').endpoint;
    expect(requestUrl(path, 'Legacy_Name')).toBe('https://store.example/Legacy_Name/');
  });

  it.each(['path', 'virtual'] as AddressingStyle[])('signed requests, presigned URLs and diagnoses make no request elsewhere (%s style)', async (style) => {
    const { fetch, urls } = recordingFetch();
    const endpoint = resolveEndpoint('https://store.example', { style }).endpoint;
    const client = new S3Client({ endpoint, credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' }, fetch });
    // The recorder works: a good name is asked for on the store's host.
    await client.send(ops.ListObjectsV2, { bucket: 'good-bucket' });
    expect(urls.map((u) => new URL(u).hostname)).toEqual([style === 'virtual' ? 'good-bucket.store.example' : 'store.example']);
    urls.length = 0;

    for (const bucket of HOSTILE) {
      const e = await client.send(ops.ListObjectsV2, { bucket }).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e, bucket).toBeInstanceOf(S3Error);
      expect((e as S3Error).code).toBe('InvalidBucketName');
      expect((e as S3Error).operation).toBe('ListObjectsV2');
      expect((e as S3Error).retryable).toBe(false);
      await expect(client.send(ops.PutObject, { bucket, key: 'k', body: 'x' })).rejects.toMatchObject({ code: 'InvalidBucketName' });
      await expect(client.presign({ method: 'GET', bucket, key: 'k' }, 60)).rejects.toMatchObject({ code: 'InvalidBucketName' });
      const d = await diagnoseBucket(client, bucket, { fetch });
      expect(d.kind).toBe('invalid-name');
    }
    expect(urls).toEqual([]);
  });

  it('through the worker façade too (the fetch every request uses)', async () => {
    const { fetch, urls } = recordingFetch();
    vi.stubGlobal('fetch', fetch);
    const service = new S3Service();
    service.connect({ endpoint: 'https://store.example', style: 'virtual', accessKeyId: 'AKID', secretAccessKey: 'secret' });
    for (const bucket of HOSTILE) {
      await expect(service.send('HeadBucket', { bucket })).rejects.toMatchObject({ code: 'InvalidBucketName', retryable: false });
      await expect(service.list({ bucket }, () => undefined)).rejects.toMatchObject({ code: 'InvalidBucketName' });
      await expect(service.getBytes({ bucket, key: 'k' })).rejects.toMatchObject({ code: 'InvalidBucketName' });
      await expect(service.presign('GET', bucket, 'k', 60)).rejects.toMatchObject({ code: 'InvalidBucketName' });
      expect((await service.diagnose(bucket)).kind).toBe('invalid-name');
    }
    expect(urls).toEqual([]);
  });
});
