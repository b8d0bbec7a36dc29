/**
 * A Chromium that the benchmark can leave alone while Tessera uploads.
 * Playwright keeps the DevTools Network domain on for every page and worker
 * it is attached to: each request then costs Chromium (and this process)
 * several JSON events carrying all its headers, about 12 KB per small file
 * measured here, which a user's browser never pays. So Chromium is started
 * with a DevTools port, Playwright connects to set the files and start the
 * run, then disconnects; the page reports its own timing by POSTing it to the
 * bench server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../../test/helpers/browser';

/** Browsers launched by this process (names their net logs). */
let launches = 0;

export class DetachableChromium {
  readonly #proc: ChildProcess;
  readonly #profile: string;
  readonly #ws: Promise<string>;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    this.#profile = mkdtempSync(join(tmpdir(), 'tessera-bench-profile-'));
    // TESSERA_BENCH_NETLOG=<file>: Chromium's net log, one file per launch (<file>.1, <file>.2, …).
    const netlog = process.env.TESSERA_BENCH_NETLOG ? [`--log-net-log=${process.env.TESSERA_BENCH_NETLOG}.${++launches}`] : [];
    this.#proc = spawn(CHROMIUM, [...CHROMIUM_ARGS, ...netlog, '--remote-debugging-port=0', `--user-data-dir=${this.#profile}`, 'about:blank'], { stdio: ['ignore', 'ignore', 'pipe'], env });
    this.#ws = new Promise<string>((resolve, reject) => {
      let err = '';
      this.#proc.stderr!.on('data', (d: Buffer) => {
        err += d.toString();
        const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
        if (m) resolve(m[1]!);
      });
      this.#proc.once('exit', (code) => reject(new Error(`Chromium exited (${code}): ${err.slice(-400)}`)));
    });
  }

  /** Connect, run `fn` on the page whose URL starts with `prefix` (or a new one), disconnect. */
  async with<T>(prefix: string | undefined, fn: (page: Page) => Promise<T>): Promise<T> {
    const browser: Browser = await chromium.connectOverCDP(await this.#ws);
    try {
      // Pages of the default context stay open when Playwright disconnects.
      const context = browser.contexts()[0]!;
      const page = (prefix && context.pages().find((p) => p.url().startsWith(prefix))) || (await context.newPage());
      return await fn(page);
    } finally {
      await browser.close();
    }
  }

  /**
   * A Chromium trace (all processes) over a plain DevTools connection to the
   * browser target alone: unlike Playwright's, it attaches to no page, so
   * the run traced pays no Network events (for CPU profiles of detached runs).
   * Needs a global WebSocket (Node 22; on Node 20 NODE_OPTIONS=--experimental-websocket).
   */
  async startTracing(categories: string[]): Promise<() => Promise<string>> {
    if (typeof WebSocket === 'undefined') throw new Error('CPU profiles of detached runs need a global WebSocket: run with NODE_OPTIONS=--experimental-websocket (Node 20).');
    const ws = new WebSocket(await this.#ws);
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = reject;
    });
    let next = 0;
    const pending = new Map<number, (r: { result?: Record<string, unknown>; error?: unknown }) => void>();
    let complete: ((stream: string) => void) | undefined;
    ws.onmessage = (e) => {
      const m = JSON.parse(String(e.data)) as { id?: number; method?: string; params?: { stream?: string }; result?: Record<string, unknown>; error?: unknown };
      if (m.id !== undefined) pending.get(m.id)?.(m);
      else if (m.method === 'Tracing.tracingComplete') complete?.(m.params!.stream!);
    };
    const send = (method: string, params: Record<string, unknown> = {}) =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        const id = ++next;
        pending.set(id, (r) => (r.error ? reject(new Error(JSON.stringify(r.error))) : resolve(r.result ?? {})));
        ws.send(JSON.stringify({ id, method, params }));
      });
    await send('Tracing.start', { transferMode: 'ReturnAsStream', traceConfig: { includedCategories: categories } });
    return async () => {
      const stream = new Promise<string>((r) => (complete = r));
      await send('Tracing.end');
      const handle = await stream;
      let out = '';
      for (;;) {
        // Small reads: Node 20's WebSocket never delivered a 4 MiB message.
        const chunk = (await send('IO.read', { handle, size: 1 << 18 })) as { data: string; eof: boolean; base64Encoded?: boolean };
        out += chunk.base64Encoded ? Buffer.from(chunk.data, 'base64').toString() : chunk.data;
        if (chunk.eof) break;
      }
      await send('IO.close', { handle });
      ws.close();
      return out;
    };
  }

  async close(): Promise<void> {
    const exited = new Promise((r) => this.#proc.once('exit', r));
    this.#proc.kill();
    // Chromium writes its profile until it is gone.
    await exited;
    // Chromium's helpers may still be writing for a moment: retry, and never fail a finished run on it.
    try {
      rmSync(this.#profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
    } catch {
      /* left in the temporary directory */
    }
  }
}
