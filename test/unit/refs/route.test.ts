/** Reference datasets in the address, and the Python that reproduces them. */
import { describe, expect, it } from 'vitest';
import { parseHash, routeToHash, type Route } from '../../../src/state/router.svelte';
import { pythonSnippet } from '../../../src/lib/zarr/python';
import type { VariableInfo } from '../../../src/lib/zarr/dataset';

describe('reference datasets by address', () => {
  it('keeps the reference format with the group and view', () => {
    const routes: Route[] = [
      { name: 'dataset', bucket: 'b', path: 'dir/tas_kr1.0.json.zst', refs: 'json' },
      { name: 'dataset', bucket: 'b', path: 'dir/kerchunk-kr1.0.parq', refs: 'parquet', group: 'a/b' },
      { name: 'dataset', bucket: 'b', path: 'dir/tas.nc', refs: 'scan', view: { var: 'tas' }, at: 'https://h' },
    ];
    for (const r of routes) expect(parseHash(routeToHash(r))).toEqual(r);
    expect(routeToHash(routes[0]!)).toBe('#/dataset/b/dir/tas_kr1.0.json.zst?refs=json');
    // An unknown format is ignored: the path opens as a Zarr store.
    expect(parseHash('#/dataset/b/x.json?refs=zip')).toEqual({ name: 'dataset', bucket: 'b', path: 'x.json' });
  });

  it('reproduces in xarray through reference://, with keys or anonymously', () => {
    const v = { name: 'tas', dims: ['time', 'lat', 'lon'], shape: [5, 6, 8] } as unknown as VariableInfo;
    const withKeys = pythonSnippet({ kind: 's3', bucket: 'b', path: 'd/refs.json.zst', refs: 'json' }, v, [2, 0, 0], [1, 2], 'https://t-o.s3-ext.jc.rl.ac.uk');
    expect(withKeys).toContain('xr.open_dataset("reference://", engine="zarr", backend_kwargs={"consolidated": False, "storage_options": {');
    expect(withKeys).toContain('"fo": "s3://b/d/refs.json.zst", "target_protocol": "s3", "target_options": {**s3, "compression": "zstd"}, "remote_protocol": "s3", "remote_options": s3}})');
    expect(withKeys).toContain('"endpoint_url": "https://t-o.s3-ext.jc.rl.ac.uk"');
    expect(withKeys).toContain('ds["tas"].isel(time=2)');
    const anon = pythonSnippet({ kind: 'url', url: 'https://h.example/b/refs.parq', refs: 'parquet' }, null, [], [], undefined, 'g');
    expect(anon).toContain('s3 = {"anon": True, "client_kwargs": {"endpoint_url": "https://h.example"}}');
    expect(anon).toContain('engine="zarr", group="g"');
    expect(anon).toContain('"fo": "https://h.example/b/refs.parq", "remote_protocol": "s3"');
    const scan = pythonSnippet({ kind: 's3', bucket: 'b', path: 'tas.nc', refs: 'scan' }, null, [], []);
    expect(scan).toContain('xr.open_dataset(fs.open("b/tas.nc"), engine="h5netcdf")');
  });
});
