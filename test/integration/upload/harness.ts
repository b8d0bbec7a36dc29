/**
 * Shared set-up for the upload engine's integration tests: the engine in
 * Node against the real RGW, with a recording fetch (a seam in our own
 * client) to count what is sent and to hide headers as a strict CORS rule would.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, openAsBlob, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '../../../src/lib/s3/client';
import { resolveEndpoint } from '../../../src/lib/s3/endpoint';
import { GetObject } from '../../../src/lib/s3/ops/index';
import { UploadEngine, type EngineOptions } from '../../../src/lib/upload/engine';
import { MemoryUploadStore } from '../../../src/lib/upload/store';
import { loadRgwEnv } from '../../helpers/rgw-env';

export interface Sent {
  method: string;
  url: URL;
  status: number;
}

export interface RecordingOptions {
  /** Remove ETag from responses, as a CORS rule without ExposeHeader ETag does. */
  hideEtag?: boolean;
  secret?: string;
  endpoint?: string;
}

export function recordingClient(sent: Sent[], options: RecordingOptions = {}): S3Client {
  const env = loadRgwEnv();
  const { endpoint } = resolveEndpoint(options.endpoint ?? env.endpoint, { region: env.region });
  const recording: typeof fetch = async (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const res = await fetch(input, init);
    sent.push({ method: init?.method ?? 'GET', url, status: res.status });
    if (!options.hideEtag) return res;
    const headers = new Headers(res.headers);
    headers.delete('etag');
    return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
  };
  return new S3Client({ endpoint, credentials: { accessKeyId: env.accessKeyId, secretAccessKey: options.secret ?? env.secretAccessKey }, fetch: recording });
}

export function partsSent(sent: Sent[]): number[] {
  return sent.filter((s) => s.method === 'PUT' && s.url.searchParams.has('partNumber') && s.status === 200).map((s) => Number(s.url.searchParams.get('partNumber')));
}

export function newEngine(client: () => S3Client, store = new MemoryUploadStore(), options: Partial<EngineOptions> = {}): { engine: UploadEngine; store: MemoryUploadStore } {
  return { engine: new UploadEngine({ client, store, ...options }), store };
}

export class TempFiles {
  readonly dir = mkdtempSync(join(tmpdir(), 'tessera-upload-'));

  /** A file of random bytes; returns its path and SHA-256. */
  random(name: string, size: number): { path: string; sha256: string } {
    const path = join(this.dir, name);
    const data = randomBytes(size);
    writeFileSync(path, data);
    return { path, sha256: createHash('sha256').update(data).digest('hex') };
  }

  /** A big random file written in chunks (never whole in memory). */
  async bigRandom(name: string, size: number): Promise<{ path: string; sha256: string }> {
    const path = join(this.dir, name);
    const hash = createHash('sha256');
    const out = createWriteStream(path);
    const chunk = 8 * 1024 * 1024;
    for (let done = 0; done < size; done += chunk) {
      const b = randomBytes(Math.min(chunk, size - done));
      hash.update(b);
      if (!out.write(b)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
    await new Promise<void>((r, j) => out.end((e?: Error | null) => (e ? j(e) : r())));
    return { path, sha256: hash.digest('hex') };
  }

  blob(path: string): Promise<Blob> {
    return openAsBlob(path);
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** SHA-256 of an object as downloaded (streamed). */
export async function downloadedSha256(client: S3Client, bucket: string, key: string): Promise<string> {
  const out = await client.send(GetObject, { bucket, key });
  const hash = createHash('sha256');
  const reader = out.body.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    hash.update(value);
  }
  return hash.digest('hex');
}
