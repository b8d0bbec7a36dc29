/**
 * Recognising reference files from their name and first bytes, for the
 * explorer's "Open as dataset" (kept apart from the parser so the page does
 * not load a decompressor to ask).
 */
import type { ReferenceFormat } from '../zarr/address';

/** The format a key or URL suggests: kerchunk JSON (plain, .zst, .gz) or a `.parq` folder. */
export function refsFormatOf(path: string): ReferenceFormat | undefined {
  const p = path.replace(/[?#].*$/, '').replace(/\/+$/, '').toLowerCase();
  if (/\.json(\.zst|\.zstd|\.gz)?$/.test(p)) return 'json';
  if (/\.parq(uet)?$/.test(p)) return 'parquet';
  return undefined;
}

/**
 * Does the start of a file look like kerchunk JSON? (For offering "Open as
 * dataset": a `{` followed, early on, by a `"version"`, `"refs"` or a Zarr
 * metadata key.) Compressed starts are recognised by their magic bytes.
 */
export function looksLikeReferences(head: Uint8Array): boolean {
  if ((head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) || (head[0] === 0x1f && head[1] === 0x8b)) return true;
  const text = new TextDecoder().decode(head.subarray(0, 4096)).trimStart();
  return text.startsWith('{') && /"(version|refs|templates|\.zgroup|\.zattrs|\.zmetadata|[^"]*\/\.zarray)"\s*:/.test(text);
}

