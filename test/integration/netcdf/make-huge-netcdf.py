#!/usr/bin/python3
"""A NetCDF-4 file above 1 GiB for the ranged-read integration test: 300 time
steps of a 0.25-degree global grid (float32, chunked one step at a time, not
compressed, so the file really is that large). Most steps are zeros (written,
so every chunk is allocated); three steps carry a pattern. Prints HDF5's
location of every chunk and, for the patterned steps, the SHA-256 of their
values as little-endian float32.

Usage: make-huge-netcdf.py OUT.nc > expected.json
"""
import hashlib
import json
import sys

import h5py
import netCDF4
import numpy as np
from h5chunks import chunk_locations

path = sys.argv[1]
T, Y, X = 300, 720, 1440
PATTERNED = (0, 151, 299)
lat = np.linspace(-89.875, 89.875, Y, dtype='f4')
lon = np.linspace(0.125, 359.875, X, dtype='f4')
with netCDF4.Dataset(path, 'w', format='NETCDF4') as ds:
    ds.title = 'a NetCDF-4 file above 1 GiB'
    ds.createDimension('time', None)
    ds.createDimension('lat', Y)
    ds.createDimension('lon', X)
    t = ds.createVariable('time', 'f8', ('time',))
    t.units = 'days since 2000-01-01'
    t[:] = np.arange(T)
    ds.createVariable('lat', 'f4', ('lat',))[:] = lat
    ds.createVariable('lon', 'f4', ('lon',))[:] = lon
    v = ds.createVariable('tas', 'f4', ('time', 'lat', 'lon'), chunksizes=(1, Y, X))
    v.units = 'K'
    zeros = np.zeros((Y, X), dtype='f4')
    for i in range(T):
        if i in PATTERNED:
            v[i] = (250 + i / 10 + np.cos(np.radians(lat))[:, None] * 40 + np.sin(np.radians(lon))[None, :] * 5).astype('f4')
        else:
            v[i] = zeros
with h5py.File(path, 'r') as f:
    d = f['tas']
    chunks = chunk_locations(d)
    sums = {str(i): hashlib.sha256(np.ascontiguousarray(d[i], dtype='<f4').tobytes()).hexdigest() for i in PATTERNED}
json.dump({'chunks': chunks, 'sums': sums}, sys.stdout)
