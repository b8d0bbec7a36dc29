/**
 * What ships: the production build served to users carries no benchmark
 * instrumentation (timing marks, the channel that collects them), and its
 * WebAssembly as files of their own, not base64 inside scripts.
 */
import { describe, expect, inject, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
}

describe('the production build', () => {
  it('has no benchmark trace in any script, worker included', () => {
    const scripts = files(inject('appDir')).filter((f) => f.endsWith('.js'));
    // The app, the S3 worker, the Zarr worker at least.
    expect(scripts.length).toBeGreaterThanOrEqual(3);
    const zarrWorker = scripts.filter((f) => readFileSync(f, 'utf8').includes('zarr'));
    expect(zarrWorker.length).toBeGreaterThan(0);
    for (const f of scripts) {
      const js = readFileSync(f, 'utf8');
      expect(js, f).not.toContain('tessera-zarr-trace');
      expect(js, f).not.toContain('BroadcastChannel');
      expect(js, f).not.toMatch(/presign:request|painted |bytes:ready/);
    }
  });

  it("ships numcodecs' decoders as .wasm files, compiled as they stream, with no module inside a script", () => {
    const all = files(inject('appDir'));
    const wasm = all.filter((f) => f.endsWith('.wasm')).map((f) => /([a-z0-9]+)-[\w-]+\.wasm$/.exec(f)?.[1]);
    expect(wasm).toEqual(expect.arrayContaining(['blosc', 'zstd', 'lz4']));
    const entries = all.filter((f) => /[\\/](blosc|zstd|lz4)-[\w-]+\.js$/.test(f));
    expect(entries.length).toBeGreaterThanOrEqual(3);
    // "AGFzbQ" is the base64 of a WebAssembly module's first bytes ("\0asm").
    for (const f of entries) expect(/["'`]AGFzbQ/.test(readFileSync(f, 'utf8')), f).toBe(false);
  });
});
