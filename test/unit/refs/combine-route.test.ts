/** Files combined along a dimension, in the address and in the Python that reproduces them. */
import { describe, expect, it } from 'vitest';
import { parseHash, routeToHash, type Route } from '../../../src/state/router.svelte';
import { pythonSnippet } from '../../../src/lib/zarr/python';

describe('combined datasets by address', () => {
  it('keeps the files, their order and the dimension', () => {
    const r: Route = { name: 'dataset', bucket: 'b', path: 'runs/tas', refs: 'combine', combine: { files: ['tas 2001.nc', 'tas&2002.nc', 'a.nc'], dim: 'time' }, view: { var: 'tas' } };
    const hash = routeToHash(r);
    expect(hash).toBe('#/dataset/b/runs/tas?refs=combine&file=tas%202001.nc&file=tas%262002.nc&file=a.nc&dim=time&var=tas');
    expect(parseHash(hash)).toEqual(r);
    // Without files or a dimension there is nothing to combine: the folder path is all that is left.
    expect(parseHash('#/dataset/b/runs?refs=combine&dim=time')).toEqual({ name: 'dataset', bucket: 'b', path: 'runs' });
    expect(parseHash('#/dataset/b/runs?refs=combine&file=a.nc')).toEqual({ name: 'dataset', bucket: 'b', path: 'runs' });
  });

  it('reproduces in xarray with open_mfdataset', () => {
    const py = pythonSnippet({ kind: 's3', bucket: 'b', path: 'runs/tas', refs: 'combine', combine: { files: ['a.nc', 'b.nc'], dim: 'time' } }, null, [], [], 'https://t-o.s3-ext.jc.rl.ac.uk');
    expect(py).toContain('files = [fs.open(p) for p in ["b/runs/tas/a.nc", "b/runs/tas/b.nc"]]');
    expect(py).toContain('xr.open_mfdataset(files, engine="h5netcdf", combine="by_coords", data_vars="minimal", coords="minimal", compat="override")');
    const anon = pythonSnippet({ kind: 'url', url: 'https://h.example/b/runs', refs: 'combine', combine: { files: ['a.nc'], dim: 'time' } }, null, [], []);
    expect(anon).toContain('"anon": True');
    expect(anon).toContain('"https://h.example/b/runs/a.nc"');
  });
});
