/**
 * Stores with nested groups for integration, e2e and bench: v2 trees written
 * at test time by Debian's xarray (`to_zarr(store, group=...)`, see
 * make-nested-fixtures.py), and a v3 tree written by zarrita.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as zarr from 'zarrita';

const run = promisify(execFile);

export interface NestedCheck {
  store: string;
  group: string;
  var: string;
  index: number[];
  free: number[];
  values: (number | null)[];
}

/** Run the Python producer into a fresh temporary folder. */
export async function makeNestedFixtures(): Promise<{ dir: string; checks: NestedCheck[]; cleanup: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-nested-'));
  const script = new URL('./make-nested-fixtures.py', import.meta.url).pathname;
  const env = { ...process.env };
  delete env.PYTHONPATH;
  delete env.PYTHONHOME;
  await run('/usr/bin/python3', [script, dir], { env, maxBuffer: 16 * 1024 * 1024 });
  const { checks } = JSON.parse(readFileSync(join(dir, 'expected-nested.json'), 'utf8')) as { checks: NestedCheck[] };
  return { dir, checks, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Values of the v3 tree's `g/h/wind` (time x y x x = 2 x 4 x 6). */
export const V3_NESTED_SHAPE = [2, 4, 6] as const;
export const v3NestedValue = (t: number, y: number, x: number) => t * 100 + y * 10 + x + 0.25;

/** A v3 tree by zarrita: root group, group `g`, group `g/h` with `wind` (zstd chunks) and its `y` coordinate. */
export async function writeV3Tree(put: (key: string, body: Uint8Array) => Promise<unknown>, prefix: string): Promise<void> {
  const mem = new Map<string, Uint8Array>();
  const root = zarr.root(mem);
  await zarr.create(root, { attributes: { title: 'zarrita v3 tree' } });
  await zarr.create(root.resolve('g'), { attributes: { title: 'group g' } });
  await zarr.create(root.resolve('g/h'), { attributes: { title: 'group g/h' } });
  const [nt, ny, nx] = V3_NESTED_SHAPE;
  const data = new Float32Array(nt * ny * nx);
  for (let t = 0; t < nt; t++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) data[(t * ny + y) * nx + x] = v3NestedValue(t, y, x);
  const codecs = [{ name: 'bytes', configuration: { endian: 'little' } }, { name: 'zstd', configuration: { level: 1, checksum: false } }];
  const wind = await zarr.create(root.resolve('g/h/wind'), { shape: [nt, ny, nx], chunkShape: [1, 2, 3], dtype: 'float32', dimensionNames: ['time', 'y', 'x'], codecs, attributes: { units: 'm s-1' } });
  await zarr.set(wind, null, { data, shape: [nt, ny, nx], stride: [ny * nx, nx, 1] });
  const yc = await zarr.create(root.resolve('g/h/y'), { shape: [ny], chunkShape: [ny], dtype: 'float64', dimensionNames: ['y'] });
  await zarr.set(yc, null, { data: new Float64Array([5, 6, 7, 8]), shape: [ny], stride: [1] });
  await Promise.all([...mem].map(([k, v]) => put(`${prefix}${k.slice(1)}`, v)));
}
