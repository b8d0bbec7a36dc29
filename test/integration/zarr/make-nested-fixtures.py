#!/usr/bin/python3
"""Write Zarr stores with nested groups the way scientists do, with the real
producers (Debian's xarray and zarr 2.13), and what xarray decodes from them.

Usage: /usr/bin/python3 make-nested-fixtures.py OUTDIR

- nested.zarr: a root dataset plus `to_zarr(store, group="a")` and
  `to_zarr(store, group="a/b")` (DataTree-style hierarchy), consolidated at the
  root (`.zmetadata` holds `a/.zgroup`, `a/b/.zarray`...).
- nested-plain.zarr: the same tree without consolidated metadata.

OUTDIR/expected-nested.json lists, per check, the store, group, variable,
selection and the values `xr.open_zarr(store, group=...)` returns (NaN as null).
"""
import json
import os
import sys

import numpy as np
import xarray as xr

OUT = sys.argv[1]
rng = np.random.default_rng(7)
checks = []


def values_of(da):
    a = np.asarray(da.values, dtype='float64').ravel()
    return [None if np.isnan(v) else float(v) for v in a]


def datasets():
    root = xr.Dataset({'orog': (('lat', 'lon'), rng.normal(500, 100, (4, 6)).astype('float32'), {'units': 'm'})},
                      coords={'lat': np.linspace(-60, 60, 4), 'lon': np.arange(6) * 60.0}, attrs={'title': 'root of a tree'})
    ny, nx = 10, 12
    t = rng.normal(280, 5, (3, ny, nx)).astype('float32')
    t[1, 2, 3] = np.nan
    a = xr.Dataset({'tas': (('time', 'y', 'x'), t, {'units': 'K', 'long_name': 'Air temperature in group a'})},
                   coords={'time': np.arange(3), 'y': np.arange(ny) * 1.5, 'x': np.arange(nx) * 2.0}, attrs={'title': 'group a'})
    a.time.attrs.update({'units': 'days since 2000-01-01', 'calendar': 'standard'})
    packed = np.round(rng.normal(0, 3, (2, 8, 9)) / 0.01).astype('int16')
    packed[0, 1, 1] = -999
    b = xr.Dataset({'uas': (('step', 'row', 'col'), packed, {'units': 'm s-1', 'scale_factor': 0.01, 'add_offset': 1.5, '_FillValue': np.int16(-999)})},
                   coords={'row': np.arange(8) * -1.0 + 40}, attrs={'title': 'group a/b'})
    b['uas'].encoding.update({'chunks': (1, 4, 5)})
    a['tas'].encoding.update({'chunks': (1, 5, 6)})
    return {'': root, 'a': a, 'a/b': b}


def write(store, consolidated):
    path = os.path.join(OUT, store)
    for group, ds in datasets().items():
        kw = {'group': group} if group else {}
        ds.to_zarr(path, mode='w' if not group else 'a', consolidated=consolidated, **kw)
    # What xarray decodes from each group, reopened from the files.
    for group, var, index, free in [('', 'orog', [0, 0], [0, 1]), ('a', 'tas', [1, 0, 0], [1, 2]), ('a/b', 'uas', [0, 0, 0], [1, 2]), ('a/b', 'uas', [1, 0, 0], [1, 2]), ('a/b', 'row', [0], [0])]:
        kw = {'group': group} if group else {}
        ds = xr.open_zarr(path, consolidated=consolidated, **kw)
        da = ds[var]
        sel = {d: index[i] for i, d in enumerate(da.dims) if i not in free}
        checks.append({'store': store, 'group': group, 'var': var, 'index': index, 'free': free, 'values': values_of(da.isel(sel))})


write('nested.zarr', True)
write('nested-plain.zarr', False)
with open(os.path.join(OUT, 'expected-nested.json'), 'w') as f:
    json.dump({'checks': checks}, f)
