/**
 * What the page changes on the store shows in every open listing at once:
 * the rows a change makes at a listing's level, and a listing that takes
 * them (also while its pages are still arriving). The worker is a recording
 * stand-in at its typed seam: it serves the listing's pages.
 */
import { describe, expect, it } from 'vitest';
import { announceChange, Listing, rowsFor, writtenObject } from '../../src/state/listing.svelte';
import type { ListObjectsPage, ObjectSummary } from '../../src/lib/s3/ops/list-objects';
import type { S3WorkerRemote } from '../../src/rpc/s3';

const obj = (key: string, size = 1): ObjectSummary => ({ key, size, etag: 'e', lastModified: '2024-01-01T00:00:00.000Z' });

function worker(pages: ListObjectsPage[], gate?: Promise<void>): S3WorkerRemote {
  const walk = {
    async listAhead({ onPage }: { onPage: (p: ListObjectsPage) => void }) {
      for (const p of pages) onPage(p);
      await gate;
      return { nextToken: undefined };
    },
  };
  const connection = { cancel: async () => undefined };
  return { walk, connection } as unknown as S3WorkerRemote;
}

const page = (objects: ObjectSummary[], prefixes: string[] = []): ListObjectsPage => ({ objects, prefixes }) as unknown as ListObjectsPage;

function rows(l: Listing): string[] {
  return l.model.slice(0, l.model.length).map((r) => (r.kind === 'folder' ? r.prefix : r.key));
}

describe('rows a change makes in a listing', () => {
  it('objects at the level, folders for deeper keys, nothing outside or for the marker of the prefix itself', () => {
    const { folders, objects } = rowsFor('data/', [obj('data/a.txt'), obj('data/sub/b.txt'), obj('data/sub/c/d.txt'), obj('data/new/'), obj('other/x'), obj('data/')]);
    expect(objects.map((o) => [o.key, o.name])).toEqual([['data/a.txt', 'a.txt']]);
    expect(folders.map((f) => [f.prefix, f.name])).toEqual([
      ['data/sub/', 'sub/'],
      ['data/new/', 'new/'],
    ]);
  });

  it('an object from an HTTP date, or from nothing', () => {
    expect(writtenObject('k', { size: 3, etag: 'x', lastModified: 'Wed, 21 Oct 2015 07:28:00 GMT' })).toEqual({ key: 'k', size: 3, etag: 'x', lastModified: '2015-10-21T07:28:00.000Z' });
    expect(Date.parse(writtenObject('k', { size: 0 }).lastModified)).toBeGreaterThan(Date.parse('2020-01-01'));
  });
});

describe('an open listing', () => {
  it('shows written objects and folders, and drops removed ones, without listing again', async () => {
    const l = new Listing('bkt', 'p/', worker([page([obj('p/a.txt', 5), obj('p/b.txt', 7)], ['p/old/'])]));
    await l.load();
    expect(rows(l)).toEqual(['p/old/', 'p/a.txt', 'p/b.txt']);
    const before = l.version;
    // An upload, a copy into a new folder, a move away, a deleted folder; and another bucket's change.
    announceChange({ bucket: 'bkt', written: [obj('p/c.txt', 3), obj('p/new/deep/x', 9)] });
    announceChange({ bucket: 'bkt', removed: ['p/b.txt', 'p/old/'] });
    announceChange({ bucket: 'elsewhere', written: [obj('p/z.txt')] });
    expect(l.version).toBeGreaterThan(before);
    expect(rows(l)).toEqual(['p/new/', 'p/a.txt', 'p/c.txt']);
    expect(l.objectCount).toBe(2);
    expect(l.totalBytes).toBe(8);
    // Written again (metadata edit, upload over it): one row, the new size.
    announceChange({ bucket: 'bkt', written: [obj('p/c.txt', 4), obj('p/new/other')] });
    expect(rows(l)).toEqual(['p/new/', 'p/a.txt', 'p/c.txt']);
    expect(l.totalBytes).toBe(9);
    l.dispose();
    announceChange({ bucket: 'bkt', written: [obj('p/after.txt')] });
    expect(rows(l)).not.toContain('p/after.txt');
  });

  it('takes a change that comes while pages arrive once they are all in (a later page may hold the same key)', async () => {
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const l = new Listing('bkt', 'p/', worker([page([obj('p/a.txt')])], gate));
    const loading = l.load();
    announceChange({ bucket: 'bkt', written: [obj('p/a.txt', 2), obj('p/b.txt')] });
    announceChange({ bucket: 'bkt', removed: ['p/a.txt'] });
    open();
    await loading;
    expect(rows(l)).toEqual(['p/b.txt']);
    l.dispose();
  });
});
