/**
 * The reference store: inline bytes, whole objects, byte ranges (and ranges
 * within them), URLs resolved to buckets, folders and other hosts, the
 * Parquet layout read lazily, and a dataset opened through it. Objects live
 * in a MemorySource (a seam inside Tessera; the RGW is covered by the
 * integration tests).
 */
import { describe, expect, it } from 'vitest';
import { ReferenceSource } from '../../../src/lib/refs/source';
import { MemoryLookup } from '../../../src/lib/refs/lookup';
import { ParquetLookup } from '../../../src/lib/refs/parquet';
import { joinRelative, makeResolver, HttpsSource } from '../../../src/lib/refs/resolve';
import { openReferenceFile, openReferences, under } from '../../../src/lib/refs/open';
import { encodeReferences } from '../../../src/lib/refs/write';
import type { Reference, References } from '../../../src/lib/refs/types';
import { ZarrDataset } from '../../../src/lib/zarr/open';
import { ZarrError } from '../../../src/lib/zarr/errors';
import type { KeySource } from '../../../src/lib/zarr/source';
import { le, MemorySource } from '../zarr/memory-source';
import { parquetLayout } from './parquet-layout';

const T = [4, 6] as const;
const tValue = (i: number, j: number) => i * 10 + j - 2.5;

/** A "file" holding the four 2x3 float32 chunks of t (4x6) at irregular offsets, and references to them. */
function dataset(url: string): { file: Uint8Array; refs: References } {
  const file = new Uint8Array(512);
  const refs: Record<string, Reference> = {
    '.zgroup': '{"zarr_format":2}',
    '.zattrs': JSON.stringify({ title: 'refs' }),
    't/.zarray': JSON.stringify({ zarr_format: 2, shape: T, chunks: [2, 3], dtype: '<f4', compressor: null, filters: null, fill_value: null, order: 'C' }),
    't/.zattrs': JSON.stringify({ _ARRAY_DIMENSIONS: ['y', 'x'], units: 'K' }),
    'y/.zarray': JSON.stringify({ zarr_format: 2, shape: [4], chunks: [4], dtype: '<f8', compressor: null, filters: null, fill_value: null, order: 'C' }),
    'y/.zattrs': JSON.stringify({ _ARRAY_DIMENSIONS: ['y'] }),
    'y/0': `base64:${btoa(String.fromCharCode(...le(new Float64Array([10, 20, 30, 40])))) }`,
  };
  let at = 17;
  for (let ci = 0; ci < 2; ci++) for (let cj = 0; cj < 2; cj++) {
    const chunk = new Float32Array(6);
    for (let a = 0; a < 2; a++) for (let b = 0; b < 3; b++) chunk[a * 3 + b] = tValue(ci * 2 + a, cj * 3 + b);
    file.set(le(chunk), at);
    refs[`t/${ci}.${cj}`] = [url, at, 24];
    at += 24 + 13 * (ci + cj + 1);
  }
  return { file, refs: { version: 1, refs } };
}

const expectedT = () => Array.from({ length: 24 }, (_, n) => tValue(Math.floor(n / 6), n % 6));

describe('ReferenceSource', () => {
  it('opens a dataset from references in memory, relative to a folder, in one metadata step', async () => {
    const folder = new MemorySource();
    const { file, refs } = dataset('data.bin');
    folder.files.set('data.bin', file);
    const ds = await ZarrDataset.open(openReferences(refs, folder));
    expect(ds.hierarchy.method).toBe('consolidated-v2');
    expect(ds.info.attrs).toMatchObject({ title: 'refs' });
    const r = await ds.read('t', { index: [0, 0], free: [0, 1] });
    expect(Array.from(r.values)).toEqual(expectedT());
    expect(ds.coord('y')?.values).toEqual([10, 20, 30, 40]);
    // Only the referenced byte ranges were read, each once.
    expect(folder.ranges.map((r) => r.range)).toEqual(expect.arrayContaining([{ offset: 17, length: 24 }]));
    expect(folder.reads.filter((k) => k !== 'data.bin')).toEqual([]);
  });

  it('reads whole-object references with a plain read, and ranges within references', async () => {
    const objects = new MemorySource();
    objects.files.set('w.bin', new Uint8Array([1, 2, 3, 4, 5, 6]));
    objects.files.set('r.bin', new Uint8Array([9, 9, 1, 2, 3, 4, 9]));
    const src = openReferences({ version: 1, refs: { whole: ['w.bin'], ranged: ['r.bin', 2, 4], inline: 'base64:AAECAw==' } }, objects);
    expect([...(await src.get('whole'))!]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(objects.ranges.find((r) => r.key === 'w.bin')).toBeUndefined();
    expect([...(await src.get('ranged'))!]).toEqual([1, 2, 3, 4]);
    expect([...(await src.get('ranged', { offset: 1, length: 2 }))!]).toEqual([2, 3]);
    expect([...(await src.get('ranged', { suffixLength: 1 }))!]).toEqual([4]);
    expect([...(await src.get('inline', { offset: 1, length: 2 }))!]).toEqual([1, 2]);
    expect(await src.get('absent')).toBeUndefined();
  });

  it('says which reference points at a missing, forbidden or short object', async () => {
    const objects = new MemorySource();
    objects.files.set('short.bin', new Uint8Array(3));
    const src = openReferences({ version: 1, refs: { gone: ['nope.bin', 0, 4], short: ['short.bin', 0, 8] } }, objects);
    await expect(src.get('gone')).rejects.toThrow(/"gone" refers to nope.bin, which does not exist/);
    await expect(src.get('short')).rejects.toMatchObject({ kind: 'truncated-chunk' });
    objects.missingIs403 = true;
    // A 403 from a referenced object is an error, never "a chunk that was not written".
    await expect(src.get('gone')).rejects.toMatchObject({ kind: 'fetch-failed', message: expect.stringMatching(/Access denied \(403\) reading nope.bin/) });
  });

  it('lists like a store, with the sizes the references give', async () => {
    const { refs } = dataset('data.bin');
    const src = openReferences(refs, new MemorySource());
    const root = await src.list('');
    expect(root.prefixes.sort()).toEqual(['t/', 'y/']);
    const t = await src.list('t/');
    expect(t.keys.find((k) => k.key === 't/1.1')).toEqual({ key: 't/1.1', size: 24 });
  });

  it('presigns ahead in one batch per target source', async () => {
    const batches: string[][] = [];
    const a = Object.assign(new MemorySource(), { prepare: (keys: string[]) => void batches.push(keys) });
    const { refs } = dataset('data.bin');
    const src = openReferences(refs, a);
    src.prepare(['t/0.0', 't/0.1', 'y/0']);
    await new Promise((r) => setTimeout(r, 0));
    expect(batches).toEqual([['data.bin', 'data.bin']]);
  });
});

describe('URL resolution', () => {
  const buckets = new Map<string, MemorySource>();
  const bucket = async (name: string): Promise<KeySource> => {
    if (!buckets.has(name)) buckets.set(name, new MemorySource());
    return buckets.get(name)!;
  };

  it('joins relative keys inside the bucket', () => {
    expect(joinRelative('a/b/refs.json', 'data.nc')).toBe('a/b/data.nc');
    expect(joinRelative('a/b/refs.json', '../c/./d.nc')).toBe('a/c/d.nc');
    expect(joinRelative('refs.json', '../x')).toBeUndefined();
  });

  it('maps s3://, the connected endpoint, relative and other hosts', async () => {
    const resolve = makeResolver({ kind: 's3', bucket: 'home', key: 'dir/refs.json' }, { bucket, endpoint: 'https://store.example:8443' });
    expect(await resolve('s3://other/x/y.nc')).toEqual({ source: buckets.get('other'), key: 'x/y.nc' });
    expect(await resolve('https://store.example:8443/third/k%20ey.nc')).toEqual({ source: buckets.get('third'), key: 'k ey.nc' });
    expect(await resolve('data.nc')).toEqual({ source: buckets.get('home'), key: 'dir/data.nc' });
    expect(await resolve('/top.nc')).toEqual({ source: buckets.get('home'), key: 'top.nc' });
    const far = await resolve('https://data.example.org/a/b.nc');
    expect(far.source).toBeInstanceOf(HttpsSource);
    expect(far.key).toBe('https://data.example.org/a/b.nc');
    await expect(resolve('gs://b/k')).rejects.toThrow(/s3:\/\/, https:\/\/ and relative URLs only/);
    await expect(resolve('../../up.nc')).rejects.toThrow(/outside the bucket home/);
    const byUrl = makeResolver({ kind: 'url', url: 'https://h.example/b/dir/refs.json' }, { bucket });
    expect((await byUrl('data.nc')).key).toBe('https://h.example/b/dir/data.nc');
  });

  it('says plainly when another host refuses the browser (CORS)', async () => {
    const refused: typeof fetch = () => Promise.reject(new TypeError('Failed to fetch'));
    const src = new HttpsSource(refused);
    const err = await src.get('https://data.example.org/a/b.nc', { offset: 0, length: 4 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ZarrError);
    expect((err as Error).message).toMatch(/data\.example\.org gave no answer.*\(CORS\).*Ask the owner of data\.example\.org to allow GET and HEAD from .* with the Range header/);
  });
});

describe('openReferenceFile', () => {
  it('reads a kerchunk JSON file next to its data, and its Parquet layout lazily', async () => {
    const home = new MemorySource();
    const { file, refs } = dataset('s3://home/dir/data.bin');
    home.files.set('dir/data.bin', file);
    home.files.set('dir/refs.json', encodeReferences(refs));
    for (const [k, v] of parquetLayout(refs, 3)) home.files.set(`dir/refs.parq/${k}`, v);
    const bucket = async () => home;
    for (const key of ['dir/refs.json', 'dir/refs.parq']) {
      home.reads.length = 0;
      const ds = await ZarrDataset.open(await openReferenceFile({ location: { kind: 's3', bucket: 'home', key }, bucket }));
      expect(ds.hierarchy.method).toBe('consolidated-v2');
      const r = await ds.read('t', { index: [0, 0], free: [0, 1] });
      expect(Array.from(r.values)).toEqual(expectedT());
      expect(ds.coord('y')?.values).toEqual([10, 20, 30, 40]);
      if (key.endsWith('.parq')) expect(home.reads.filter((k) => k.endsWith('.parq')).sort()).toEqual(['dir/refs.parq/t/refs.0.parq', 'dir/refs.parq/t/refs.1.parq', 'dir/refs.parq/y/refs.0.parq']);
    }
  });

  it('the Parquet lookup answers inline rows, whole objects and absent chunks', async () => {
    const folder = new MemorySource();
    const refs: References = {
      version: 1,
      refs: {
        '.zgroup': '{"zarr_format":2}',
        'v/.zarray': JSON.stringify({ zarr_format: 2, shape: [5], chunks: [1], dtype: '|u1', compressor: null, filters: null, fill_value: 0, order: 'C' }),
        'v/0': 'base64:Bw==',
        'v/1': ['s3://b/whole.bin'],
        'v/3': ['s3://b/f.bin', 100, 1],
      },
    };
    for (const [k, v] of parquetLayout(refs, 2)) folder.files.set(k, v);
    const lookup = await ParquetLookup.open(folder);
    expect(lookup.metadata()['v/.zarray']).toMatchObject({ shape: [5] });
    expect(await lookup.get('v/0')).toBe('base64:Bw==');
    expect(await lookup.get('v/1')).toEqual(['s3://b/whole.bin']);
    expect(await lookup.get('v/2')).toBeUndefined();
    expect(await lookup.get('v/3')).toEqual(['s3://b/f.bin', 100, 1]);
    expect(await lookup.get('v/9')).toBeUndefined();
    expect(await lookup.get('other/0')).toBeUndefined();
    // All of it, for writing as JSON: the same references, absent chunks left out.
    const all = await lookup.all();
    expect(all.refs['v/3']).toEqual(['s3://b/f.bin', 100, 1]);
    expect(Object.keys(all.refs).sort()).toEqual(['.zgroup', 'v/.zarray', 'v/0', 'v/1', 'v/3']);
  });

  it('opens references under a folder prefix of a bucket', async () => {
    const bucket = new MemorySource();
    bucket.files.set('a/b/k', new Uint8Array([1]));
    const folder = under(bucket, 'a/b/');
    expect([...(await folder.get('k'))!]).toEqual([1]);
    expect(new ReferenceSource(new MemoryLookup({ version: 1, refs: {} }), async () => ({ source: folder, key: 'k' }), 'x', false).label).toBe('x');
  });
});
