#!/usr/bin/python3
"""A chunked NetCDF-4 file of ~115 MB (deflate + shuffle, chunked along time),
with the values of one time step and HDF5's location of every chunk, for
the ranged-read integration test.

Usage: make-big-netcdf.py OUT.nc > expected.json
"""
import json
import sys

import h5py
import netCDF4
import numpy as np
from h5chunks import chunk_locations

path = sys.argv[1]
T, Y, X = 170, 500, 500
rng = np.random.default_rng(1)
with netCDF4.Dataset(path, 'w', format='NETCDF4') as ds:
    ds.title = 'big ranged-read fixture'
    ds.createDimension('time', None)
    ds.createDimension('lat', Y)
    ds.createDimension('lon', X)
    ds.createVariable('time', 'f8', ('time',))[:] = np.arange(T)
    ds.createVariable('lat', 'f4', ('lat',))[:] = np.linspace(-90, 90, Y)
    ds.createVariable('lon', 'f4', ('lon',))[:] = np.linspace(0, 360, X, endpoint=False)
    v = ds.createVariable('tas', 'f4', ('time', 'lat', 'lon'), zlib=True, shuffle=True, complevel=1, chunksizes=(1, 250, 250))
    v.units = 'K'
    for t in range(T):
        # Random values: deflate cannot shrink them much, so the file stays ~120 MB.
        v[t] = rng.random((Y, X), dtype='f4') * 50 + 250
with h5py.File(path, 'r') as f:
    d = f['tas']
    chunks = chunk_locations(d)
    step = d[7].ravel().tolist()
json.dump({'chunks': chunks, 'step': 7, 'values': step}, sys.stdout)
