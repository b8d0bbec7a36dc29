/**
 * A ~115 MB NetCDF-4 file on the real RGW, opened by ranged GETs through
 * presigned URLs as the app does: the metadata read must be a small fraction
 * of the file, the chunk locations equal HDF5's, and a time step read through
 * the references (Zarr decoding, several chunks at once) equal h5py's values.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as zarr from 'zarrita';
import { keyReader, openScientific, registerFletcher32, scanNetcdf } from '../../../src/lib/hdf5';
import type { References } from '../../../src/lib/refs/types';
import { S3Source } from '../../../src/lib/zarr/s3-source';
import type { KeySource } from '../../../src/lib/zarr/source';
import { createBucket, destroyBucket, rgwService } from '../../helpers/s3';
import { serviceAccess } from '../zarr/fixtures';
import { counting } from './counting';
import { openReferenceFile } from '../../../src/lib/refs/open';
import { registerScanner } from '../../../src/lib/refs/scan';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

const bucket = `hdf5-netcdf-${Date.now().toString(36)}`;
const service = rgwService();
const KEY = 'big/tas.nc';
let dir = '';
let size = 0;
let expected: { chunks: [number[], number, number][]; step: number; values: number[] };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-big-nc-'));
  const file = join(dir, 'tas.nc');
  expected = JSON.parse(execFileSync('/usr/bin/python3', [resolve(import.meta.dirname, 'make-big-netcdf.py'), file], { encoding: 'utf8', maxBuffer: 1 << 28 })) as typeof expected;
  const body = readFileSync(file);
  size = body.length;
  await createBucket(bucket);
  await service.putObject({ bucket, key: KEY, body: new Uint8Array(body.buffer, body.byteOffset, body.length), md5: false });
});

afterAll(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  await destroyBucket(bucket);
});

/** A zarrita store over references whose byte ranges are read from one key of a source (a seam for this test). */
function refsStore(refs: References, source: KeySource, key: string) {
  return {
    async get(k: string): Promise<Uint8Array | undefined> {
      const r = refs.refs[k.replace(/^\//, '')];
      if (r === undefined) return undefined;
      if (typeof r === 'string') return new TextEncoder().encode(r);
      if (r.length !== 3) return source.get(key);
      return source.get(key, { offset: r[1], length: r[2] });
    },
  };
}

describe('a chunked NetCDF-4 file on the RGW, by byte ranges', () => {
  it('opens from a small fraction of the file, with HDF5 chunk locations, and reads a time step like h5py', async () => {
    expect(size).toBeGreaterThan(100 * 1024 * 1024);
    const base = await S3Source.create(serviceAccess(service), bucket, '');
    const { source, stats } = counting(base);
    const url = `s3://${bucket}/${KEY}`;
    const opened = await openScientific(keyReader(source, KEY), size, url);
    expect(opened.format).toBe('hdf5');
    expect(opened.skipped).toEqual([]);
    const fraction = stats.bytes / size;
    console.log(`open ${(size / 1e6).toFixed(1)} MB NetCDF-4 (${expected.chunks.length} chunks of tas): ${stats.requests} requests, ${stats.bytes} bytes (${(100 * fraction).toFixed(3)}% of the file)`);
    expect(fraction).toBeLessThan(0.01);
    // The first range holds the headers; the chunk B-tree's leaves lie between the data they index
    // (one range each, read in parallel): 680 chunks take 11 leaves.
    expect(stats.requests).toBeLessThanOrEqual(16);

    for (const [coords, offset, length] of expected.chunks) expect(opened.refs.refs[`tas/${coords.join('.')}`]).toEqual([url, offset, length]);

    registerFletcher32();
    const before = { ...stats };
    const arr = await zarr.open.v2(zarr.root(refsStore(opened.refs, source, KEY)).resolve('tas'), { kind: 'array' });
    const got = await zarr.get(arr, [expected.step, null, null]);
    const values = Array.from(got.data as Float32Array);
    expect(values.length).toBe(expected.values.length);
    expect(values).toEqual(expected.values);
    console.log(`one time step (4 chunks): ${stats.requests - before.requests} requests, ${stats.bytes - before.bytes} bytes`);
  });

  it('scans the file without knowing its size (presigned GETs cannot answer HEAD), as the reference store does', async () => {
    const folder = counting(await S3Source.create(serviceAccess(service), bucket, 'big'));
    const scanned = await scanNetcdf(folder.source, 'tas.nc');
    expect(scanned.skipped).toEqual([]);
    for (const [coords, offset, length] of expected.chunks) expect(scanned.refs[`tas/${coords.join('.')}`]).toEqual(['tas.nc', offset, length]);
    expect(folder.stats.bytes / size).toBeLessThan(0.01);
  });

  it('opens as the dataset view does (references made on the fly) without reading the chunk index, then reads only the leaf a time step is in', async () => {
    registerFletcher32();
    registerScanner(scanNetcdf);
    const eager = await scanNetcdf((await S3Source.create(serviceAccess(service), bucket, 'big')), 'tas.nc');
    const counted = counting(await S3Source.create(serviceAccess(service), bucket, ''));
    const source = await openReferenceFile({ location: { kind: 's3', bucket, key: KEY }, bucket: () => Promise.resolve(counted.source), format: 'scan' });
    // The headers are in the first range; none of the 11 leaves is read yet.
    expect(counted.stats.requests).toBeLessThanOrEqual(2);
    const opened = { ...counted.stats };
    const arr = await zarr.open.v2(zarr.root({ get: (k: string) => source.get(k.replace(/^\//, '')) }).resolve('tas'), { kind: 'array' });
    const got = await zarr.get(arr, [expected.step, null, null]);
    expect(Array.from(got.data as Float32Array)).toEqual(expected.values);
    // Its 4 chunks, and the one leaf that lists them (the root node came with the headers).
    expect(counted.stats.requests - opened.requests).toBeLessThanOrEqual(4 + 1);
    // Saved as kerchunk JSON, the references list every chunk, as the full scan does.
    const { skipped: _, ...full } = eager;
    expect(await source.references()).toEqual(full);
  });
});
