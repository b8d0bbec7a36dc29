import { describe, expect, it } from 'vitest';
import { compareKeys, keySpaceFor, walkRanges, type FetchPage } from '../../../src/lib/explorer/key-ranges';
import type { ListObjectsInput, ListObjectsPage } from '../../../src/lib/s3/ops/list-objects';

/** ListObjectsV2 over a sorted key list, as a store answers it (a seam: the walk only sees pages). */
function fakeStore(all: string[]) {
  const keys = [...all].sort(compareKeys);
  let requests = 0;
  const fetchPage: FetchPage = async (input: ListObjectsInput) => {
    requests++;
    await Promise.resolve();
    const prefix = input.prefix ?? '';
    const after = input.continuationToken ?? input.startAfter ?? '';
    const max = input.maxKeys ?? 1000;
    const objects: ListObjectsPage['objects'] = [];
    const prefixes: string[] = [];
    let last = '';
    let i = keys.findIndex((k) => compareKeys(k, after) > 0);
    if (i < 0) i = keys.length;
    for (; i < keys.length; i++) {
      const k = keys[i]!;
      if (!k.startsWith(prefix)) continue;
      if (objects.length + prefixes.length >= max) return { objects, prefixes, isTruncated: true, nextToken: last, api: 'v2' };
      const cut = input.delimiter ? k.indexOf(input.delimiter, prefix.length) : -1;
      if (cut >= 0) {
        const cp = k.slice(0, cut + 1);
        if (prefixes.at(-1) !== cp) prefixes.push(cp);
        // Skip the rest of the common prefix, as stores do.
        while (i + 1 < keys.length && keys[i + 1]!.startsWith(cp)) i++;
        last = keys[i]!;
      } else {
        objects.push({ key: k, size: 1, lastModified: '', etag: '' });
        last = k;
      }
    }
    return { objects, prefixes, isTruncated: false, api: 'v2' };
  };
  return { fetchPage, requests: () => requests };
}

async function serial(fetchPage: FetchPage, input: ListObjectsInput): Promise<string[]> {
  const out: string[] = [];
  let token: string | undefined;
  for (;;) {
    const p = await fetchPage({ ...input, continuationToken: token }, new AbortController().signal);
    out.push(...p.prefixes, ...p.objects.map((o) => o.key));
    if (!p.isTruncated) return out.sort(compareKeys);
    token = p.nextToken;
  }
}

async function ranged(fetchPage: FetchPage, input: ListObjectsInput, concurrency: number): Promise<string[]> {
  const seed = await fetchPage(input, new AbortController().signal);
  const out = [...seed.prefixes, ...seed.objects.map((o) => o.key)].sort(compareKeys);
  const space = keySpaceFor(input, seed);
  if (!space) return out;
  for await (const page of walkRanges(fetchPage, input, seed, space, { concurrency })) {
    const got = [...page.prefixes, ...page.objects.map((o) => o.key)].sort(compareKeys);
    // Pages come in key order.
    if (out.length && got.length) expect(compareKeys(out.at(-1)!, got[0]!)).toBeLessThan(0);
    out.push(...got);
  }
  return out;
}

const hex = (n: number) => ((n * 2654435761) >>> 0).toString(16).padStart(8, '0');
const sets: Record<string, string[]> = {
  'zero-padded numbers': Array.from({ length: 5000 }, (_, i) => `big/obj-${String(i).padStart(6, '0')}.txt`),
  'unpadded numbers': Array.from({ length: 3000 }, (_, i) => `p/${i}.nc`),
  'hashes': Array.from({ length: 4000 }, (_, i) => `h/${hex(i)}`),
  'dense then sparse': [...Array.from({ length: 2500 }, (_, i) => `g/a${String(i).padStart(5, '0')}`), ...Array.from({ length: 40 }, (_, i) => `g/z${i * 997}`)],
  'folders and files': Array.from({ length: 3000 }, (_, i) => (i % 3 ? `f/dir${i % 50}/x${i}` : `f/file${String(i).padStart(5, '0')}`)),
  'non-ASCII names': Array.from({ length: 2500 }, (_, i) => `u/${['é', 'ж', '漢', '😀', 'a'][i % 5]}${String(i).padStart(5, '0')}`),
  'mixed case': Array.from({ length: 2500 }, (_, i) => `c/${String.fromCharCode(65 + (i % 26))}${String.fromCharCode(97 + ((i * 7) % 26))}${i}`),
};

describe('walkRanges', () => {
  for (const [name, keys] of Object.entries(sets)) {
    for (const delimiter of [undefined, '/']) {
      it(`lists every entry once, in order: ${name}${delimiter ? ' (delimiter)' : ''}`, async () => {
        const store = fakeStore(keys);
        const prefix = keys[0]!.slice(0, keys[0]!.indexOf('/') + 1);
        for (const maxKeys of [100, 1000]) {
          const input = { bucket: 'b', prefix, delimiter, maxKeys };
          const want = await serial(store.fetchPage, input);
          for (const c of [1, 4, 8]) expect(await ranged(store.fetchPage, input, c)).toEqual(want);
        }
      });
    }
  }

  it('needs about as many requests as pages when the guess fits', async () => {
    const store = fakeStore(sets['zero-padded numbers']!);
    const input = { bucket: 'b', prefix: 'big/', maxKeys: 100 };
    await ranged(store.fetchPage, input, 8);
    // 50 pages serially; ranges cut a little narrower than a page, plus the tail.
    expect(store.requests()).toBeLessThan(80);
  });

  it('stops every range when the consumer stops', async () => {
    const store = fakeStore(sets['hashes']!);
    const input = { bucket: 'b', prefix: 'h/', maxKeys: 100 };
    const seed = await store.fetchPage(input, new AbortController().signal);
    const walker = walkRanges(store.fetchPage, input, seed, keySpaceFor(input, seed)!, { concurrency: 4 });
    await walker.next();
    await walker.return(undefined);
    const after = store.requests();
    await new Promise((r) => setTimeout(r, 10));
    expect(store.requests()).toBe(after);
  });
});
