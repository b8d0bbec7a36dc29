/**
 * Blosc chunks written by numcodecs (Debian's python3-numcodecs) decoded by
 * numcodecs.js's WebAssembly module straight into buffers the slice reader
 * lends and takes back (src/lib/zarr/blosc.ts), with the module reached
 * through the export the build adds (scripts/numcodecs-blosc.ts; the unit
 * tests run numcodecs through the same Vite transform as the build).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BLOSC_MODULE_EXPORT as APPENDED, DECODER_UNAVAILABLE as DECODER_UNAVAILABLE_IN_SCRIPT, exposeBloscModule, wasmAsFile, wholeInputCopy } from '../../../scripts/numcodecs-blosc';
import { BLOSC_MODULE_EXPORT, loadBlosc } from '../../../src/lib/zarr/blosc';
import { DECODER_UNAVAILABLE } from '../../../src/lib/zarr/errors';
import { chunkBuffers } from '../../../src/lib/zarr/chunk-buffers';
import { ZarrDataset } from '../../../src/lib/zarr/open';
import { MemorySource, v2Array } from './memory-source';

/**
 * 512 x 512 float32 values like gridded data, and their blosc encodings by
 * numcodecs (python) with each compressor and shuffle: one python process.
 */
function pythonBlosc(encodings: [string, number][], n = 512): { raw: Uint8Array; stored: Uint8Array[] } {
  const py = [
    'import sys, json, numcodecs, numpy as np',
    `y, x = np.mgrid[0:${n}, 0:${n}]`,
    'a = (280 + 20 * np.sin(y / 60) * np.cos(x / 45) + np.random.default_rng(5).random(y.shape)).astype("<f4")',
    `parts = [a.tobytes()] + [numcodecs.Blosc(cname=c, clevel=5, shuffle=s).encode(a) for c, s in json.loads(sys.argv[1])]`,
    'sys.stdout.buffer.write(json.dumps([len(p) for p in parts]).encode() + b"\\n" + b"".join(parts))',
  ].join('\n');
  const out = execFileSync('/usr/bin/python3', ['-c', py, JSON.stringify(encodings)], { maxBuffer: 1 << 26 });
  const nl = out.indexOf(10);
  const sizes = JSON.parse(out.subarray(0, nl).toString()) as number[];
  let at = nl + 1;
  const parts = sizes.map((s) => new Uint8Array(out.subarray(at, (at += s))));
  return { raw: parts[0]!, stored: parts.slice(1) };
}

/** Byte-for-byte equality (vitest's deep equality walks a 1 MiB array element by element for seconds). */
const bytesOf = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const same = (a: ArrayBufferView, b: ArrayBufferView) => bytesOf(a).equals(bytesOf(b));

const ENCODINGS: [string, number][] = [
  ['zstd', 1],
  ['lz4', 2],
  ['blosclz', 0],
];
const numcodecs = pythonBlosc(ENCODINGS);
const numcodecsFile = fileURLToPath(new URL('../../../node_modules/numcodecs/dist/blosc.js', import.meta.url));

describe('blosc into lent buffers', () => {
  it('exposes the module numcodecs decodes with under the name blosc.ts reads, or refuses a file of another shape', () => {
    expect(APPENDED).toBe(BLOSC_MODULE_EXPORT);
    const code = exposeBloscModule(readFileSync(numcodecsFile, 'utf8'));
    expect(code).toContain(`export function ${BLOSC_MODULE_EXPORT}()`);
    expect(() => exposeBloscModule('export default class Blosc {}')).toThrow(/numcodecs' dist\/blosc\.js has changed/);
  });

  it.each(['blosc', 'zstd', 'lz4'])("takes numcodecs' %s WebAssembly out of the script as a file of its own, fetched from the address given", async (entry) => {
    const original = readFileSync(fileURLToPath(new URL(`../../../node_modules/numcodecs/dist/${entry}.js`, import.meta.url)), 'utf8');
    const { code, wasm, name } = wasmAsFile(original, 'ADDRESS');
    expect(name).toBe(entry);
    // A module that compiles, with the imports emscripten's glue gives it.
    expect(WebAssembly.Module.imports(await WebAssembly.compile(wasm as Uint8Array<ArrayBuffer>)).length).toBeGreaterThan(0);
    expect(code).not.toContain('__toBinary("');
    expect(code).not.toMatch(/wasmBinary:/);
    // The base64 (4 characters for 3 bytes) is gone.
    expect(original.length - code.length).toBeGreaterThan((wasm.length * 4) / 3 - 2000);
    // numcodecs' own lines keep their places (the loader is added after the last), so its source map holds.
    expect(code.split('\n').slice(0, original.split('\n').length).length).toBe(original.split('\n').length);
    expect(code.split('\n').findIndex((l) => l.includes('ADDRESS'))).toBe(original.split('\n').findIndex((l) => l.startsWith('var init = ')));
    expect(() => wasmAsFile(original.replace('wasmBinary:', 'binary:'), 'ADDRESS')).toThrow(/embedded WebAssembly has changed/);
  });

  it("decodes with numcodecs' blosc as built: its .wasm streamed, or compiled from bytes when served with another type; a module that cannot be fetched fails each call by name, and is fetched again once it can be", async () => {
    expect(DECODER_UNAVAILABLE).toBe(DECODER_UNAVAILABLE_IN_SCRIPT);
    const original = readFileSync(numcodecsFile, 'utf8');
    const { code, wasm } = wasmAsFile(original, 'globalThis.__bloscWasmUrl');
    // The built entry beside numcodecs' shared chunk, as the bundle has it.
    const dir = mkdtempSync(join(tmpdir(), 'tessera-blosc-'));
    copyFileSync(fileURLToPath(new URL('../../../node_modules/numcodecs/dist/chunk-INHXZS53.js', import.meta.url)), join(dir, 'chunk-INHXZS53.js'));
    writeFileSync(join(dir, 'blosc.mjs'), exposeBloscModule(code));
    let serve: { status: number; type: string } = { status: 404, type: 'text/plain' };
    const served: string[] = [];
    const server = createServer((_req, res) => {
      served.push(`${serve.status} ${serve.type}`);
      res.writeHead(serve.status, { 'content-type': serve.type });
      res.end(serve.status === 200 ? Buffer.from(wasm) : 'not found');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    (globalThis as { __bloscWasmUrl?: string }).__bloscWasmUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/blosc.wasm`;
    try {
      const m = (await import(/* @vite-ignore */ pathToFileURL(join(dir, 'blosc.mjs')).href)) as { default: { fromConfig(c: unknown): { decode(b: Uint8Array): Promise<Uint8Array> } } };
      const codec = m.default.fromConfig({ id: 'blosc', cname: 'zstd', clevel: 5, shuffle: 1, blocksize: 0 });
      const stored = numcodecs.stored[0]!;
      // Gone (404): every call says so, by name.
      await expect(codec.decode(stored)).rejects.toMatchObject({ name: DECODER_UNAVAILABLE, message: expect.stringMatching(/could not be fetched or compiled: .*HTTP 404/) });
      await expect(codec.decode(stored)).rejects.toMatchObject({ name: DECODER_UNAVAILABLE });
      expect(served).toEqual(['404 text/plain', '404 text/plain']);
      // Served with another type: compiled from its bytes, values as numcodecs wrote them.
      serve = { status: 200, type: 'application/octet-stream' };
      expect(same(await codec.decode(stored), numcodecs.raw)).toBe(true);
      expect(same(await codec.decode(stored), numcodecs.raw)).toBe(true);
      expect(served.slice(2)).toEqual(['200 application/octet-stream']);
      // Served as application/wasm (a fresh instance of the entry): compiled as it streams.
      serve = { status: 200, type: 'application/wasm' };
      const fresh = (await import(/* @vite-ignore */ `${pathToFileURL(join(dir, 'blosc.mjs')).href}?fresh`)) as typeof m;
      expect(same(await fresh.default.fromConfig({ id: 'blosc', cname: 'zstd', clevel: 5, shuffle: 1, blocksize: 0 }).decode(stored), numcodecs.raw)).toBe(true);
      expect(served.slice(3)).toEqual(['200 application/wasm']);
    } finally {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each(['blosc', 'zstd', 'lz4'])("copies a chunk into numcodecs' %s WebAssembly memory with one set, not a loop per byte, on the loop's own lines", (entry) => {
    const original = readFileSync(fileURLToPath(new URL(`../../../node_modules/numcodecs/dist/${entry}.js`, import.meta.url)), 'utf8');
    const code = wholeInputCopy(original);
    const before = original.split('\n');
    const after = code.split('\n');
    expect(after.length).toBe(before.length);
    const changed = after.flatMap((line, i) => (line === before[i] ? [] : [[before[i]!.trim(), line.trim()]]));
    expect(changed).toHaveLength(2);
    expect(changed[0]![0]).toMatch(/^for \((\w+) = 0; \1 < \w+; \+\+\1\)$/);
    expect(changed[1]![0]).toMatch(/^(\w+)\[\w+ \+ \w+\] = \w+\[\w+\];$/);
    expect(changed[1]![1]).toMatch(/^\w+\.set\(\w+, \w+\); }$/);
    // Another build of numcodecs: refused, not silently left slow or broken.
    expect(() => wholeInputCopy(original.replace(changed[1]![0]!, 'B[g + k] = e[k] | 0;'))).toThrow(/byte-array argument copy has changed/);
  });

  it('decodes chunks whose bytes arrive as Int8Array or Uint8ClampedArray views too (set stores each value modulo 256, as the loop did)', async () => {
    const { raw } = numcodecs;
    const stored = numcodecs.stored[0]!;
    const codec = (await loadBlosc()).fromConfig({ id: 'blosc', cname: 'zstd', clevel: 5, shuffle: 1, blocksize: 0 });
    for (const view of [new Int8Array(stored.buffer, stored.byteOffset, stored.length), new Uint8ClampedArray(stored.buffer, stored.byteOffset, stored.length)]) {
      const out = await codec.decode(view as unknown as Uint8Array);
      expect(same(out, raw)).toBe(true);
      chunkBuffers.give(out.buffer);
    }
  });

  it.each(ENCODINGS.map(([cname, shuffle], i) => [cname, shuffle, i] as const))('decodes %s (shuffle %i) chunks written by numcodecs into a lent buffer, byte for byte', async (cname, shuffle, i) => {
    const { raw } = numcodecs;
    const stored = numcodecs.stored[i]!;
    const codec = (await loadBlosc()).fromConfig({ id: 'blosc', cname, clevel: 5, shuffle, blocksize: 0 });
    expect(codec.direct).toBe(true);
    const out = await codec.decode(stored);
    expect(out.length).toBe(raw.length);
    expect(same(out, raw)).toBe(true);
    // Lent: given back, it is the buffer the next chunk of that size lands in.
    chunkBuffers.give(out.buffer);
    const again = chunkBuffers.take(out.length);
    expect(again.buffer).toBe(out.buffer);
    // The next decode writes over it (the view of WebAssembly memory was freed, not kept).
    chunkBuffers.give(again.buffer);
    const second = await codec.decode(stored);
    expect(second.buffer).toBe(out.buffer);
    expect(same(second, raw)).toBe(true);
  });

  it('reads a slice of blosc chunks with the values numcodecs wrote, every chunk buffer given back for the next', async () => {
    const { raw } = numcodecs;
    const stored = numcodecs.stored[0]!;
    const src = new MemorySource({}).json('.zgroup', { zarr_format: 2 }).json('.zattrs', {});
    v2Array(src, 'v', { shape: [2, 512, 1024], chunks: [1, 512, 512], dtype: '<f4', dims: ['t', 'y', 'x'], compressor: { id: 'blosc', cname: 'zstd', clevel: 5, shuffle: 1, blocksize: 0 } });
    for (const k of ['0.0.0', '0.0.1', '1.0.0', '1.0.1']) src.files.set(`v/${k}`, stored);
    const ds = await ZarrDataset.open(src);
    const idle = chunkBuffers.idle;
    const r = await ds.read('v', { index: [1, 0, 0], free: [1, 2] });
    expect(r.failures).toEqual([]);
    const values = new Float32Array(raw.buffer);
    for (let y = 0; y < 512; y++) {
      const row = values.subarray(y * 512, y * 512 + 512);
      expect(same(r.values.subarray(y * 1024, y * 1024 + 512), row)).toBe(true);
      expect(same(r.values.subarray(y * 1024 + 512, y * 1024 + 1024), row)).toBe(true);
    }
    // Decoded into lent buffers and given back once in the slice (numcodecs' own decode makes a new array per chunk).
    expect(chunkBuffers.idle).toBeGreaterThan(idle);
  });
});
