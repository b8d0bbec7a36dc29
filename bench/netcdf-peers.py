#!/usr/bin/python3
"""Peer for bench/netcdf.ts: write the benchmark NetCDF-4 file, or read one
2-D slice of it with xarray (h5netcdf engine) over fsspec's HTTP file system
in a cold process and print the seconds, bytes and requests it took.

  netcdf-peers.py write OUTFILE STEPS
  netcdf-peers.py xarray URL        (a public or presigned object URL)

Prints: open+read seconds, the whole cold process's seconds (interpreter and
imports included), range requests, bytes received, and the slice's mean.
TESSERA_BENCH_CA: the CA bundle of an HTTPS endpoint (an `ssl` context for aiohttp).
"""
import os
import sys
import time

T_START = time.perf_counter()
N = 2048


def write(out, steps):
    import netCDF4
    import numpy as np
    y = np.linspace(-3, 3, N, dtype='float32')
    field = np.sin(y)[:, None] * np.cos(y)[None, :]
    rng = np.random.default_rng(1)
    with netCDF4.Dataset(out, 'w', format='NETCDF4') as ds:
        ds.createDimension('time', None)
        ds.createDimension('y', N)
        ds.createDimension('x', N)
        t = ds.createVariable('time', 'f8', ('time',))
        t.units = 'days since 2000-01-01'
        ds.createVariable('y', 'f4', ('y',))[:] = y
        ds.createVariable('x', 'f4', ('x',))[:] = y
        v = ds.createVariable('v', 'f4', ('time', 'y', 'x'), zlib=True, complevel=1, shuffle=True, chunksizes=(1, 512, 512))
        for i in range(steps):
            t[i] = i
            # Noise in the low mantissa bits: deflate keeps most of the bytes (a large file).
            v[i] = field * (1 + i / steps) + rng.standard_normal((N, N)).astype('float32')


def main():
    mode = sys.argv[1]
    if mode == 'write':
        write(sys.argv[2], int(sys.argv[3]))
        return
    import numpy as np
    import fsspec
    import xarray  # noqa: F401  (imports belong to the cold process, before t0)
    import h5netcdf  # noqa: F401
    from fsspec.asyn import sync_wrapper
    from fsspec.implementations.http import HTTPFile
    counts = {'requests': 0, 'bytes': 0}
    fetch = HTTPFile.async_fetch_range

    async def counted(self, start, end):
        out = await fetch(self, start, end)
        counts['requests'] += 1
        counts['bytes'] += len(out)
        return out
    HTTPFile.async_fetch_range = counted
    HTTPFile._fetch_range = sync_wrapper(counted)
    kw = {}
    ca = os.environ.get('TESSERA_BENCH_CA')
    if ca:
        import ssl
        kw['ssl'] = ssl.create_default_context(cafile=ca)
    t0 = time.perf_counter()
    with fsspec.open(sys.argv[2], 'rb', **kw) as f:
        ds = xarray.open_dataset(f, engine='h5netcdf')
        values = ds.v.isel(time=0).values
    t1 = time.perf_counter()
    print(f'{t1 - t0:.4f} {t1 - T_START:.4f} {counts["requests"]} {counts["bytes"]} {float(np.nanmean(values)):.6f}')


if __name__ == '__main__':
    main()
