/**
 * A Chromium trace through the DevTools protocol of one page, for browsers
 * Playwright cannot trace itself (a persistent, regular profile has no
 * `Browser` to call `startTracing` on). The trace covers every process of
 * that browser, as Playwright's does.
 */
import { writeFileSync } from 'node:fs';
import type { BrowserContext, CDPSession, Page } from 'playwright-core';

export interface CdpTrace {
  /** Stop, and write the trace (Chromium's JSON trace format) to `path`. */
  stop(path: string): Promise<void>;
}

export async function startCdpTrace(context: BrowserContext, page: Page, categories: string[]): Promise<CdpTrace> {
  const cdp: CDPSession = await context.newCDPSession(page);
  await cdp.send('Tracing.start', { traceConfig: { includedCategories: categories }, transferMode: 'ReturnAsStream' });
  return {
    async stop(path) {
      const done = new Promise<string>((resolve) => cdp.once('Tracing.tracingComplete', (e) => resolve(e.stream!)));
      await cdp.send('Tracing.end');
      const handle = await done;
      let text = '';
      for (;;) {
        const chunk = await cdp.send('IO.read', { handle, size: 1 << 20 });
        text += chunk.base64Encoded ? Buffer.from(chunk.data, 'base64').toString() : chunk.data;
        if (chunk.eof) break;
      }
      await cdp.send('IO.close', { handle });
      writeFileSync(path, text);
      await cdp.detach();
    },
  };
}
