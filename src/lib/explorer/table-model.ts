/**
 * The rows of one listing as the table shows them: pseudo-folders first, then
 * objects, sorted and filtered, growing page by page.
 *
 * Built for 100,000+ rows arriving in pages of 1,000 while the user scrolls:
 * a new page is sorted on its own and merged into the sorted rows (O(n) per
 * page, not a full re-sort), and a filter is applied to the page before the
 * merge. Only a change of sort or filter walks every row. DOM-free.
 */
import type { ObjectSummary } from '../s3/ops/list-objects';

export interface FolderRow {
  kind: 'folder';
  prefix: string;
  /** The prefix without the listing's prefix, e.g. `2024/`. */
  name: string;
}

export interface ObjectRow extends ObjectSummary {
  kind: 'object';
  /** The key without the listing's prefix. */
  name: string;
}

export type Row = FolderRow | ObjectRow;

export type SortKey = 'name' | 'size' | 'date';
export interface SortSpec {
  key: SortKey;
  descending: boolean;
}

/** Plain code-unit order (what S3's UTF-8 binary order is, short of astral characters); `localeCompare` is 10x slower. */
function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function objectComparator(sort: SortSpec): (a: ObjectRow, b: ObjectRow) => number {
  const dir = sort.descending ? -1 : 1;
  switch (sort.key) {
    case 'name':
      return (a, b) => dir * cmpStr(a.key, b.key);
    case 'size':
      return (a, b) => dir * (a.size - b.size) || cmpStr(a.key, b.key);
    case 'date':
      // ISO 8601 strings of one store sort as dates.
      return (a, b) => dir * cmpStr(a.lastModified, b.lastModified) || cmpStr(a.key, b.key);
  }
}

function folderComparator(sort: SortSpec): (a: FolderRow, b: FolderRow) => number {
  // Folders have no size or date: they keep name order, reversed only for a descending name sort.
  const dir = sort.key === 'name' && sort.descending ? -1 : 1;
  return (a, b) => dir * cmpStr(a.prefix, b.prefix);
}

/**
 * Merge `b` into `a` (both sorted by `cmp`). The common case while a
 * name-sorted listing fills, a page that goes after everything, appends to
 * `a` in place: copying 100,000 rows per page would feed the garbage
 * collector pauses the user sees as jank.
 */
export function mergeSorted<T>(a: T[], b: T[], cmp: (x: T, y: T) => number): T[] {
  if (!b.length) return a;
  if (!a.length) return b.slice();
  if (cmp(a[a.length - 1]!, b[0]!) <= 0) {
    for (const x of b) a.push(x);
    return a;
  }
  const out = new Array<T>(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = cmp(a[i]!, b[j]!) <= 0 ? a[i++]! : b[j++]!;
  while (i < a.length) out[k++] = a[i++]!;
  while (j < b.length) out[k++] = b[j++]!;
  return out;
}

/** A case-insensitive substring test on the row's name; `*` and `?` act as wildcards. */
export function makeFilter(text: string): ((name: string) => boolean) | null {
  const t = text.trim().toLowerCase();
  if (!t) return null;
  if (/[*?]/.test(t)) {
    const re = new RegExp(t.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.'), 'i');
    return (name) => re.test(name);
  }
  return (name) => name.toLowerCase().includes(t);
}

export class TableModel {
  #folders: FolderRow[] = [];
  #objects: ObjectRow[] = [];
  #shownFolders: FolderRow[] = [];
  #shownObjects: ObjectRow[] = [];
  #sort: SortSpec = { key: 'name', descending: false };
  #filterText = '';
  #filter: ((name: string) => boolean) | null = null;
  #objectBytes = 0;

  /** Add one page of rows (in any order). */
  add(folders: FolderRow[], objects: ObjectRow[]): void {
    const fc = folderComparator(this.#sort);
    const oc = objectComparator(this.#sort);
    const f = folders.slice().sort(fc);
    const o = objects.slice().sort(oc);
    for (const r of objects) this.#objectBytes += r.size;
    this.#folders = mergeSorted(this.#folders, f, fc);
    this.#objects = mergeSorted(this.#objects, o, oc);
    const keep = this.#filter;
    this.#shownFolders = keep ? mergeSorted(this.#shownFolders, f.filter((r) => keep(r.name)), fc) : this.#folders;
    this.#shownObjects = keep ? mergeSorted(this.#shownObjects, o.filter((r) => keep(r.name)), oc) : this.#objects;
  }

  /** Remove rows (after a delete or move) by key or prefix. */
  remove(keys: Set<string>): void {
    const gone = (r: Row): boolean => keys.has(r.kind === 'folder' ? r.prefix : r.key);
    for (const r of this.#objects) if (gone(r)) this.#objectBytes -= r.size;
    this.#folders = this.#folders.filter((r) => !gone(r));
    this.#objects = this.#objects.filter((r) => !gone(r));
    this.#shownFolders = this.#shownFolders.filter((r) => !gone(r));
    this.#shownObjects = this.#shownObjects.filter((r) => !gone(r));
  }

  clear(): void {
    this.#folders = [];
    this.#objects = [];
    this.#shownFolders = [];
    this.#shownObjects = [];
    this.#objectBytes = 0;
  }

  get sort(): SortSpec {
    return this.#sort;
  }

  setSort(sort: SortSpec): void {
    if (sort.key === this.#sort.key && sort.descending === this.#sort.descending) return;
    this.#sort = sort;
    // TimSort finds the runs: re-sorting an already sorted or reversed array is O(n).
    this.#folders = this.#folders.slice().sort(folderComparator(sort));
    this.#objects = this.#objects.slice().sort(objectComparator(sort));
    this.#refilter();
  }

  get filterText(): string {
    return this.#filterText;
  }

  setFilter(text: string): void {
    this.#filterText = text;
    this.#filter = makeFilter(text);
    this.#refilter();
  }

  #refilter(): void {
    const keep = this.#filter;
    this.#shownFolders = keep ? this.#folders.filter((r) => keep(r.name)) : this.#folders;
    this.#shownObjects = keep ? this.#objects.filter((r) => keep(r.name)) : this.#objects;
  }

  /** Rows shown (after the filter). */
  get length(): number {
    return this.#shownFolders.length + this.#shownObjects.length;
  }

  /** Row `i` of the shown rows: folders first, then objects. */
  at(i: number): Row | undefined {
    const nf = this.#shownFolders.length;
    return i < nf ? this.#shownFolders[i] : this.#shownObjects[i - nf];
  }

  /** Shown rows `start` (inclusive) to `end` (exclusive). */
  slice(start: number, end: number): Row[] {
    const out: Row[] = [];
    const stop = Math.min(end, this.length);
    for (let i = Math.max(0, start); i < stop; i++) out.push(this.at(i)!);
    return out;
  }

  /** Every shown object (for "select all shown"). */
  shownObjects(): readonly ObjectRow[] {
    return this.#shownObjects;
  }

  shownFolders(): readonly FolderRow[] {
    return this.#shownFolders;
  }

  get objectCount(): number {
    return this.#objects.length;
  }

  get folderCount(): number {
    return this.#folders.length;
  }

  get objectBytes(): number {
    return this.#objectBytes;
  }
}
