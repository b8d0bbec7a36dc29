/** One kerchunk reference: inline data (text, or "base64:..."), a whole object [url], or a byte range. */
export type Reference = string | [url: string] | [url: string, offset: number, length: number];
/** kerchunk JSON version 1 after templates and gen are expanded. */
export interface References { version: 1; refs: Record<string, Reference>; }
/**
 * The chunk references of one array, found when asked for rather than listed
 * up front (a file scanner that reads a chunk index only where a chunk is read).
 * Keys are chunk keys within the array ("0.1.2").
 */
export interface LazyChunks {
  /** The reference of one chunk, or undefined where no chunk is stored. */
  get(chunk: string): Promise<Reference | undefined>;
  /** Every chunk reference of the array (reads the whole index). */
  all(): Promise<Record<string, Reference>>;
}
