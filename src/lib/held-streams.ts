/**
 * Streams of blobs held from a module-level set while they are read.
 *
 * In Chromium 156 a `Blob.stream()` waiting on a BYOB read is reachable only
 * from its own pending read, and garbage collection takes it: the read then
 * never settles. The 398-file folder upload stopped for ever with 7-20 files
 * "uploading"; read one file at a time, the reads stopped after 53-180 files;
 * with the streams held, every read finished. WebKit fixed the same fault in
 * its blob streams (WebKit PR 54097). Fetch bodies read the same way did not
 * show it (the network loader holds them), but a range gathered with
 * `Response.blob()` is read back through a blob stream.
 * test/e2e/stream-reads.test.ts forces collections while files are read.
 */
const held = new Set<ReadableStream<Uint8Array>>();

/** Hold `stream` until the returned function is called (once its reads have ended). */
export function hold(stream: ReadableStream<Uint8Array>): () => void {
  held.add(stream);
  return () => void held.delete(stream);
}

/** How many streams are held now (for tests: every read lets go). */
export function heldCount(): number {
  return held.size;
}
