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
const ANCHORS = ['var emscriptenModule;', 'var init = () => blosc_codec_default('];

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

export function numcodecsBloscPlugin(): Plugin {
  return {
    name: 'tessera-numcodecs-blosc',
    enforce: 'pre',
    transform(code, id) {
      const path = id.split('?')[0]!;
      if (!COPYING.test(path)) return null;
      const copied = wholeInputCopy(code);
      // Code is only added after the last line, and the copy changed within its lines: the file's own source map still holds (null keeps it).
      return { code: FILE.test(path) ? exposeBloscModule(copied) : copied, map: null };
    },
  };
}
