import { describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { PostObject, postPolicy } from '../../src/lib/s3/ops/post-object';
import { signString } from '../../src/lib/s3/signer';
import { S3Error } from '../../src/lib/s3/errors';
import { S3Client } from '../../src/lib/s3/client';
import { resolveEndpoint } from '../../src/lib/s3/endpoint';
import { postObject } from '../../src/lib/s3/ops/index';

const scope = { accessKeyId: 'AKIDEXAMPLE', region: 'eu-west-2', now: Date.UTC(2026, 11, 4, 14, 30, 5) };

/** SigV4's key derivation and signature, written out with Node's HMAC (an independent implementation). */
function nodeSignature(secret: string, date: string, region: string, toSign: string): string {
  const h = (k: Buffer | string, m: string) => createHmac('sha256', k).update(m).digest();
  const key = h(h(h(h(`AWS4${secret}`, date), region), 's3'), 'aws4_request');
  return createHmac('sha256', key).update(toSign).digest('hex');
}

describe('form upload policy', () => {
  it('signs the base64 policy itself with the SigV4 key of the day', async () => {
    const form = postPolicy({ bucket: 'b', key: 'k', body: new Blob(['x']) }, scope);
    const secret = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
    const sig = await signString(form.policy, { region: scope.region, credentials: { accessKeyId: scope.accessKeyId, secretAccessKey: secret }, now: scope.now });
    expect(sig).toBe(nodeSignature(secret, '20261204', 'eu-west-2', form.policy));
    expect(sig).not.toBe(nodeSignature(`${secret}x`, '20261204', 'eu-west-2', form.policy));
  });

  it('names every field it sends, the bucket and the exact size, and expires', () => {
    const body = new Blob([new Uint8Array(577)]);
    const form = postPolicy({ bucket: 'my-bucket', key: 'dir/é "q".bin', body, contentType: 'image/png', metadata: { SHA256: 'ab', note: 'café' } }, { ...scope, sessionToken: 'tok' }, 600);
    const doc = JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(form.policy), (c) => c.charCodeAt(0)))) as { expiration: string; conditions: unknown[] };
    expect(doc.expiration).toBe(new Date(scope.now + 600_000).toISOString());
    expect(Object.fromEntries(form.fields)).toEqual({
      key: 'dir/é "q".bin',
      'Content-Type': 'image/png',
      'x-amz-meta-sha256': 'ab',
      'x-amz-meta-note': '=?UTF-8?B?Y2Fmw6k=?=',
      success_action_status: '201',
      'x-amz-algorithm': 'AWS4-HMAC-SHA256',
      'x-amz-credential': 'AKIDEXAMPLE/20261204/eu-west-2/s3/aws4_request',
      'x-amz-date': '20261204T143005Z',
      'x-amz-security-token': 'tok',
    });
    expect(doc.conditions).toEqual([{ bucket: 'my-bucket' }, ...form.fields.map(([n, v]) => ({ [n]: v })), ['content-length-range', 577, 577]]);
  });
});

describe('PostObject', () => {
  const input = { bucket: 'b', key: 'a/b c', body: new Blob(['hello']), form: { fields: [['key', 'a/b c'], ['x-amz-date', 'd']] as Array<[string, string]>, policy: 'cG9s', signature: 'sig' } };

  it('is a form POST to the bucket with no header of ours (a simple request), the file last', () => {
    const req = PostObject.build(input);
    expect(req).toMatchObject({ method: 'POST', bucket: 'b', unsigned: true });
    expect(req.key).toBeUndefined();
    expect(req.headers).toBeUndefined();
    const names = [...(req.body as FormData).keys()];
    expect(names).toEqual(['key', 'x-amz-date', 'policy', 'x-amz-signature', 'file']);
    expect((req.body as FormData).get('file')).toBeInstanceOf(Blob);
  });

  it('sends a file given as bytes as a form of bytes: every field exact (a line feed in a key stays one), the file last, a safelisted Content-Type', async () => {
    const file = new Uint8Array(70_000).map((_, i) => (i * 31) & 255);
    const key = 'run 1/line\nfeed "quoted" é.nc';
    const req = PostObject.build({ ...input, key, body: file, form: { ...input.form, fields: [['key', key], ['x-amz-date', 'd']] } });
    expect(req).toMatchObject({ method: 'POST', bucket: 'b', unsigned: true });
    expect(req.body).toBeInstanceOf(Uint8Array);
    const type = req.headers!['content-type']!;
    // CORS-safelisted: multipart/form-data essence, and no byte the Fetch standard calls unsafe in a header value.
    expect(type).toMatch(/^multipart\/form-data; boundary=[0-9A-Za-z]+$/);
    expect(type.length).toBeLessThanOrEqual(128);
    // Parsed back by a standard multipart parser (undici's, as a server would).
    const parsed = await new Response(req.body as Uint8Array<ArrayBuffer>, { headers: { 'content-type': type } }).formData();
    expect([...parsed.keys()]).toEqual(['key', 'x-amz-date', 'policy', 'x-amz-signature', 'file']);
    expect(parsed.get('key')).toBe(key);
    expect(parsed.get('policy')).toBe('cG9s');
    expect(parsed.get('x-amz-signature')).toBe('sig');
    const sent = new Uint8Array(await (parsed.get('file') as Blob).arrayBuffer());
    expect(Buffer.from(sent).equals(Buffer.from(file))).toBe(true);
    // A fresh boundary every time.
    expect(PostObject.build({ ...input, body: file }).headers!['content-type']).not.toBe(type);
  });

  it('reads the ETag from the 201 answer, and refuses an answer for another key', async () => {
    const xml = (key: string) => `<PostResponse><Location>x</Location><Bucket>b</Bucket><Key>${key}</Key><ETag>"5d41402abc4b2a76b9719d911017c592"</ETag></PostResponse>`;
    expect(await PostObject.parse(new Response(xml('a/b c'), { status: 201 }), input)).toEqual({ etag: '5d41402abc4b2a76b9719d911017c592' });
    await expect(PostObject.parse(new Response(xml('a/file'), { status: 201 }), input)).rejects.toBeInstanceOf(S3Error);
    expect(await PostObject.parse(new Response(null, { status: 204, headers: { etag: '"abc"' } }), input)).toEqual({ etag: 'abc' });
  });
});

describe('a form upload the store never answers', () => {
  it('gives up after the client\'s answer bound (the upload then goes by PUT) instead of waiting for ever', async () => {
    const seen: string[] = [];
    // Takes the form and never answers; only the request's own signal ends it.
    const hanging: typeof fetch = (_input, init) => {
      seen.push(init?.method ?? 'GET');
      return new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason)));
    };
    const { endpoint } = resolveEndpoint('http://store.test:7480');
    const client = new S3Client({ endpoint, credentials: { accessKeyId: 'AK', secretAccessKey: 'SK' }, fetch: hanging, timeoutMs: 50 });
    const sending = postObject(client, { bucket: 'b', key: 'k', body: new Blob(['x']) }, { maxAttempts: 1 });
    await expect(sending).rejects.toMatchObject({ code: 'ResponseTimeout' });
    expect(seen).toEqual(['POST']);
  });
});
