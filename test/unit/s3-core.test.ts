/**
 * Pure parts of the S3 core: endpoints, key encoding, errors, back-off,
 * metadata encoding, XML escaping, and structured errors across comlink.
 */
import { describe, expect, it } from 'vitest';
import * as Comlink from 'comlink';
import { MessageChannel } from 'node:worker_threads';
import { encodeKey, requestUrl, resolveEndpoint, jasminEndpoint } from '../../src/lib/s3/endpoint';
import { S3Error, redact, isRetryable } from '../../src/lib/s3/errors';
import { backoffDelay, DEFAULT_RETRY } from '../../src/lib/s3/retry';
import { decodeMetaValue, encodeMetaValue, metadataHeaders, userMetadata, unquoteEtag } from '../../src/lib/s3/request';
import { escapeXml, parseXml, text } from '../../src/lib/s3/xml';
import { installErrorTransfer } from '../../src/rpc/errors';
import { S3Service } from '../../src/lib/s3/service';
import { installCallbackTransfer } from '../../src/rpc/callbacks';
import { createS3Api, type S3Api } from '../../workers/s3-api/index';
import { presignUrl } from '../../src/lib/s3/signer';
import { PRESIGNED_SEND_SECONDS, S3Client } from '../../src/lib/s3/client';
import { GetObject } from '../../src/lib/s3/ops/index';
import { rememberBucket, rememberedBuckets, forgetBucket } from '../../src/lib/remembered';

describe('endpoints', () => {
  it('turns a JASMIN tenancy name into its external HTTPS endpoint', () => {
    const r = resolveEndpoint('my-tenancy');
    expect(r.endpoint).toEqual({ url: 'https://my-tenancy-o.s3-ext.jc.rl.ac.uk', region: 'us-east-1', style: 'path' });
    expect(r.notes[0]).toMatch(/tenancy/);
    expect(resolveEndpoint('My-Tenancy-o').endpoint.url).toBe(jasminEndpoint('my-tenancy'));
  });

  it('rewrites the internal JASMIN endpoint to the -ext HTTPS one, saying why', () => {
    const r = resolveEndpoint('http://cmip6-o.s3.jc.rl.ac.uk');
    expect(r.endpoint.url).toBe('https://cmip6-o.s3-ext.jc.rl.ac.uk');
    expect(r.notes.join(' ')).toMatch(/internal/);
  });

  it('keeps full URLs (with a base path), region and style; refuses credentials and queries in URLs', () => {
    expect(resolveEndpoint('http://127.0.0.1:7480/').endpoint.url).toBe('http://127.0.0.1:7480');
    expect(resolveEndpoint('https://s3.example.org/prefix/', { region: 'eu-west-2', style: 'virtual' }).endpoint).toEqual({
      url: 'https://s3.example.org/prefix',
      region: 'eu-west-2',
      style: 'virtual',
    });
    expect(resolveEndpoint('s3.example.org').endpoint.url).toBe('https://s3.example.org');
    expect(() => resolveEndpoint('https://key:secret@s3.example.org')).toThrow(/credentials/);
    expect(() => resolveEndpoint('https://s3.example.org/?x=1')).toThrow(/query/);
    expect(() => resolveEndpoint('ftp://s3.example.org')).toThrow(/http/);
    expect(() => resolveEndpoint('  ')).toThrow(/Enter/);
  });

  it('builds path-style and virtual-host URLs', () => {
    const path = resolveEndpoint('https://h.example').endpoint;
    expect(requestUrl(path)).toBe('https://h.example/');
    expect(requestUrl(path, 'b')).toBe('https://h.example/b/');
    expect(requestUrl(path, 'my.dotted.bucket', 'a b/c', { uploads: '', 'list-type': '2' })).toBe('https://h.example/my.dotted.bucket/a%20b/c?uploads&list-type=2');
    const vhost = resolveEndpoint('https://h.example', { style: 'virtual' }).endpoint;
    expect(requestUrl(vhost, 'bkt', 'k')).toBe('https://bkt.h.example/k');
    // Dotted bucket names break TLS wildcards: those stay path-style.
    expect(requestUrl(vhost, 'b.c', 'k')).toBe('https://h.example/b.c/k');
  });
});

describe('key encoding', () => {
  it.each([
    ['a b', 'a%20b'],
    ['a+b', 'a%2Bb'],
    ['100%', '100%25'],
    ["it's (x)*!", 'it%27s%20%28x%29%2A%21'],
    ['~-._', '~-._'],
    ['x//y', 'x//y'],
    ['q?#', 'q%3F%23'],
    ['é', '%C3%A9'],
    ['a/../b', 'a%2F..%2Fb'],
    ['../x', '..%2Fx'],
    ['x/.', 'x%2F.'],
    ['./', '.%2F'],
  ])('%j -> %s', (key, encoded) => {
    expect(encodeKey(key)).toBe(encoded);
  });

  it('never lets the URL parser drop or move a segment', () => {
    const endpoint = resolveEndpoint('https://h.example').endpoint;
    for (const key of ['../../other-bucket/x', 'a/./b', 'a/..', '%2e%2e/x', 'x/%2E']) {
      const url = new URL(requestUrl(endpoint, 'b', key));
      expect(decodeURIComponent(url.pathname)).toBe(`/b/${key}`);
    }
  });

  it('refuses the keys "." and ".." which no URL can carry', () => {
    expect(() => encodeKey('.')).toThrow(/cannot be used from a web browser/);
    expect(() => encodeKey('..')).toThrow(/cannot be used/);
  });
});

describe('structured errors', () => {
  it('classify retryable failures', () => {
    for (const [code, status] of [['SlowDown', 503], ['InternalError', 500], ['RequestTimeout', 400], ['NetworkError', 0], ['Http502', 502], ['X', 429]] as const) {
      expect(isRetryable(code, status)).toBe(true);
    }
    for (const [code, status] of [['AccessDenied', 403], ['NoSuchKey', 404], ['SignatureDoesNotMatch', 403], ['BadDigest', 400]] as const) {
      expect(isRetryable(code, status)).toBe(false);
    }
  });

  it('never carry a signature or credential, even if a message had one', () => {
    const leaked = 'failed https://h/b/k?X-Amz-Credential=AKID%2F20261129%2Fus-east-1&X-Amz-Signature=deadbeefdeadbeefdeadbeef&X-Amz-Security-Token=tok';
    const e = new S3Error({ operation: 'GetObject', status: 403, code: 'AccessDenied', message: leaked });
    expect(e.message).not.toMatch(/deadbeef|AKID|tok$/);
    expect(redact('Authorization: AWS4-HMAC-SHA256 Credential=AKID/x, SignedHeaders=host, Signature=0123456789abcdef0123')).not.toMatch(/AKID|0123456789abcdef/);
  });

  it('describe themselves in one line with the key and request id', () => {
    const e = new S3Error({ operation: 'GetObject', status: 404, code: 'NoSuchKey', requestId: 'tx1', bucket: 'b', key: 'a/b' });
    expect(e.describe()).toBe('GetObject failed (b/a/b): The object does not exist. Request id: tx1.');
  });

  it('cross a comlink boundary with every field (over a real MessageChannel)', async () => {
    installErrorTransfer();
    const { port1, port2 } = new MessageChannel();
    Comlink.expose(createS3Api(new S3Service()), port1 as unknown as Comlink.Endpoint);
    const remote = Comlink.wrap<S3Api>(port2 as unknown as Comlink.Endpoint);
    // Not connected: the worker's API throws a structured S3Error, which must arrive as one.
    const err = await remote.objects.head({ bucket: 'b', key: 'k' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(S3Error);
    expect(err).toMatchObject({ code: 'NotConnected', operation: 'Connect', status: 0, retryable: false });
    // Plain errors keep their name and message.
    const plain = await remote.connection.connect({ settings: { endpoint: 'ftp://x' } }).catch((e: unknown) => e);
    expect(plain).toBeInstanceOf(Error);
    expect((plain as Error).name).toBe('TypeError');
    // Connecting returns only what is safe to show: never the secret.
    const info = await remote.connection.connect({ settings: { endpoint: 'http://127.0.0.1:1', accessKeyId: 'AKIAEXAMPLEKEY12345', secretAccessKey: 'super-secret-value' } });
    expect(JSON.stringify(info)).not.toContain('super-secret-value');
    expect(info.accessKeyHint).toBe('AKIA…345');
    port1.close();
    port2.close();
  });
});

describe('callbacks in an options object', () => {
  it('cross a comlink boundary as proxies, beside the plain fields (over a real MessageChannel)', async () => {
    installCallbackTransfer();
    const { port1, port2 } = new MessageChannel();
    const api = {
      async count({ upTo, label, onProgress }: { upTo: number; label: string; onProgress: (p: string) => void | Promise<void> }): Promise<number> {
        for (let i = 1; i <= upTo; i++) await onProgress(`${label} ${i}`);
        return upTo;
      },
    };
    Comlink.expose(api, port1 as unknown as Comlink.Endpoint);
    const remote = Comlink.wrap<typeof api>(port2 as unknown as Comlink.Endpoint);
    const seen: string[] = [];
    expect(await remote.count({ upTo: 3, label: 'object', onProgress: (p) => void seen.push(p) })).toBe(3);
    // Awaited on the far side: every report has arrived by the time the call resolves, in order.
    expect(seen).toEqual(['object 1', 'object 2', 'object 3']);
    port1.close();
    port2.close();
  });
});

describe('retries', () => {
  it('back off with full jitter under a cap, honouring Retry-After', () => {
    expect(backoffDelay(DEFAULT_RETRY, 0, undefined, () => 1)).toBe(100);
    expect(backoffDelay(DEFAULT_RETRY, 3, undefined, () => 1)).toBe(800);
    expect(backoffDelay(DEFAULT_RETRY, 20, undefined, () => 1)).toBe(5000);
    expect(backoffDelay(DEFAULT_RETRY, 2, undefined, () => 0)).toBe(0);
    expect(backoffDelay(DEFAULT_RETRY, 0, 3, () => 0.5)).toBe(3000);
  });
});

describe('metadata and ETags', () => {
  it('send non-ASCII metadata as RFC 2047 and read it back', () => {
    expect(encodeMetaValue('plain ascii')).toBe('plain ascii');
    const enc = encodeMetaValue('température ✓');
    expect(enc).toMatch(/^=\?UTF-8\?B\?/);
    expect(decodeMetaValue(enc)).toBe('température ✓');
    expect(metadataHeaders({ Project: 'x' })).toEqual({ 'x-amz-meta-project': 'x' });
    expect(userMetadata(new Headers({ 'x-amz-meta-a': enc, 'content-type': 'x' }))).toEqual({ a: 'température ✓' });
  });

  it('unquote ETags', () => {
    expect(unquoteEtag('"abc"')).toBe('abc');
    expect(unquoteEtag('W/"abc-2"')).toBe('abc-2');
    expect(unquoteEtag(null)).toBeUndefined();
  });
});

describe('XML', () => {
  it('escapes text so it parses back verbatim', () => {
    const nasty = `<a & b> "q" 'a' \r\n\t 😀`;
    const doc = parseXml(`<R><K>${escapeXml(nasty)}</K></R>`);
    expect(text(doc.R, 'K')).toBe(nasty);
    // Control characters are escaped as references (which RGW accepts in DeleteObjects);
    // listings never depend on parsing them back: they travel URL-encoded.
    expect(escapeXml('a\u0001b')).toBe('a&#1;b');
  });

  it('keeps leading zeros and spaces (no number or trim coercion)', () => {
    const doc = parseXml('<R><K>007</K><S>  x  </S></R>');
    expect(text(doc.R, 'K')).toBe('007');
    expect(text(doc.R, 'S')).toBe('  x  ');
  });
});

describe('presigned URLs', () => {
  it('carry the expiry and a signature, not the secret', async () => {
    const url = await presignUrl({
      method: 'GET',
      url: 'https://h.example/b/k%20x',
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKID', secretAccessKey: 'SECRET-VALUE' },
      now: Date.UTC(2026, 10, 29),
      expiresIn: 3600,
    });
    const u = new URL(url);
    expect(u.searchParams.get('X-Amz-Expires')).toBe('3600');
    expect(u.searchParams.get('X-Amz-Date')).toBe('20261129T000000Z');
    expect(u.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(url).not.toContain('SECRET-VALUE');
  });

  it('a presigned send signs in the URL, sends only the request\'s own headers (no preflight in a browser), and signs each attempt anew', async () => {
    const seen: { url: URL; headers: Headers }[] = [];
    const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
      const req = new Request(input, init);
      seen.push({ url: new URL(req.url), headers: req.headers });
      if (seen.length === 1) return new Response('<Error><Code>SlowDown</Code></Error>', { status: 503 });
      return new Response('abc', { status: 206, headers: { 'content-range': 'bytes 0-2/10', etag: '"e"' } });
    };
    let now = Date.UTC(2026, 11, 5, 12, 0, 0);
    const client = new S3Client({ endpoint: resolveEndpoint('https://h.example', { region: 'us-east-1' }).endpoint, credentials: { accessKeyId: 'AKID', secretAccessKey: 'SECRET-VALUE' }, fetch, now: () => (now += 1500), retry: { ...DEFAULT_RETRY, baseDelayMs: 1, maxDelayMs: 1 } });
    const out = await client.send(GetObject, { bucket: 'b', key: 'k', range: { start: 0, end: 2 } }, { presigned: true });
    expect(out.etag).toBe('e');
    expect(seen).toHaveLength(2);
    for (const { url, headers } of seen) {
      expect([...headers.keys()]).toEqual(['range']);
      expect(headers.get('range')).toBe('bytes=0-2');
      expect(url.searchParams.get('X-Amz-Expires')).toBe(String(PRESIGNED_SEND_SECONDS));
      expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host');
      expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
      expect(url.toString()).not.toContain('SECRET-VALUE');
    }
    expect(seen[0]!.url.searchParams.get('X-Amz-Date')).not.toBe(seen[1]!.url.searchParams.get('X-Amz-Date'));
    // Without the option: an Authorization header, nothing signed in the URL.
    await client.send(GetObject, { bucket: 'b', key: 'k', range: { start: 0, end: 2 } });
    expect(seen[2]!.headers.get('authorization')).toMatch(/^AWS4-HMAC-SHA256 /);
    expect(seen[2]!.url.searchParams.has('X-Amz-Signature')).toBe(false);
  });
});

describe('remembered buckets', () => {
  it('keeps names per endpoint, most recent first, ignoring blanks and junk', () => {
    const data = new Map<string, string>();
    const store = { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v) };
    rememberBucket(store, 'e1', 'a');
    rememberBucket(store, 'e1', 'b');
    rememberBucket(store, 'e1', 'a');
    rememberBucket(store, 'e1', '  ');
    rememberBucket(store, 'e2', 'z');
    expect(rememberedBuckets(store, 'e1')).toEqual(['a', 'b']);
    expect(forgetBucket(store, 'e1', 'a')).toEqual(['b']);
    data.set('tessera.buckets:e3', '{not json');
    expect(rememberedBuckets(store, 'e3')).toEqual([]);
  });
});
