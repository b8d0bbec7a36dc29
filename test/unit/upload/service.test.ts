/**
 * The upload service as the S3 worker exposes it: told of a new connection,
 * uploads stopped on refused keys continue at once; the file handles kept for
 * re-attaching are read through it (the page never opens the uploads' database).
 * The store is a `fetch` seam in our own client.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { S3Client } from '../../../src/lib/s3/client';
import { resolveEndpoint } from '../../../src/lib/s3/endpoint';
import type { UploadSnapshot } from '../../../src/lib/upload/engine';
import { UploadService } from '../../../src/lib/upload/service';
import { MemoryUploadStore } from '../../../src/lib/upload/store';
import { forgetProtocols, noteResponse } from '../../../src/lib/s3/protocol';

function clientAnswering(answer: (method: string) => Response): S3Client {
  const { endpoint } = resolveEndpoint('http://store.test:7480');
  const fetchSeam: typeof fetch = async (_input, init) => answer(init?.method ?? 'GET');
  return new S3Client({ endpoint, credentials: { accessKeyId: 'AK', secretAccessKey: 'SK' }, fetch: fetchSeam, random: () => 0 });
}

const refusing = () => clientAnswering(() => new Response('<Error><Code>SignatureDoesNotMatch</Code></Error>', { status: 403 }));
const accepting = () => clientAnswering(() => new Response('', { status: 200, headers: { etag: '"0123456789abcdef0123456789abcdef"' } }));
const integrity = { md5: false, sha256: false, checksum: false };

function until(service: UploadService, id: string, status: string): Promise<UploadSnapshot> {
  return new Promise((resolve) => {
    const check = () => {
      const s = service.engine.snapshot(id);
      if (s?.status === status) {
        off();
        resolve(s);
      }
    };
    const off = service.engine.subscribe(check);
    check();
  });
}

describe('upload service', () => {
  it('continues uploads stopped on refused keys when told of a new connection', async () => {
    let current = refusing();
    const service = new UploadService(() => current, new MemoryUploadStore(), { integrity });
    await service.watch(() => undefined);
    const [id] = await service.add([{ bucket: 'b', key: 'k', file: new Blob([new Uint8Array(100)]) }]);
    const stopped = await until(service, id!, 'needs-credentials');
    expect(stopped.error?.code).toBe('SignatureDoesNotMatch');
    current = accepting();
    service.connectionChanged();
    await service.idle();
    expect(service.engine.snapshot(id!)!.status).toBe('done');
  });

  it('a disconnect (no client) leaves waiting uploads waiting', async () => {
    let connected = true;
    const bad = refusing();
    const service = new UploadService(
      () => {
        if (!connected) throw new Error('Not connected');
        return bad;
      },
      new MemoryUploadStore(),
      { integrity },
    );
    const [id] = await service.add([{ bucket: 'b', key: 'k', file: new Blob([new Uint8Array(100)]) }]);
    await until(service, id!, 'needs-credentials');
    connected = false;
    service.connectionChanged();
    await service.idle();
    expect(service.engine.snapshot(id!)!.status).toBe('needs-credentials');
  });

  it('gives the file handle kept with an upload, and nothing for an unknown one', async () => {
    const service = new UploadService(() => refusing(), new MemoryUploadStore(), { integrity });
    const handle = { kind: 'file', name: 'k.bin' };
    const [id] = await service.add([{ bucket: 'b', key: 'k', file: new Blob([new Uint8Array(10)]), handle }]);
    expect(await service.handle(id!)).toEqual(handle);
    expect(await service.handle('unknown')).toBeUndefined();
    await service.idle();
  });
});

describe('uploads in flight, by the HTTP the store speaks', () => {
  afterEach(() => forgetProtocols());

  /**
   * Upload `sizes` (bytes per file) through a store that holds every PUT until
   * the test lets them go, one at a time; the most seen at once, in all and of
   * bodies over 4 MiB, and the most rows shown waiting for a connection.
   */
  async function mostAtOnce(statusText: string, sizes: number[]): Promise<{ all: number; long: number; waiting: number }> {
    // What the browser's answers to the connection's check said (see protocol.ts): "OK" over HTTP/1.1, "" over HTTP/2.
    noteResponse('http://store.test:7480/b', { status: 200, statusText, type: 'cors' });
    const now = { all: 0, long: 0 };
    const most = { all: 0, long: 0, waiting: 0 };
    const waiting: (() => void)[] = [];
    const { endpoint } = resolveEndpoint('http://store.test:7480');
    const fetchSeam: typeof fetch = async (_input, init) => {
      if (init?.method !== 'PUT') return new Response('', { status: 200 });
      const long = (init.body as Blob).size > 4 * 1024 * 1024;
      now.all++;
      if (long) now.long++;
      most.all = Math.max(most.all, now.all);
      most.long = Math.max(most.long, now.long);
      await new Promise<void>((r) => waiting.push(r));
      now.all--;
      if (long) now.long--;
      return new Response('', { status: 200, headers: { etag: '"0123456789abcdef0123456789abcdef"' } });
    };
    const client = new S3Client({ endpoint, credentials: { accessKeyId: 'AK', secretAccessKey: 'SK' }, fetch: fetchSeam, random: () => 0 });
    const service = new UploadService(() => client, new MemoryUploadStore(), { integrity, intervalMs: 1 });
    await service.watch(() => undefined);
    const ids = await service.add(sizes.map((n, i) => ({ bucket: 'b', key: `f/${i}`, file: new Blob([new Uint8Array(n)]) })));
    for (let done = 0; done < ids.length; ) {
      await new Promise((r) => setTimeout(r, 2));
      const shown = service.engine.snapshots().filter((x) => x.waiting);
      // A row shown waiting has nothing on the wire, and its upload has started.
      for (const x of shown) expect([x.status, x.bytesInFlight]).toEqual(['uploading', 0]);
      most.waiting = Math.max(most.waiting, shown.length);
      const next = waiting.shift();
      if (next) {
        next();
        done++;
      }
    }
    await service.idle();
    for (const id of ids) expect(service.engine.snapshot(id)!.status).toBe('done');
    return most;
  }

  const small = Array.from({ length: 40 }, () => 10);
  // Big files first and small ones after them, as a folder of both might come.
  const mixed = [...Array.from({ length: 10 }, () => 5 * 1024 * 1024), ...Array.from({ length: 20 }, () => 10)];

  it("keeps as many uploads in flight as the browser's 6 connections over HTTP/1.1, so none waits inside the browser", async () => {
    const most = await mostAtOnce('OK', small);
    expect(most.all).toBe(6);
    // The files started beyond those 6 (32 are worked on at once) say they wait for a connection.
    expect(most.waiting).toBeGreaterThan(20);
  });

  it('over HTTP/1.1, at most 4 of them big, so 2 connections stay free of long requests', async () => {
    const most = await mostAtOnce('OK', mixed);
    expect([most.all, most.long]).toEqual([6, 4]);
    expect(most.waiting).toBeGreaterThan(0);
  });

  it('sends more at once over HTTP/2, which multiplexes, big bodies included', async () => {
    expect((await mostAtOnce('', small)).all).toBeGreaterThan(16);
    expect((await mostAtOnce('', mixed)).long).toBe(10);
  });
});
