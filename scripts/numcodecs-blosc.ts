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

export function numcodecsBloscPlugin(): Plugin {
  return {
    name: 'tessera-numcodecs-blosc',
    enforce: 'pre',
    transform(code, id) {
      if (!FILE.test(id.split('?')[0]!)) return null;
      // Code is only added after the last line: the file's own source map still holds (null keeps it).
      return { code: exposeBloscModule(code), map: null };
    },
  };
}
