/**
 * NetCDF-3 (classic, 64-bit offset, 64-bit data) references against xarray
 * opening the same files, written at test time by scipy and netCDF-C.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Hdf5Error } from '../../../src/lib/hdf5';
import { netcdf3References } from '../../../src/lib/netcdf3';
import { compareWithXarray, fileReader, type Fixtures, makeFixtures } from '../hdf5/fixtures';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

let fx: Fixtures;
beforeAll(() => {
  fx = makeFixtures();
});
afterAll(() => fx?.cleanup());

async function refsOf(name: string) {
  const f = fileReader(join(fx.dir, name));
  try {
    return { ...(await netcdf3References(f.read, f.size, join(fx.dir, name))), requests: f.requests };
  } finally {
    f.close();
  }
}

describe('xarray opens the references with the values of the file', () => {
  for (const [name, engine] of [['nc3-classic.nc', 'scipy'], ['nc3-64bit.nc', 'scipy'], ['nc3-one-record-var.nc', 'scipy'], ['nc3-cdf5.nc', 'netcdf4']] as const) {
    it(name, async () => {
      const { refs } = await refsOf(name);
      const r = compareWithXarray(join(fx.dir, name), refs, engine, ['/']);
      expect(r.problems).toEqual([]);
      expect(r.checked.length).toBeGreaterThan(0);
    });
  }
});

describe('the header', () => {
  it('gives record variables one chunk per record, big-endian', async () => {
    const { refs, header } = await refsOf('nc3-classic.nc');
    expect(header.version).toBe(1);
    expect(header.numrecs).toBe(4);
    const b = JSON.parse(refs.refs['b/.zarray'] as string) as Record<string, unknown>;
    expect(b).toMatchObject({ shape: [4, 3, 5], chunks: [1, 3, 5], dtype: '>i2', compressor: null });
    expect(Object.keys(refs.refs).filter((k) => /^b\/\d/.test(k))).toEqual(['b/0.0.0', 'b/1.0.0', 'b/2.0.0', 'b/3.0.0']);
    expect(JSON.parse(refs.refs['a/.zarray'] as string)).toMatchObject({ fill_value: -1 });
    expect(JSON.parse(refs.refs['a/.zattrs'] as string)).toEqual({ _ARRAY_DIMENSIONS: ['time', 'x'] });
  });

  it('grows the read when the header is larger than the first range (CDF-5)', async () => {
    const { header, requests } = await refsOf('nc3-cdf5.nc');
    expect(header.version).toBe(5);
    expect(requests).toBeGreaterThanOrEqual(2);
    expect((header.attrs.note as string).length).toBe(150_000);
  });

  it('counts records from the size when the count was never written (streaming)', async () => {
    const bytes = readFileSync(join(fx.dir, 'nc3-classic.nc'));
    const copy = bytes.slice();
    copy.writeUInt32BE(0xffffffff, 4);
    const { header } = await netcdf3References(async (o, n) => copy.subarray(o, o + n), copy.length, 'x');
    expect(header.numrecs).toBe(4);
  });

  it('refuses garbage and truncation with structured errors', async () => {
    const bytes = readFileSync(join(fx.dir, 'nc3-64bit.nc'));
    for (const cut of [3, 10, 40, 200]) {
      const part = bytes.subarray(0, cut);
      await expect(netcdf3References(async (o, n) => part.subarray(o, o + n), part.length, 'x')).rejects.toBeInstanceOf(Hdf5Error);
    }
    const junk = new TextEncoder().encode('CDF\u0001' + '\u00ff'.repeat(60));
    await expect(netcdf3References(async (o, n) => junk.subarray(o, o + n), junk.length, 'x')).rejects.toBeInstanceOf(Hdf5Error);
  });
});
