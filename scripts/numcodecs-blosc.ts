/**
 * Build step: let Tessera's blosc codec (src/lib/zarr/blosc.ts) reach the
 * emscripten module inside numcodecs' blosc entry, the one `Blosc.decode`
 * itself calls, so a chunk is copied from WebAssembly memory straight into a
 * buffer Tessera lends and takes back (src/lib/zarr/chunk-buffers.ts).
 *
 * numcodecs 0.3.2 (`dist/blosc.js`) keeps the module private: its `decode`
 * copies the decompressed bytes out of WebAssembly memory into a new array
 * (`new Uint8Array(view)`), 1 MiB of fresh memory per 512 x 512 float32 chunk,
 * which Chromium here took ~10 ms to fill, more than decompressing it. One
 * export is appended to that file (nothing in it changes), sharing the
 * module numcodecs' own `Blosc` uses: one WebAssembly instance, compiled once.
 *
 * The same step makes numcodecs' blosc, zstd and lz4 entries copy a chunk's
 * stored bytes into WebAssembly memory with one `set` instead of a loop over
 * each byte (emscripten's `std::string` argument conversion, see
 * `wholeInputCopy`): ~550 KB per chunk of the benchmark's store, which on a
 * fresh worker ran interpreted before the first chunk could be decompressed.
 *
 * Applied wherever Vite transforms the file: the production build (app and
 * workers) and the unit tests (numcodecs is inlined there, see vite.config.ts).
 * Where it is not (Vite's dev server pre-bundles dependencies; Node outside
 * Vite), the export is missing and blosc.ts decodes through `Blosc.decode`.
 */
import type { Plugin } from 'vite';

/** The name of the appended export; src/lib/zarr/blosc.ts reads it (test/unit/zarr/blosc.test.ts checks both agree). */
export const BLOSC_MODULE_EXPORT = 'tesseraBloscModule';

const FILE = /[\\/]numcodecs[\\/]dist[\\/]blosc\.js$/;
/** What the appended code relies on in numcodecs' file (the version is pinned in package.json). */
const ANCHORS = ['var emscriptenModule;', 'var init = () =>'];

/** numcodecs' blosc entry with the export appended; throws when the file no longer has the shape it relies on. */
export function exposeBloscModule(code: string): string {
  const missing = ANCHORS.filter((a) => !code.includes(a));
  if (missing.length) {
    throw new Error(`numcodecs' dist/blosc.js has changed (no ${missing.map((m) => `"${m}"`).join(', ')}): update scripts/numcodecs-blosc.ts for this numcodecs version.`);
  }
  // The same lazy start as `Blosc.decode`: whichever comes first instantiates the module, the other shares it.
  return `${code}\nexport function ${BLOSC_MODULE_EXPORT}() {\n  if (!emscriptenModule) emscriptenModule = init();\n  return emscriptenModule;\n}\n`;
}

/** numcodecs' entries whose chunk argument goes through emscripten's `std::string` conversion. */
const COPYING = /[\\/]numcodecs[\\/]dist[\\/](blosc|zstd|lz4)\.js$/;

/**
 * emscripten's conversion of a byte array argument to `std::string` copies it
 * into WebAssembly memory one byte at a time:
 *
 *     else
 *       for (k = 0; k < h; ++k)
 *         B[g + k] = e[k];
 *
 * where `B` is the module's `HEAPU8`, `e` the Uint8Array (or Int8Array, or
 * Uint8ClampedArray: `set` stores each value modulo 256, as the loop does)
 * and `h` its length. That loop becomes `B.set(e, g)` over the same two
 * lines, so the file's own source map still holds. Throws when the loop, or the
 * `HEAPU8` it writes to, is not there (another numcodecs build).
 */
export function wholeInputCopy(code: string): string {
  const loop = /(else\s+)for \((\w+) = 0; \2 < (\w+); \+\+\2\)(\s+)(\w+)\[(\w+) \+ \2\] = (\w+)\[\2\];/g;
  const found = [...code.matchAll(loop)].filter((m) => code.includes(`HEAPU8 = ${m[5]} = new Uint8Array(`));
  if (found.length !== 1) {
    throw new Error(`numcodecs' byte-array argument copy has changed (${found.length} loops into HEAPU8 found, 1 expected): update wholeInputCopy in scripts/numcodecs-blosc.ts for this numcodecs version.`);
  }
  const m = found[0]!;
  // The loop's line break is kept (inside the braces), so every later line stays where the source map says.
  return code.replace(m[0], `${m[1]}{${m[4]}${m[5]}.set(${m[7]}, ${m[6]}); }`);
}

/**
 * numcodecs' entries carry their WebAssembly as base64 in the JavaScript
 * (`var blosc_codec_default2 = __toBinary("AGFzbQ…")`, 450 KB of it for
 * blosc), instantiated from those bytes. In the build each becomes a file of
 * its own (`assets/blosc-<hash>.wasm`), fetched and compiled as it streams
 * (from its bytes where a host serves it with a type other than
 * `application/wasm`):
 *
 * - One file serves the page and the workers (the base64 was in two
 *   scripts), and it is smaller: blosc's script was 205 KB gzipped, its
 *   script and module are now 7 + 134 KB (zstd's: 243 against 6 + 156 KB).
 *   The base64 is no longer decoded on every visit.
 * - A module fetched this way is the only kind a browser can keep compiled
 *   in its code cache (V8's optimizing compiler spent ~360 ms of CPU on
 *   blosc's zstd decoder, one function of 63 KB, in a cold open through
 *   `wan`: bench/zarr.ts with TESSERA_BENCH_CHROME_TRACE). Headless
 *   Chromium 156 here wrote no such entry (no `v8.wasm.cachedModule` in the
 *   traces of three visits on one profile, 4 s each), so the returning
 *   visits measured here still compile it; in-bench, neither cold nor
 *   returning opens changed beyond noise.
 *
 * Returns the code with the bytes taken out and `url` (a JavaScript
 * expression) as the module's address, and the bytes; throws when the file
 * no longer has the shape it relies on.
 */
export function wasmAsFile(code: string, url: string): { code: string; wasm: Uint8Array; name: string } {
  const binary = /^var (\w+)_codec_default2 = __toBinary\("([A-Za-z0-9+/]+={0,2})"\);$/m.exec(code);
  const name = binary?.[1];
  const init = name && `var init = () => ${name}_codec_default({ noInitialRun: true, wasmBinary: ${name}_codec_default2 });`;
  if (!binary || !name || !init || !code.includes(init) || !/^var emscriptenModule;$/m.test(code)) {
    throw new Error("numcodecs' embedded WebAssembly has changed (no `__toBinary(\"…\")` module, `init` using it or `emscriptenModule`): update wasmAsFile in scripts/numcodecs-blosc.ts for this numcodecs version.");
  }
  const wasm = new Uint8Array(Buffer.from(binary[2]!, 'base64'));
  // Each change stays within its line and the helper goes after the last one, so the file's own source map still holds.
  const out =
    code
      .replace(binary[0], `var ${name}_codec_default2 = void 0;`)
      // The module is instantiated by INSTANTIATE (emscripten's `instantiateWasm` hook: this build of
      // numcodecs cannot fetch a file itself). A failure rejects the module's promise, which is then
      // forgotten, so the next chunk fetches it again instead of failing for ever.
      .replace(
        init,
        `var init = () => { var fail; var failed = new Promise((_, reject) => (fail = reject)); var started = Promise.race([${name}_codec_default({ noInitialRun: true, instantiateWasm: (imports, done) => (${INSTANTIATE}(${url}, imports).then(done, fail), {}) }), failed]); started.catch(() => { if (emscriptenModule === started) emscriptenModule = void 0; }); return started; };`,
      ) + `\n${instantiateSource()}\n`;
  return { code: out, wasm, name };
}

/** The helper wasmAsFile appends (one per entry: each file is its own module). */
const INSTANTIATE = '__tesseraInstantiateWasm';

/** What a decoder that could not be fetched or compiled rejects with (src/lib/zarr/errors.ts holds the same name, bounded-codecs.ts reads it). */
export const DECODER_UNAVAILABLE = 'DecoderUnavailable';

/**
 * Fetch and instantiate a module: compiled as it streams when the host
 * serves it as `application/wasm` (exactly: streaming compilation refuses any
 * other type, parameters included), else from its bytes. Any failure is an
 * Error named DECODER_UNAVAILABLE, with the cause.
 */
function instantiateSource(): string {
  return `async function ${INSTANTIATE}(url, imports) {
  try {
    const response = await fetch(url, { credentials: 'same-origin' });
    if (!response.ok) throw new Error(\`\${url} answered HTTP \${response.status}\`);
    const streams = (response.headers.get('content-type') || '').trim().toLowerCase() === 'application/wasm';
    return (streams ? await WebAssembly.instantiateStreaming(response, imports) : await WebAssembly.instantiate(await response.arrayBuffer(), imports)).instance;
  } catch (cause) {
    const e = new Error(\`The WebAssembly module \${url} could not be fetched or compiled: \${cause && cause.message || cause}\`, { cause });
    e.name = '${DECODER_UNAVAILABLE}';
    throw e;
  }
}`;
}

export function numcodecsBloscPlugin(): Plugin {
  let build = false;
  return {
    name: 'tessera-numcodecs-blosc',
    enforce: 'pre',
    configResolved(config) {
      // Unit tests (Vite's transforms in Node) keep the embedded bytes: Node cannot fetch a built file.
      build = config.command === 'build';
    },
    transform(code, id) {
      const path = id.split('?')[0]!;
      if (!COPYING.test(path)) return null;
      let copied = wholeInputCopy(code);
      if (build) {
        // The file's address, resolved against the script's own (`new URL(…, import.meta.url).href` in the output).
        const moved = wasmAsFile(copied, 'import.meta.ROLLUP_FILE_URL_WASM');
        const ref = this.emitFile({ type: 'asset', name: `${moved.name}.wasm`, source: moved.wasm });
        copied = moved.code.replace('import.meta.ROLLUP_FILE_URL_WASM', `import.meta.ROLLUP_FILE_URL_${ref}`);
      }
      // Code is only added after the last line, and the copy changed within its lines: the file's own source map still holds (null keeps it).
      return { code: FILE.test(path) ? exposeBloscModule(copied) : copied, map: null };
    },
  };
}
