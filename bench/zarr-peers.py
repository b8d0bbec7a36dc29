#!/usr/bin/python3
"""Peers for bench/zarr.ts: write the benchmark store, or read one 2-D slice
with xarray or zarr-python and print the seconds it took.

  zarr-peers.py write OUTDIR
  zarr-peers.py xarray|zarr BASE_URL [WARM_URL]   (public store URLs)

Prints: open+read seconds, the whole cold process's seconds (interpreter and
imports included), then, when WARM_URL is given, open+read of that second
store in the same process (imports done, connections open: the in-process
figure), and the slice's mean.

Reads go through fsspec's HTTP file system (aiohttp): zarr asks for all the
chunks of a slice at once (`getitems`) and fsspec fetches them concurrently,
as s3fs would (Debian has no s3fs); the bucket is public-read for this.
TESSERA_BENCH_CA: the CA bundle of an HTTPS endpoint (an `ssl` context for aiohttp).
"""
import os
import sys
import time

T_START = time.perf_counter()


def mapper(url):
    import fsspec
    kw = {}
    ca = os.environ.get('TESSERA_BENCH_CA')
    if ca:
        import ssl
        kw['ssl'] = ssl.create_default_context(cafile=ca)
    return fsspec.get_mapper(url, **kw)


def write(out):
    import numcodecs
    import numpy as np
    import xarray as xr
    nt, n = 24, 2048
    y = np.linspace(-3, 3, n, dtype='float32')
    field = np.sin(y)[:, None] * np.cos(y)[None, :]
    rng = np.random.default_rng(1)
    data = np.empty((nt, n, n), dtype='float32')
    for t in range(nt):
        data[t] = np.round(field * (1 + t / nt) + rng.normal(0, 0.05, (n, n)).astype('float32'), 2)
    ds = xr.Dataset({'v': (('time', 'y', 'x'), data)}, coords={'time': np.arange(nt), 'y': y, 'x': y})
    enc = {'v': {'chunks': (1, 512, 512), 'compressor': numcodecs.Blosc('zstd', 5, numcodecs.Blosc.SHUFFLE)}}
    ds.to_zarr(out, encoding=enc, consolidated=True, mode='w')


def read(mode, url, index):
    store = mapper(url)
    if mode == 'xarray':
        import xarray as xr
        return xr.open_zarr(store, consolidated=True).v.isel(time=index).values
    import zarr
    return zarr.open_consolidated(store)['v'][index]


def main():
    mode = sys.argv[1]
    if mode == 'write':
        write(sys.argv[2])
        return
    import numpy as np
    import fsspec  # noqa: F401  (imports belong to the cold process, before t0 as for the old peers)
    if mode == 'xarray':
        import xarray  # noqa: F401
    else:
        import zarr  # noqa: F401
    t0 = time.perf_counter()
    values = read(mode, sys.argv[2], 5)
    t1 = time.perf_counter()
    out = [f'{t1 - t0:.4f}', f'{t1 - T_START:.4f}']
    if len(sys.argv) > 3:
        w0 = time.perf_counter()
        read(mode, sys.argv[3], 0)
        out.append(f'{time.perf_counter() - w0:.4f}')
    out.append(f'{float(np.nanmean(values)):.6f}')
    print(' '.join(out))


if __name__ == '__main__':
    main()
