/**
 * A listing walked as several key ranges at once. ListObjects pages one after
 * another (each page names where the next starts), so a listing of N pages
 * costs N round trips whatever the bandwidth: 100 pages at 20 ms are 2 s of
 * waiting. But `StartAfter` lets a page start anywhere in the key space, so
 * once one page has shown what the keys look like, the space after it can be
 * cut at guessed boundaries and the ranges listed side by side, each
 * (after, end] stopping at the first entry past its end. Pages are handed on
 * in key order, as a single pager would give them.
 *
 * The boundaries are guesses; correctness never depends on them. Each range
 * keeps only entries in (after, end] and pages on until it passes `end`, so
 * every key is listed by exactly one range however wrong the guess. A guess
 * only costs speed: a range denser than guessed pages serially, an empty one
 * costs one request. Guessing: every key position is read as a digit in the
 * alphabet its characters come from (0-9, a-z, A-Z, or the characters seen
 * there), the keys of the seed page become mixed-radix numbers, and ranges
 * are cut about one page wide at the density seen so far.
 *
 * With a delimiter, one common prefix can straddle a boundary and be reported
 * by two ranges: the merge drops the repeat (it always follows its twin).
 */
import type { ListObjectsInput, ListObjectsPage } from '../s3/ops/list-objects';
import { S3Error } from '../s3/errors';

export type FetchPage = (input: ListObjectsInput, signal: AbortSignal) => Promise<ListObjectsPage>;

/** Compare two keys in the store's order (UTF-8 bytes, which is code point order). */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // UTF-16 code units order surrogates (astral code points) below U+E000-U+FFFF; code points do not.
    if (x >= 0xd800 && y >= 0xd800) return (a.codePointAt(i) ?? x) - (b.codePointAt(i) ?? y);
    return x - y;
  }
  return a.length - b.length;
}

const DIGITS = '0123456789';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function classOf(c: string): string | null {
  if (c >= '0' && c <= '9') return DIGITS;
  if (c >= 'a' && c <= 'z') return LOWER;
  if (c >= 'A' && c <= 'Z') return UPPER;
  return null;
}

/** Keys as mixed-radix numbers over a window of positions, and back. */
export class KeySpace {
  readonly #start: number;
  readonly #alphabets: string[];
  readonly #head: string;

  private constructor(head: string, start: number, alphabets: string[]) {
    this.#head = head;
    this.#start = start;
    this.#alphabets = alphabets;
  }

  /**
   * From a sample of sorted keys (a page): the window starts a few positions
   * before the first position where the sample's keys differ (room for carries)
   * and spans a few after it; never inside `prefix`.
   */
  static fromSample(keys: string[], prefix: string): KeySpace | null {
    if (keys.length < 2) return null;
    const first = keys[0]!;
    const last = keys.at(-1)!;
    let d = 0;
    while (d < first.length && d < last.length && first[d] === last[d]) d++;
    const start = Math.max(prefix.length, d - 4);
    const end = d + 5;
    const alphabets: string[] = [];
    for (let p = start; p < end; p++) {
      const seen = new Set<string>();
      for (const k of keys) if (p < k.length) seen.add(k[p]!);
      const classes = new Set<string>();
      const others = new Set<string>();
      for (const c of seen) {
        const cls = classOf(c);
        if (cls) classes.add(cls);
        else others.add(c);
      }
      const all = [...others, ...[...classes].join('')].sort((a, b) => compareKeys(a, b));
      alphabets.push(all.length ? all.join('') : '0');
    }
    return new KeySpace(first.slice(0, start), start, alphabets);
  }

  /** The key's position (a number; keys outside the head clamp to the ends). */
  value(key: string): number {
    const head = key.slice(0, this.#start);
    const c = compareKeys(head, this.#head);
    if (c < 0) return 0;
    if (c > 0) return this.size;
    let v = 0;
    for (let i = 0; i < this.#alphabets.length; i++) {
      const alpha = this.#alphabets[i]!;
      const ch = key[this.#start + i];
      let digit = 0;
      if (ch !== undefined) {
        // The last alphabet character not after `ch`.
        for (let j = alpha.length - 1; j >= 0; j--) {
          if (compareKeys(alpha[j]!, ch) <= 0) {
            digit = j;
            break;
          }
        }
      }
      v = v * alpha.length + digit;
    }
    return v;
  }

  /** One past the largest value. */
  get size(): number {
    return this.#alphabets.reduce((n, a) => n * a.length, 1);
  }

  /** A key at position `v` (below `size`). */
  key(v: number): string {
    const digits: string[] = [];
    let rest = Math.floor(v);
    for (let i = this.#alphabets.length - 1; i >= 0; i--) {
      const alpha = this.#alphabets[i]!;
      digits.push(alpha[rest % alpha.length]!);
      rest = Math.floor(rest / alpha.length);
    }
    return this.#head + digits.reverse().join('');
  }
}

interface Range {
  after: string;
  /** Inclusive upper bound; null: to the end of the listing. */
  end: string | null;
  span: number;
  pages: ListObjectsPage[];
  entries: number;
  done: boolean;
  /** The listing ends inside this range (its last page was not truncated). */
  last: boolean;
  error?: unknown;
  wake?: () => void;
  abort: AbortController;
}

export interface RangeWalkOptions {
  /** Requests in flight at once. */
  concurrency: number;
  signal?: AbortSignal;
}

/** The last entry (object key or common prefix) of a page, in key order. */
export function lastEntry(page: ListObjectsPage): string | undefined {
  const a = page.objects.at(-1)?.key;
  const b = page.prefixes.at(-1);
  if (a === undefined) return b;
  if (b === undefined) return a;
  return compareKeys(a, b) > 0 ? a : b;
}

/**
 * Every page after `seed` (a truncated page already delivered, whose keys set
 * the guess), in order. `input` is the listing (prefix, delimiter, maxKeys).
 * Yields nothing new when the guess is impossible: callers fall back to
 * paging serially (see `canWalkRanges`).
 */
export async function* walkRanges(fetchPage: FetchPage, input: ListObjectsInput, seed: ListObjectsPage, space: KeySpace, options: RangeWalkOptions): AsyncGenerator<ListObjectsPage> {
  const pageKeys = input.maxKeys ?? 1000;
  const sampleKeys = [...seed.objects.map((o) => o.key), ...seed.prefixes].sort(compareKeys);
  const span0 = space.value(sampleKeys.at(-1)!) - space.value(sampleKeys[0]!);
  // Entries per unit of key space, seen so far.
  let seen = sampleKeys.length - 1;
  let covered = Math.max(span0, 1);
  let frontier = lastEntry(seed)!;
  let open = true;
  let ended = false;
  const ranges: Range[] = [];
  const outer = options.signal;
  // The range being handed on: ranges ending refill the window from there.
  let consumerAt = 0;

  const run = async (r: Range): Promise<void> => {
    let token: string | undefined;
    try {
      for (;;) {
        const page = await fetchPage({ ...input, continuationToken: token, startAfter: token ? undefined : r.after }, r.abort.signal);
        // A last page keeps what lies past `end` too: the listing ends here, no later range is handed on.
        const final = !page.isTruncated || !page.nextToken;
        const inside = r.end === null || final ? page : clip(page, r.end);
        const passed = r.end !== null && inside.objects.length + inside.prefixes.length < page.objects.length + page.prefixes.length;
        r.entries += inside.objects.length + inside.prefixes.length;
        if (inside.objects.length || inside.prefixes.length) r.pages.push(inside);
        r.wake?.();
        if (final) {
          r.last = true;
          break;
        }
        if (passed) break;
        token = page.nextToken;
      }
    } catch (e) {
      r.error = e;
    }
    r.done = true;
    if (r.last) ended = true;
    if (r.end !== null && !r.error) {
      seen += r.entries;
      covered += r.span;
    }
    r.wake?.();
    fill(consumerAt);
  };

  let closed = false;
  const spawn = (): void => {
    if (!open || ended || closed) return;
    const from = space.value(frontier);
    const width = Math.max(1, Math.floor((pageKeys * 0.9 * covered) / Math.max(seen, 1)));
    const to = from + width;
    const abort = new AbortController();
    const stop = () => abort.abort();
    outer?.addEventListener('abort', stop, { once: true });
    let r: Range;
    if (to >= space.size) {
      r = { after: frontier, end: null, span: 0, pages: [], entries: 0, done: false, last: false, abort };
      open = false;
    } else {
      const end = space.key(to);
      if (compareKeys(end, frontier) <= 0) {
        // The window cannot tell keys this close apart: list the rest in one range.
        r = { after: frontier, end: null, span: 0, pages: [], entries: 0, done: false, last: false, abort };
        open = false;
      } else {
        r = { after: frontier, end, span: to - from, pages: [], entries: 0, done: false, last: false, abort };
        frontier = end;
      }
    }
    ranges.push(r);
    void run(r).finally(() => outer?.removeEventListener('abort', stop));
  };

  const fill = (at: number): void => {
    // Ranges listing, or listed and waiting to be handed on: at most `concurrency` running, 2x buffered.
    while (!ended && open) {
      const running = ranges.slice(at).filter((r) => !r.done).length;
      if (running >= options.concurrency || ranges.length - at >= 2 * options.concurrency) break;
      spawn();
    }
  };

  let lastPrefix: string | undefined = seed.prefixes.at(-1);
  try {
    fill(0);
    for (let at = 0; at < ranges.length; at++) {
      consumerAt = at;
      const r = ranges[at]!;
      let handed = 0;
      for (;;) {
        while (handed < r.pages.length) {
          const page = r.pages[handed++]!;
          const prefixes = lastPrefix !== undefined && page.prefixes[0] === lastPrefix ? page.prefixes.slice(1) : page.prefixes;
          if (prefixes.length) lastPrefix = prefixes.at(-1);
          if (!page.objects.length && !prefixes.length) continue;
          yield { ...page, prefixes, isTruncated: true, nextToken: undefined };
        }
        if (r.error) throw r.error;
        if (r.done && handed === r.pages.length) break;
        fill(at);
        await new Promise<void>((resolve) => (r.wake = resolve));
        r.wake = undefined;
        if (outer?.aborted) throw new S3Error({ operation: 'ListObjectsV2', status: 0, code: 'Aborted', retryable: false });
      }
      if (r.last) break;
      fill(at + 1);
    }
  } finally {
    closed = true;
    for (const r of ranges) if (!r.done) r.abort.abort();
  }
}

/** The page's entries not after `end`. */
function clip(page: ListObjectsPage, end: string): ListObjectsPage {
  const objects = page.objects.filter((o) => compareKeys(o.key, end) <= 0);
  const prefixes = page.prefixes.filter((p) => compareKeys(p, end) <= 0);
  return { ...page, objects, prefixes };
}

/** The guess for a listing whose seed page is `seed`, or null when a serial walk is all there is. */
export function keySpaceFor(input: ListObjectsInput, seed: ListObjectsPage): KeySpace | null {
  if (!seed.isTruncated || !seed.nextToken) return null;
  const keys = [...seed.objects.map((o) => o.key), ...seed.prefixes].sort(compareKeys);
  if (keys.length < 8) return null;
  const space = KeySpace.fromSample(keys, input.prefix ?? '');
  if (!space) return null;
  if (space.value(keys.at(-1)!) <= space.value(keys[0]!)) return null;
  return space;
}
