/**
 * Reference fixtures for integration and e2e tests: NetCDF-4 data and
 * kerchunk files written by scripts/make-reference-fixtures.py (netCDF4,
 * h5py, checked there with xarray over reference://), in three URL forms:
 * `s3://<bucket>/data/...`, `https://<front>/<bucket>/data/...` and relative.
 * Uploaded with the aws cli; the Parquet layout of v1.json is added by
 * hyparquet-writer (no Parquet writer is packaged for Python in Debian 12).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fromDocument } from '../../../src/lib/refs/parse';
import { aws } from '../../helpers/cli';
import { parquetLayout } from '../../unit/refs/parquet-layout';
import { S3Source } from '../../../src/lib/zarr/s3-source';
import type { KeySource } from '../../../src/lib/zarr/source';
import type { S3Service } from '../../../src/lib/s3/service';
import { serviceAccess } from '../zarr/fixtures';

const run = promisify(execFile);
const SCRIPT = new URL('../../../scripts/make-reference-fixtures.py', import.meta.url).pathname;

export interface ExpectedVar {
  dims: string[];
  shape: number[];
  values: (number | null)[];
}
export type Expected = Record<string, ExpectedVar> & { time_labels: string[] };

function pyEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.PYTHONPATH;
  delete env.PYTHONHOME;
  return env;
}

/** Run the Python producer with URLs starting with `prefix`. */
export async function makeReferenceFixtures(prefix: string): Promise<{ dir: string; expected: Expected; cleanup: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-refs-'));
  await run('/usr/bin/python3', [SCRIPT, dir, '--prefix', prefix], { env: pyEnv(), maxBuffer: 16 * 1024 * 1024 });
  const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected;
  return { dir, expected, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Upload a folder's files (not sub-folders) to `prefix` in `bucket`. */
export async function uploadFiles(dir: string, bucket: string, prefix: string): Promise<void> {
  const r = await aws(['s3', 'cp', '--only-show-errors', '--recursive', dir, `s3://${bucket}/${prefix}`]);
  if (r.code !== 0) throw new Error(`aws s3 cp failed (${r.code}): ${r.stderr.slice(0, 500)}`);
}

/** Put the Parquet layout of `refsFile` (kerchunk JSON) under `prefix`. */
export async function putParquetLayout(refsFile: string, recordSize: number, put: (key: string, body: Uint8Array) => Promise<unknown>, prefix: string): Promise<void> {
  const refs = fromDocument(JSON.parse(readFileSync(refsFile, 'utf8')));
  await Promise.all([...parquetLayout(refs, recordSize)].map(([k, v]) => put(`${prefix}${k}`, v)));
}

/**
 * Open `refsFile` (local path) with xarray through reference:// (s3:// read
 * anonymously from `endpoint`), compare every variable with `ncFile`, and
 * return xarray's values. Rejects when they differ.
 */
export async function xarrayCheck(refsFile: string, endpoint: string, ncFile: string): Promise<Record<string, (number | null)[]>> {
  const { stdout } = await run('/usr/bin/python3', [SCRIPT, '--check', refsFile, '--endpoint', endpoint, '--nc', ncFile], { env: pyEnv(), maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(stdout) as Record<string, (number | null)[]>;
}

export const REFERENCE_FILES = (dir: string) => readdirSync(join(dir, 'refs')).sort();

/** With keys: every bucket through presigned URLs from the S3 service; `presigned` lists what was signed. */
export function withKeys(service: S3Service): { bucket: (name: string) => Promise<KeySource>; presigned: string[] } {
  const presigned: string[] = [];
  const access = serviceAccess(service);
  const counting = { ...access, presignMany: (b: string, keys: string[], e: number) => (presigned.push(...keys.map((k) => `${b}/${k}`)), access.presignMany(b, keys, e)) };
  return { bucket: (name) => S3Source.create(counting, name, ''), presigned };
}
