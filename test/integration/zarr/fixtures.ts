/**
 * Zarr fixtures for integration, e2e and bench: v2 stores written at test
 * time by Debian's xarray/zarr (scripts/make-zarr-fixtures.py), uploaded to
 * the RGW with the aws cli; v3 and sharded stores written by zarrita.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createCRC32 } from 'hash-wasm';
import * as zarr from 'zarrita';
import type { S3Service } from '../../../src/lib/s3/service';
import type { S3Access } from '../../../src/lib/zarr/s3-source';
import { aws } from '../../helpers/cli';
import { rgwClient } from '../../helpers/s3';
import { PutBucketPolicy } from '../../../src/lib/s3/ops/index';

const run = promisify(execFile);

export interface FixtureCheck {
  store: string;
  var: string;
  index: number[];
  free: number[];
  values: (number | null)[];
}

export interface Expected {
  xarray: string;
  zarr: string;
  timeLabels: string[];
  checks: FixtureCheck[];
}

/** Run the Python producer into a fresh temporary folder. */
export async function makeFixtures(): Promise<{ dir: string; expected: Expected; cleanup: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-zarr-'));
  const script = new URL('../../../scripts/make-zarr-fixtures.py', import.meta.url).pathname;
  const env = { ...process.env };
  delete env.PYTHONPATH;
  delete env.PYTHONHOME;
  await run('/usr/bin/python3', [script, dir], { env, maxBuffer: 16 * 1024 * 1024 });
  const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected;
  return { dir, expected, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Upload a folder with the aws cli, as a scientist would (`aws s3 sync`). */
export async function uploadDir(dir: string, bucket: string, prefix = ''): Promise<void> {
  const r = await aws(['s3', 'sync', '--only-show-errors', '--exclude', 'expected.json', dir, `s3://${bucket}/${prefix}`]);
  if (r.code !== 0) throw new Error(`aws s3 sync failed (${r.code}): ${r.stderr.slice(0, 500)}`);
}

/** JASMIN's "read-only for everyone" template: GetObject for anonymous, but no ListBucket. */
export async function makeReadableByAnyone(bucket: string): Promise<void> {
  const policy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Sid: 'read', Effect: 'Allow', Principal: '*', Action: ['s3:GetObject'], Resource: [`arn:aws:s3:::${bucket}/*`] }],
  });
  await rgwClient().send(PutBucketPolicy, { bucket, policy });
}

/** The S3 worker's reader façade, served by an in-process S3Service. */
export function serviceAccess(s: S3Service): S3Access {
  return {
    presignMany: (bucket, keys, expires) => s.presignMany(bucket, keys, expires),
    listPage: (input) => s.send('ListObjectsV2', input),
    anonymous: () => s.isAnonymous(),
  };
}

/** Values of the v3 fixtures, so tests can compare. */
export const V3_SHAPE = [3, 8, 10] as const;
export const v3Value = (t: number, y: number, x: number) => t * 1000 + y * 10 + x - 40.5;

function v3Data(): Float32Array {
  const [nt, ny, nx] = V3_SHAPE;
  const data = new Float32Array(nt * ny * nx);
  for (let t = 0; t < nt; t++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) data[(t * ny + y) * nx + x] = v3Value(t, y, x);
  return data;
}

/**
 * Write a v3 group with zarrita: `plain` (zstd chunks) and `sharded` (shards
 * of 1x8x10 holding 1x4x5 inner chunks). zarrita cannot write shards, so the
 * inner chunks are encoded by zarrita and packed into shards here, index and
 * CRC32C as the sharding spec says.
 */
export async function writeV3Store(put: (key: string, body: Uint8Array) => Promise<unknown>, prefix: string): Promise<void> {
  const mem = new Map<string, Uint8Array>();
  const root = zarr.root(mem);
  await zarr.create(root, { attributes: { title: 'zarrita v3 fixture' } });
  const shape = [...V3_SHAPE];
  const data = { data: v3Data(), shape, stride: [V3_SHAPE[1] * V3_SHAPE[2], V3_SHAPE[2], 1] };
  const inner = [1, 4, 5];
  const innerCodecs = [{ name: 'bytes', configuration: { endian: 'little' } }, { name: 'zstd', configuration: { level: 1, checksum: false } }];
  const plain = await zarr.create(root.resolve('plain'), { shape, chunkShape: inner, dtype: 'float32', dimensionNames: ['time', 'y', 'x'], codecs: innerCodecs, attributes: { units: 'K' } });
  await zarr.set(plain, null, data);
  const t = await zarr.create(root.resolve('time'), { shape: [3], chunkShape: [3], dtype: 'int32', dimensionNames: ['time'], attributes: { units: 'days since 2001-01-01', calendar: 'noleap' } });
  await zarr.set(t, null, { data: new Int32Array([0, 31, 59]), shape: [3], stride: [1] });

  // Sharded array: same data, shard shape 1x8x10 (4 inner chunks per shard).
  const shard = [1, 8, 10];
  const meta = {
    zarr_format: 3, node_type: 'array', shape, data_type: 'float32', dimension_names: ['time', 'y', 'x'], fill_value: 0,
    chunk_grid: { name: 'regular', configuration: { chunk_shape: shard } },
    chunk_key_encoding: { name: 'default', configuration: { separator: '/' } },
    codecs: [{ name: 'sharding_indexed', configuration: { chunk_shape: inner, codecs: innerCodecs, index_codecs: [{ name: 'bytes', configuration: { endian: 'little' } }, { name: 'crc32c' }], index_location: 'end' } }],
    attributes: { units: 'K' },
  };
  mem.set('/sharded/zarr.json', new TextEncoder().encode(JSON.stringify(meta)));
  for (let ts = 0; ts < V3_SHAPE[0]; ts++) {
    const inner: Uint8Array[] = [];
    for (let cy = 0; cy < 2; cy++) for (let cx = 0; cx < 2; cx++) inner.push(mem.get(`/plain/c/${ts}/${cy}/${cx}`)!);
    mem.set(`/sharded/c/${ts}/0/0`, await packShard(inner));
  }
  await Promise.all([...mem].map(([k, v]) => put(`${prefix}${k.slice(1)}`, v)));
}

/**
 * A shard as the sharding codec writes it: the encoded inner chunks (in C
 * order of their grid) one after the other, then the index of (offset,
 * length) pairs and its CRC32C, little-endian (index_location "end").
 */
export async function packShard(inner: Uint8Array[]): Promise<Uint8Array> {
  const index = new DataView(new ArrayBuffer(16 * inner.length));
  let offset = 0;
  inner.forEach((bytes, i) => {
    index.setBigUint64(i * 16, BigInt(offset), true);
    index.setBigUint64(i * 16 + 8, BigInt(bytes.length), true);
    offset += bytes.length;
  });
  const indexBytes = new Uint8Array(index.buffer);
  const crc = await createCRC32(0x82f63b78);
  crc.init();
  crc.update(indexBytes);
  // hash-wasm gives the CRC big-endian; the crc32c codec stores it little-endian.
  const sum = new Uint8Array(crc.digest('binary')).reverse();
  const total = new Uint8Array(offset + indexBytes.length + 4);
  let at = 0;
  for (const p of [...inner, indexBytes, sum]) {
    total.set(p, at);
    at += p.length;
  }
  return total;
}

/** Shape and values of the v3 stores whose chunks span the time dimension. */
export const V3_SPAN_SHAPE = [4, 6, 10] as const;
export const v3SpanValue = (t: number, y: number, x: number) => Math.fround(t * 100 + y * 10 + x * 0.5 - 20.25);

/**
 * A v3 group written by zarrita whose chunks hold every time step: `span`
 * (chunks of 4 x 4 x 5, which do not divide y) and `sharded` (one shard of
 * 4 x 6 x 10 holding inner chunks of 4 x 3 x 5).
 */
export async function writeV3SpanStore(put: (key: string, body: Uint8Array) => Promise<unknown>, prefix: string): Promise<void> {
  const mem = new Map<string, Uint8Array>();
  const root = zarr.root(mem);
  await zarr.create(root, { attributes: { title: 'chunks spanning time' } });
  const [nt, ny, nx] = V3_SPAN_SHAPE;
  const data = new Float32Array(nt * ny * nx);
  for (let t = 0; t < nt; t++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) data[(t * ny + y) * nx + x] = v3SpanValue(t, y, x);
  const shape = [...V3_SPAN_SHAPE];
  const codecs = [{ name: 'bytes', configuration: { endian: 'little' } }, { name: 'zstd', configuration: { level: 1, checksum: false } }];
  const attributes = { units: 'K' };
  const span = await zarr.create(root.resolve('span'), { shape, chunkShape: [nt, 4, 5], dtype: 'float32', dimensionNames: ['time', 'y', 'x'], codecs, attributes });
  await zarr.set(span, null, { data, shape, stride: [ny * nx, nx, 1] });
  // The inner chunks of the shard, encoded by zarrita as a plain array of that chunking.
  const inner = await zarr.create(root.resolve('inner'), { shape, chunkShape: [nt, 3, 5], dtype: 'float32', dimensionNames: ['time', 'y', 'x'], codecs, attributes });
  await zarr.set(inner, null, { data, shape, stride: [ny * nx, nx, 1] });
  const chunks: Uint8Array[] = [];
  for (let cy = 0; cy < 2; cy++) for (let cx = 0; cx < 2; cx++) chunks.push(mem.get(`/inner/c/0/${cy}/${cx}`)!);
  const meta = {
    zarr_format: 3, node_type: 'array', shape, data_type: 'float32', dimension_names: ['time', 'y', 'x'], fill_value: 0,
    chunk_grid: { name: 'regular', configuration: { chunk_shape: shape } },
    chunk_key_encoding: { name: 'default', configuration: { separator: '/' } },
    codecs: [{ name: 'sharding_indexed', configuration: { chunk_shape: [nt, 3, 5], codecs, index_codecs: [{ name: 'bytes', configuration: { endian: 'little' } }, { name: 'crc32c' }], index_location: 'end' } }],
    attributes,
  };
  const shard = await packShard(chunks);
  for (const k of [...mem.keys()]) if (k.startsWith('/inner/')) mem.delete(k);
  mem.set('/sharded/zarr.json', new TextEncoder().encode(JSON.stringify(meta)));
  mem.set('/sharded/c/0/0/0', shard);
  await Promise.all([...mem].map(([k, v]) => put(`${prefix}${k.slice(1)}`, v)));
}
