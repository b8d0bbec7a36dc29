/**
 * Quick look: decide how to show an object from its name, content type and
 * first bytes, and render bytes as text, CSV rows or a hex dump. Reads are by
 * byte range; only small objects are read whole.
 */

export type PreviewKind = 'text' | 'json' | 'csv' | 'image' | 'hex';

/** Bytes read for a first look (head or tail). */
export const LOOK_BYTES = 64 * 1024;
/** Objects up to this size are read whole for JSON and images without asking. */
export const READ_WHOLE_MAX = 4 * 1024 * 1024;
/** A preview never reads more than this (the first bytes of a larger object), however it is asked. */
export const PREVIEW_MAX = 64 * 1024 * 1024;

/**
 * The image type of raster bytes, by their magic numbers, or null. The
 * store's Content-Type is not trusted: a blob: URL lives on the app's origin,
 * so an object labelled `image/png` that is really HTML or SVG, opened from
 * its preview in a tab of its own, would run as Tessera. Only bytes that are
 * a raster image get an image type; SVG is shown as text.
 */
export function rasterImageType(b: Uint8Array): string | null {
  const at = (i: number, ...xs: number[]) => xs.every((x, j) => b[i + j] === x);
  if (at(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (at(0, 0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (at(0, 0x47, 0x49, 0x46, 0x38)) return 'image/gif';
  if (at(0, 0x52, 0x49, 0x46, 0x46) && at(8, 0x57, 0x45, 0x42, 0x50)) return 'image/webp';
  if (at(0, 0x42, 0x4d)) return 'image/bmp';
  if (at(0, 0x00, 0x00, 0x01, 0x00)) return 'image/x-icon';
  if (at(4, 0x66, 0x74, 0x79, 0x70) && (at(8, 0x61, 0x76, 0x69, 0x66) || at(8, 0x61, 0x76, 0x69, 0x73))) return 'image/avif';
  return null;
}

const TEXT_EXT = /\.(txt|log|md|rst|py|js|ts|sh|cfg|ini|toml|ya?ml|xml|html?|css|c|h|cpp|f90|f|r|jl|nml|cdl|out|err|pp|svg)$/i;
const IMAGE_EXT = /\.(png|jpe?g|gif|webp|bmp|ico|avif)$/i;

export function previewKind(key: string, contentType: string | undefined, firstBytes?: Uint8Array): PreviewKind {
  const ct = (contentType ?? '').toLowerCase();
  const k = key.toLowerCase();
  if (ct.startsWith('image/') && ct !== 'image/svg+xml') return 'image';
  if (IMAGE_EXT.test(k)) return 'image';
  if (ct.includes('json') || /\.(json|geojson|zattrs|zarray|zgroup|zmetadata)$/.test(k) || k.endsWith('zarr.json')) return 'json';
  if (ct.includes('csv') || /\.(csv|tsv)$/.test(k)) return 'csv';
  if (ct.startsWith('text/') || TEXT_EXT.test(k)) return 'text';
  if (firstBytes && looksLikeText(firstBytes)) return 'text';
  return 'hex';
}

/** UTF-8 without NULs or many control characters. */
export function looksLikeText(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 4096);
  if (n === 0) return true;
  let control = 0;
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    if (b === 0) return false;
    if (b < 32 && b !== 9 && b !== 10 && b !== 13) control++;
  }
  if (control / n > 0.02) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, n - trailingPartial(bytes.subarray(0, n))));
    return true;
  } catch {
    return false;
  }
}

/** Bytes of an incomplete UTF-8 sequence at the end (a range can cut a character). */
function trailingPartial(b: Uint8Array): number {
  for (let back = 1; back <= Math.min(3, b.length); back++) {
    const c = b[b.length - back]!;
    if ((c & 0xc0) === 0x80) continue; // continuation byte
    const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    return need > back ? back : 0;
  }
  return 0;
}

/** Decode a slice of text cut at arbitrary byte offsets (replacement characters at the cuts only). */
export function decodeSlice(bytes: Uint8Array): string {
  return new TextDecoder('utf-8').decode(bytes);
}

/** A classic hex dump: offset, 16 bytes in hex, the printable ASCII. */
export function hexDump(bytes: Uint8Array, offset = 0, maxBytes = 4096): string {
  const lines: string[] = [];
  const n = Math.min(bytes.length, maxBytes);
  for (let i = 0; i < n; i += 16) {
    const row = bytes.subarray(i, Math.min(i + 16, n));
    const hex = Array.from(row, (b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = Array.from(row, (b) => (b >= 32 && b < 127 ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${(offset + i).toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  ${ascii}`);
  }
  return lines.join('\n');
}

/**
 * The first rows of a CSV/TSV text (RFC 4180 quoting). A last line cut by the
 * byte range is dropped when `complete` is false.
 */
export function parseCsv(text: string, options: { maxRows?: number; complete?: boolean; delimiter?: string } = {}): string[][] {
  const delim = options.delimiter ?? (text.split('\n', 1)[0]!.includes('\t') && !text.split('\n', 1)[0]!.includes(',') ? '\t' : ',');
  const max = options.maxRows ?? 200;
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  for (; i < text.length && rows.length < max; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === delim) {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if ((field !== '' || row.length) && rows.length < max && options.complete !== false) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** Pretty JSON, or why it is not JSON. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}
