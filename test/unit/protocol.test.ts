/**
 * Which HTTP the store speaks: Resource Timing where the store allows timing,
 * else the status line of its answers (HTTP/2 has no reason phrase). The
 * answers here come from a real HTTP server on loopback that sends its status
 * line with or without a reason phrase, read through `S3Client` and the Zarr
 * reads' `fetchKey` (Node's fetch, whose `statusText` is the phrase as sent,
 * as the browser's is).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createServer, type Server } from 'node:net';
import { forgetProtocols, noteResponse, observedProtocol, parallelism, protocolName } from '../../src/lib/s3/protocol';
import { S3Client } from '../../src/lib/s3/client';
import { resolveEndpoint } from '../../src/lib/s3/endpoint';
import { HeadBucket } from '../../src/lib/s3/ops/index';
import { fetchKey } from '../../src/lib/zarr/source';

/** A server answering every request `HTTP/1.1 200<phrase>` with a tiny body: `phrase` "" (as HTTP/2 reads) or " OK". */
function statusLineServer(phrase: string): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((socket) => {
    socket.once('data', () => socket.end(`HTTP/1.1 200${phrase}\r\nContent-Length: 2\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\nok`));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({ url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((r) => server.close(() => r())) });
    }),
  );
}

/** Resource Timing entries as the browser keeps them, oldest first. */
function timing(entries: [string, string][]): void {
  vi.stubGlobal('performance', { getEntriesByType: (t: string) => (t === 'resource' ? entries.map(([name, nextHopProtocol]) => ({ name, nextHopProtocol })) : []) });
}

const STORE = 'https://tenancy-o.s3-ext.jc.rl.ac.uk';

afterEach(() => {
  vi.unstubAllGlobals();
  forgetProtocols();
});

describe('the protocol spoken to the store', () => {
  let multiplexed: { url: string; close(): Promise<void> };
  let http1: { url: string; close(): Promise<void> };
  beforeAll(async () => {
    multiplexed = await statusLineServer('');
    http1 = await statusLineServer(' OK');
  });
  afterAll(async () => {
    await multiplexed.close();
    await http1.close();
  });

  it("reads HTTP/2 from answers without a reason phrase and HTTP/1.1 from answers with one, through the S3 client's requests", async () => {
    expect(observedProtocol(multiplexed.url)).toBe('unknown');
    const client = (url: string) => new S3Client({ endpoint: resolveEndpoint(url, { region: 'us-east-1' }).endpoint, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } });
    await client(multiplexed.url).send(HeadBucket, { bucket: 'data' });
    await client(http1.url).send(HeadBucket, { bucket: 'data' });
    expect(observedProtocol(multiplexed.url)).toBe('h2');
    expect(observedProtocol(http1.url)).toBe('http/1.1');
    expect(parallelism(observedProtocol(multiplexed.url), 'transfer')).toBe(32);
    expect(parallelism(observedProtocol(http1.url), 'transfer')).toBe(6);
    expect(parallelism(observedProtocol(multiplexed.url), 'listing')).toBe(8);
    expect(parallelism(observedProtocol(http1.url), 'listing')).toBe(4);
  });

  it("reads it from the Zarr reads' answers too", async () => {
    const bytes = await fetchKey(`${multiplexed.url}/data/store.zarr/.zmetadata?X-Amz-Signature=ab`, '.zmetadata', undefined, undefined);
    expect(new TextDecoder().decode(bytes)).toBe('ok');
    expect(observedProtocol(multiplexed.url)).toBe('h2');
    expect(protocolName(observedProtocol(multiplexed.url))).toBe('HTTP/2');
  });

  it('counts only answers that came from the network, and the latest answer from a host wins', () => {
    noteResponse(`${STORE}/a`, { status: 0, statusText: '', type: 'opaque' });
    noteResponse(`${STORE}/a`, { status: 200, statusText: '', type: 'default' });
    expect(observedProtocol(STORE)).toBe('unknown');
    noteResponse(`${STORE}/a`, { status: 206, statusText: 'Partial Content', type: 'cors' });
    expect(observedProtocol(STORE)).toBe('http/1.1');
    noteResponse(`${STORE}/b`, { status: 404, statusText: '', type: 'cors' });
    expect(observedProtocol(STORE)).toBe('h2');
    expect(protocolName('unknown')).toBe('');
  });

  it("matches a virtual-hosted bucket's answers to its endpoint, not another store's", () => {
    noteResponse('https://bucket.s3.example.org/key', { status: 200, statusText: '', type: 'cors' });
    noteResponse('https://other.example.org/key', { status: 200, statusText: 'OK', type: 'cors' });
    expect(observedProtocol('https://s3.example.org')).toBe('h2');
    expect(observedProtocol('https://example.net')).toBe('unknown');
  });

  it('prefers what Resource Timing says where the store allows timing (Timing-Allow-Origin), and skips what it hides', () => {
    noteResponse(`${STORE}/a`, { status: 200, statusText: '', type: 'cors' });
    timing([[`${STORE}/bucket/a`, 'http/1.1']]);
    expect(observedProtocol(STORE)).toBe('http/1.1');
    // Without Timing-Allow-Origin the browser reports "": the status line decides.
    timing([[`${STORE}/bucket/a`, '']]);
    expect(observedProtocol(STORE)).toBe('h2');
  });
});
