#!/usr/bin/python3
"""Datasets split along time into several NetCDF files, written by xarray (and
netCDF4), with what `xr.open_mfdataset` makes of them, for the tests of
Tessera's virtual open_mfdataset (src/lib/refs/combine.ts).

Usage:
  make-combine-fixtures.py OUTDIR
      writes OUTDIR/<set>/*.nc and OUTDIR/expected.json:
      {set: {files: [names, listing order], order: [names, time order], dim,
             vars: {name: {dims, shape, values (flat, NaN as null)}},
             time_ms: [ms since 1970]}}
  make-combine-fixtures.py --check REFS.json SETDIR [ENDPOINT]
      opens REFS.json with xarray through fsspec's reference:// (s3:// URLs
      read anonymously from ENDPOINT) and compares every variable with
      xr.open_mfdataset over SETDIR's files; prints {"checked": [...], "problems": [...]}.

Each file's time units are xarray's own choice ("days since <its first date>"),
so the files disagree on units, as real archives split by xarray do.
"""
import json
import os
import sys
import warnings

import numpy as np
import pandas as pd
import xarray as xr

# Each file's time units are left to xarray on purpose (so they differ): no need to be told.
warnings.filterwarnings('ignore', message=".*has datetime type and a bounds variable.*")

MF = dict(combine='by_coords', data_vars='minimal', coords='minimal', compat='override')


def dataset(ntime, start='2001-01-01', freq='D'):
    rng = np.random.default_rng(7)
    time = pd.date_range(start, periods=ntime, freq=freq)
    lat = np.linspace(-60, 60, 9)
    lon = np.linspace(0, 350, 12)
    tas = 270 + 30 * rng.random((ntime, lat.size, lon.size))
    pr = rng.random((ntime, lat.size)).astype('f4')
    orog = rng.random((lat.size, lon.size)) * 1000
    ds = xr.Dataset(
        {
            'tas': (('time', 'lat', 'lon'), tas, {'units': 'K', 'long_name': 'air temperature'}),
            'pr': (('time', 'lat'), pr, {'units': 'mm/day'}),
            'orog': (('lat', 'lon'), orog, {'units': 'm'}),
        },
        coords={'time': time, 'lat': ('lat', lat, {'units': 'degrees_north'}), 'lon': ('lon', lon, {'units': 'degrees_east'})},
        attrs={'title': 'split along time'},
    )
    # CF bounds, written by xarray in the time coordinate's units (which differ between the files).
    ds['time_bnds'] = (('time', 'nv'), np.stack([time.values, time.values + np.timedelta64(1, 'h')], axis=1))
    ds.time.attrs['bounds'] = 'time_bnds'
    return ds


def split(ds, sizes):
    out, at = [], 0
    for n in sizes:
        out.append(ds.isel(time=slice(at, at + n)))
        at += n
    return out


# Listing order differs from time order: by_coords must sort.
NAMES = ['c.nc', 'a.nc', 'b.nc']


def values_of(v):
    """Dimensions, shape and flat values (datetimes as ms since 1970, flagged)."""
    if v.dtype.kind == 'M':
        return {'dims': list(v.dims), 'shape': list(v.shape), 'datetime': True, 'values': [int(x) for x in v.values.astype('datetime64[ms]').astype('i8').ravel()]}
    return {'dims': list(v.dims), 'shape': list(v.shape), 'values': [None if np.isnan(x) else float(x) for x in np.asarray(v.values, dtype='f8').ravel()]}


def write(out):
    sets = {}

    def put(name, parts, **kw):
        d = os.path.join(out, name)
        os.makedirs(d, exist_ok=True)
        for part, fname in zip(parts, NAMES):
            part.to_netcdf(os.path.join(d, fname), **kw)
        sets[name] = [os.path.join(d, f) for f in NAMES[: len(parts)]]

    full = dataset(21)
    # NetCDF-4, deflate+shuffle, 4 steps per chunk: 8 + 8 + 5 (files end on chunk boundaries).
    enc = {'tas': {'zlib': True, 'shuffle': True, 'chunksizes': (4, 9, 12)}, 'pr': {'zlib': True, 'chunksizes': (4, 9)}}
    put('chunked', split(full, [8, 8, 5]), engine='netcdf4', encoding=enc)
    # NetCDF-4 contiguous (xarray's default): one chunk per file, 7 + 5 + 3, re-cut to line up.
    put('contiguous', split(dataset(15), [7, 5, 3]), engine='netcdf4')
    # NetCDF-4 with an unlimited time dimension, as netCDF-C chunks it by default.
    put('unlimited', split(dataset(12, freq='6h'), [4, 4, 4]), engine='netcdf4', unlimited_dims=['time'])
    # NetCDF-3 64-bit offset with a record (unlimited) time dimension (scipy).
    put('netcdf3', split(dataset(10), [3, 4, 3]), engine='scipy', format='NETCDF3_64BIT', unlimited_dims=['time'])
    # Time running backwards in every file (newest first): combined by decreasing time. Files of
    # unequal lengths: equal ones put each file's data at the same byte range, which Debian's
    # fsspec (2022.11) mixes up when a reference file points at them in one batch.
    put('descending', split(dataset(12).isel(time=slice(None, None, -1)), [5, 4, 3]), engine='netcdf4')
    # Compressed chunks that do not line up (4 per chunk, 6 steps per file): refused.
    put('misaligned', split(full.isel(time=slice(0, 12)), [6, 6]), engine='netcdf4', encoding=enc)
    # A variable without time whose shape differs in one file: refused.
    parts = split(dataset(9), [3, 3, 3])
    parts[2] = parts[2].assign(orog=(('lat', 'x'), np.zeros((9, 5))))
    put('mismatch', parts, engine='netcdf4')

    expected = {}
    for name, files in sets.items():
        if name in ('misaligned', 'mismatch'):
            expected[name] = {'files': NAMES[: len(files)], 'dim': 'time'}
            continue
        with xr.open_mfdataset(files, **MF) as ds:
            ds = ds.load()
            backwards = bool(ds.time.values[0] > ds.time.values[-1])
            order = sorted(NAMES[: len(files)], key=lambda f: xr.open_dataset(os.path.join(out, name, f)).time.values[0], reverse=backwards)
            expected[name] = {
                'files': NAMES[: len(files)],
                'order': order,
                'dim': 'time',
                'vars': {k: values_of(v) for k, v in ds.variables.items() if k != 'time'},
                'time_ms': [int(x) for x in ds.time.values.astype('datetime64[ms]').astype('i8')],
            }
    with open(os.path.join(out, 'expected.json'), 'w') as f:
        json.dump(expected, f)


def check(refs, setdir, endpoint=None):
    so = {'fo': refs}
    if endpoint:
        # s3:// read by path-style URLs (s3fs is not packaged in Debian 12): the reference fixtures' stand-in.
        import fsspec
        import importlib.util
        spec = importlib.util.spec_from_file_location('refs_fixtures', os.path.join(os.path.dirname(os.path.abspath(__file__)), 'make-reference-fixtures.py'))
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        mod.PathStyleS3.endpoint = endpoint.rstrip('/')
        fsspec.register_implementation('s3', mod.PathStyleS3, clobber=True)
        so = {'fo': refs, 'remote_protocol': 's3', 'remote_options': {'anon': True}}
    files = sorted(os.path.join(setdir, f) for f in os.listdir(setdir) if f.endswith('.nc'))
    problems, checked = [], []
    with xr.open_dataset('reference://', engine='zarr', backend_kwargs={'storage_options': so, 'consolidated': False}) as got, xr.open_mfdataset(files, **MF) as want:
        for k in want.variables:
            checked.append(k)
            if k not in got.variables:
                problems.append(f'{k}: missing')
                continue
            a, b = got[k], want[k]
            if a.dims != b.dims:
                problems.append(f'{k}: dims {a.dims} vs {b.dims}')
            elif not np.array_equal(a.values, b.values, equal_nan=a.dtype.kind == 'f'):
                problems.append(f'{k}: values differ')
        if set(got.variables) != set(want.variables):
            problems.append(f'variables {sorted(got.variables)} vs {sorted(want.variables)}')
    print(json.dumps({'checked': checked, 'problems': problems}))


if __name__ == '__main__':
    if sys.argv[1] == '--check':
        check(*sys.argv[2:])
    else:
        write(sys.argv[1])
