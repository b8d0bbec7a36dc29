/**
 * The page of test/e2e/upload-file-reads.test.ts: hands the picked files to
 * a worker that reads them as an upload does.
 */
import type { ReadReport, ReadRequest } from './worker';

const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });

function readAll(request: Omit<ReadRequest, 'files'>): Promise<ReadReport> {
  const files = [...((document.getElementById('files') as HTMLInputElement).files ?? [])];
  return new Promise((resolve) => {
    worker.onmessage = (e: MessageEvent<ReadReport>) => resolve(e.data);
    worker.postMessage({ ...request, files } satisfies ReadRequest);
  });
}

Object.assign(window, { readAll });
document.title = 'ready';
