/**
 * Rows the user ticked in a listing, by key (objects) or prefix (folders).
 * A plain Map behind a version counter: selecting all of 100,000 rows must not
 * create 100,000 reactive proxies.
 */
import type { FolderRow, ObjectRow, Row } from '../lib/explorer/table-model';

export function rowId(row: Row): string {
  return row.kind === 'folder' ? row.prefix : row.key;
}

export class Selection {
  #rows = new Map<string, Row>();
  #version = $state(0);

  get version(): number {
    return this.#version;
  }

  get size(): number {
    void this.#version;
    return this.#rows.size;
  }

  has(row: Row): boolean {
    void this.#version;
    return this.#rows.has(rowId(row));
  }

  toggle(row: Row, on = !this.#rows.has(rowId(row))): void {
    if (on) this.#rows.set(rowId(row), row);
    else this.#rows.delete(rowId(row));
    this.#version++;
  }

  setAll(rows: Iterable<Row>, on: boolean): void {
    for (const r of rows) {
      if (on) this.#rows.set(rowId(r), r);
      else this.#rows.delete(rowId(r));
    }
    this.#version++;
  }

  clear(): void {
    this.#rows.clear();
    this.#version++;
  }

  objects(): ObjectRow[] {
    void this.#version;
    return [...this.#rows.values()].filter((r): r is ObjectRow => r.kind === 'object');
  }

  folders(): FolderRow[] {
    void this.#version;
    return [...this.#rows.values()].filter((r): r is FolderRow => r.kind === 'folder');
  }

  /** Bytes of the selected objects (folders are measured with du). */
  objectBytes(): number {
    let n = 0;
    for (const r of this.objects()) n += r.size;
    return n;
  }
}
