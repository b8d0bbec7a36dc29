/**
 * A NetCDF-4 file above 1 GiB on the real RGW (uploaded by the aws cli, in
 * parts, as a user would), opened as the app opens it: by ranged GETs through
 * presigned URLs, without knowing its size. The metadata read stays a tiny
 * fraction of the file, every chunk location equals HDF5's (offsets past
 * 1 GiB included), and time steps read through the references, the last one
 * at the file's end, have the values h5py reads (compared by SHA-256).
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as zarr from 'zarrita';
import { scanNetcdf } from '../../../src/lib/hdf5';
import type { References } from '../../../src/lib/refs/types';
import { S3Source } from '../../../src/lib/zarr/s3-source';
import type { KeySource } from '../../../src/lib/zarr/source';
import { aws } from '../../helpers/cli';
import { createBucket, destroyBucket, rgwService, uniqueBucket } from '../../helpers/s3';
import { serviceAccess } from '../zarr/fixtures';
import { counting } from './counting';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

const GiB = 1024 ** 3;
const bucket = uniqueBucket('huge-nc');
const service = rgwService();
let dir = '';
let size = 0;
let expected: { chunks: [number[], number, number][]; sums: Record<string, string> };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-huge-nc-'));
  const file = join(dir, 'tas.nc');
  expected = JSON.parse(execFileSync('/usr/bin/python3', [resolve(import.meta.dirname, 'make-huge-netcdf.py'), file], { encoding: 'utf8', maxBuffer: 1 << 26 })) as typeof expected;
  size = statSync(file).size;
  await createBucket(bucket);
  const put = await aws(['s3', 'cp', '--only-show-errors', file, `s3://${bucket}/era/tas.nc`]);
  expect(put.code, put.stderr).toBe(0);
  // The local copy is not needed once the store holds it (1.2 GB of disk).
  rmSync(file);
});

afterAll(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  await destroyBucket(bucket);
});

/** A zarrita store over references whose byte ranges are read from one folder's source (a seam for this test). */
function refsStore(refs: References, source: KeySource) {
  return {
    async get(k: string): Promise<Uint8Array | undefined> {
      const r = refs.refs[k.replace(/^\//, '')];
      if (r === undefined) return undefined;
      if (typeof r === 'string') return new TextEncoder().encode(r);
      if (r.length !== 3) return source.get(r[0]);
      return source.get(r[0], { offset: r[1], length: r[2] });
    },
  };
}

describe('a NetCDF-4 file above 1 GiB on the RGW, by byte ranges', () => {
  it('opens from a tiny fraction of the file, with HDF5 chunk locations past 1 GiB, and reads steps like h5py', async () => {
    expect(size).toBeGreaterThan(GiB);
    const folder = counting(await S3Source.create(serviceAccess(service), bucket, 'era'));
    const scanned = await scanNetcdf(folder.source, 'tas.nc');
    expect(scanned.skipped).toEqual([]);
    const fraction = folder.stats.bytes / size;
    console.log(`open ${(size / GiB).toFixed(2)} GiB NetCDF-4 (${expected.chunks.length} chunks of tas): ${folder.stats.requests} requests, ${folder.stats.bytes} bytes (${(100 * fraction).toFixed(3)}% of the file)`);
    expect(fraction).toBeLessThan(0.001);

    expect(expected.chunks.length).toBe(300);
    expect(Math.max(...expected.chunks.map((c) => c[1]))).toBeGreaterThan(GiB);
    for (const [coords, offset, length] of expected.chunks) expect(scanned.refs[`tas/${coords.join('.')}`]).toEqual(['tas.nc', offset, length]);

    const arr = await zarr.open.v2(zarr.root(refsStore(scanned, folder.source)).resolve('tas'), { kind: 'array' });
    expect(arr.shape).toEqual([300, 720, 1440]);
    for (const [step, sum] of Object.entries(expected.sums)) {
      const got = await zarr.get(arr, [Number(step), null, null]);
      const data = got.data as Float32Array;
      expect(createHash('sha256').update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)).digest('hex'), `time step ${step}`).toBe(sum);
    }
  });
});
