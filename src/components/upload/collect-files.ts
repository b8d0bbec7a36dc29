/**
 * Files out of a drop or a picker, folders walked recursively, each with its
 * path relative to what was dropped (so `data.zarr/` keeps its layout as
 * keys). Where Chromium offers FileSystemHandles they are kept, so a reload
 * can re-attach without asking the user to pick again. Reads no bytes.
 */
import type { PickedFile } from '../../state/uploads.svelte';

interface FsHandle {
  kind: 'file' | 'directory';
  name: string;
  getFile?(): Promise<File>;
  values?(): AsyncIterable<FsHandle>;
}

async function walkHandle(h: FsHandle, base: string, out: PickedFile[]): Promise<void> {
  const path = base ? `${base}/${h.name}` : h.name;
  if (h.kind === 'file' && h.getFile) {
    out.push({ file: await h.getFile(), path, handle: h });
  } else if (h.kind === 'directory' && h.values) {
    for await (const child of h.values()) await walkHandle(child, path, out);
  }
}

function readAll(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  // readEntries returns at most 100 entries a call: call until empty.
  return new Promise((resolve, reject) => {
    const all: FileSystemEntry[] = [];
    const step = () =>
      reader.readEntries((batch) => {
        if (!batch.length) return resolve(all);
        all.push(...batch);
        step();
      }, reject);
    step();
  });
}

async function walkEntry(e: FileSystemEntry, base: string, out: PickedFile[]): Promise<void> {
  const path = base ? `${base}/${e.name}` : e.name;
  if (e.isFile) {
    const file = await new Promise<File>((resolve, reject) => (e as FileSystemFileEntry).file(resolve, reject));
    out.push({ file, path });
  } else if (e.isDirectory) {
    for (const child of await readAll((e as FileSystemDirectoryEntry).createReader())) await walkEntry(child, path, out);
  }
}

/** Everything dropped, folders included. Must be called synchronously in the drop handler (items die after it). */
export function filesFromDrop(dt: DataTransfer): Promise<PickedFile[]> {
  const items = [...dt.items].filter((i) => i.kind === 'file');
  // Take what we need from every item before the first await.
  const handles = items.map((i) => (i as DataTransferItem & { getAsFileSystemHandle?: () => Promise<FsHandle | null> }).getAsFileSystemHandle?.());
  const entries = items.map((i) => i.webkitGetAsEntry?.() ?? null);
  const plain = items.map((i) => i.getAsFile());
  return (async () => {
    const out: PickedFile[] = [];
    for (let i = 0; i < items.length; i++) {
      const h = handles[i] ? await handles[i]!.catch(() => null) : null;
      if (h) await walkHandle(h, '', out);
      else if (entries[i]) await walkEntry(entries[i]!, '', out);
      else if (plain[i]) out.push({ file: plain[i]!, path: plain[i]!.name });
    }
    return out;
  })();
}

/** Files from `<input type=file>` (with `webkitdirectory` they carry their relative path). */
export function filesFromInput(list: FileList | null): PickedFile[] {
  return [...(list ?? [])].map((file) => ({ file, path: file.webkitRelativePath || file.name }));
}
