#!/usr/bin/python3
"""Write the NetCDF files the browser tests open in place, and what xarray
reads from them (the reference the page is compared with).

Usage: /usr/bin/python3 scripts/make-netcdf-e2e-fixtures.py OUTDIR
Writes OUTDIR/nc4.nc (netCDF4: chunked deflate + shuffle, CF time),
OUTDIR/nc3.nc (scipy: NetCDF-3 classic), OUTDIR/latest.h5 (h5netcdf on an
HDF5 file made with libver="latest"), OUTDIR/mixed.nc (netCDF4: one
compound variable beside a plain one) and OUTDIR/expected.json:
  {file: {"time_labels": [...], "lat": [...], "lon": [...],
          "slices": {var: [[value per (lat, lon)] per time index]}}}
with xarray's `isel(time=t)` of every variable listed (NaN as null).
"""
import json
import os
import sys

import h5netcdf
import netCDF4
import numpy as np
import scipy.io
import xarray as xr

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(7)
p = lambda name: os.path.join(out, name)
NT, NY, NX = 6, 10, 12
LAT = np.linspace(-45, 45, NY).astype('f4')
LON = np.linspace(0, 330, NX).astype('f4')


def field(offset=280.0, scale=10.0):
    return (offset + scale * rng.standard_normal((NT, NY, NX))).astype('f4')


def coords_nc4(ds):
    ds.createDimension('time', None)
    ds.createDimension('lat', NY)
    ds.createDimension('lon', NX)
    t = ds.createVariable('time', 'f8', ('time',))
    t.units = 'days since 2000-01-01'
    t.calendar = 'standard'
    t[:] = np.arange(NT) * 3
    la = ds.createVariable('lat', 'f4', ('lat',))
    la.units = 'degrees_north'
    la[:] = LAT
    lo = ds.createVariable('lon', 'f4', ('lon',))
    lo.units = 'degrees_east'
    lo[:] = LON


with netCDF4.Dataset(p('nc4.nc'), 'w', format='NETCDF4') as ds:
    coords_nc4(ds)
    v = ds.createVariable('tas', 'f4', ('time', 'lat', 'lon'), zlib=True, shuffle=True, complevel=4, chunksizes=(1, 5, 6), fill_value=-9999.0)
    v.units = 'K'
    data = field()
    data[1, 0, :3] = -9999.0
    v[:] = data

f = scipy.io.netcdf_file(p('nc3.nc'), 'w', version=1)
f.createDimension('time', None)
f.createDimension('lat', NY)
f.createDimension('lon', NX)
t = f.createVariable('time', 'f8', ('time',))
t[:] = np.arange(NT)
t.units = 'days since 2001-01-01'
la = f.createVariable('lat', 'f4', ('lat',))
la[:] = LAT
la.units = 'degrees_north'
lo = f.createVariable('lon', 'f4', ('lon',))
lo[:] = LON
lo.units = 'degrees_east'
pr = f.createVariable('pr', 'f4', ('time', 'lat', 'lon'))
pr[:] = field(5.0, 2.0)
pr.units = 'mm'
f.close()

with h5netcdf.File(p('latest.h5'), 'w', libver='latest') as f:
    f.dimensions = {'time': NT, 'lat': NY, 'lon': NX}
    t = f.create_variable('time', ('time',), 'f8', data=np.arange(NT) * 2.0)
    t.attrs['units'] = 'days since 2010-01-01'
    f.create_variable('lat', ('lat',), 'f4', data=LAT).attrs['units'] = 'degrees_north'
    f.create_variable('lon', ('lon',), 'f4', data=LON).attrs['units'] = 'degrees_east'
    v = f.create_variable('pr', ('time', 'lat', 'lon'), 'f4', chunks=(2, 5, 12), compression='gzip', shuffle=True, data=field(5.0, 2.0))
    v.attrs['units'] = 'mm'

with netCDF4.Dataset(p('mixed.nc'), 'w', format='NETCDF4') as ds:
    coords_nc4(ds)
    v = ds.createVariable('tas', 'f4', ('time', 'lat', 'lon'), zlib=True, chunksizes=(2, 10, 12))
    v.units = 'K'
    v[:] = field()
    pair = ds.createCompoundType(np.dtype([('a', 'f4'), ('b', 'i4')]), 'pair_t')
    c = ds.createVariable('obs', pair, ('lat',))
    c[:] = np.array([(i * 0.5, i) for i in range(NY)], dtype=[('a', 'f4'), ('b', 'i4')])


def listed(a):
    a = np.asarray(a, dtype='f8').ravel()
    return [None if np.isnan(x) else float(x) for x in a]


expected = {}
for name, var, engine in (('nc4.nc', 'tas', 'netcdf4'), ('nc3.nc', 'pr', 'scipy'), ('latest.h5', 'pr', 'h5netcdf'), ('mixed.nc', 'tas', 'h5netcdf')):
    kw = {'drop_variables': ['obs']} if name == 'mixed.nc' else {}
    with xr.open_dataset(p(name), engine=engine, **kw) as ds:
        expected[name] = {
            'time_labels': [str(t)[:10] for t in ds['time'].values],
            'lat': listed(ds['lat'].values),
            'lon': listed(ds['lon'].values),
            'slices': {var: [listed(ds[var].isel(time=i).values) for i in range(ds.sizes['time'])]},
        }
with open(p('expected.json'), 'w') as fh:
    json.dump(expected, fh)
print(json.dumps(sorted(os.listdir(out))))
