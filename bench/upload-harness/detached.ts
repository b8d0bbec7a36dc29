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

export class DetachableChromium {
  readonly #proc: ChildProcess;
  readonly #profile: string;
  readonly #ws: Promise<string>;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    this.#profile = mkdtempSync(join(tmpdir(), 'tessera-bench-profile-'));
    this.#proc = spawn(CHROMIUM, [...CHROMIUM_ARGS, '--remote-debugging-port=0', `--user-data-dir=${this.#profile}`, 'about:blank'], { stdio: ['ignore', 'ignore', 'pipe'], env });
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

  async close(): Promise<void> {
    const exited = new Promise((r) => this.#proc.once('exit', r));
    this.#proc.kill();
    // Chromium writes its profile until it is gone.
    await exited;
    rmSync(this.#profile, { recursive: true, force: true, maxRetries: 3 });
  }
}
