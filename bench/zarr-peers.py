#!/usr/bin/python3
"""Peers for bench/zarr.ts: write the benchmark store, or read one 2-D slice
with xarray or zarr-python in a cold process and print the seconds it took.

  zarr-peers.py write OUTDIR
  zarr-peers.py xarray|zarr BASE_URL        (BASE_URL = public store URL)

Reads go through a read-only mapping over HTTP GETs with a keep-alive
session (Debian has no s3fs); the bucket is public-read for this.
"""
import sys
import time

T_START = time.perf_counter()


class HttpStore(dict):
    """A read-only Zarr v2 store over plain HTTP GETs (404/403 = missing)."""

    def __init__(self, base):
        import requests
        super().__init__()
        self.base = base.rstrip('/') + '/'
        self.session = requests.Session()

    def __getitem__(self, key):
        r = self.session.get(self.base + key)
        if r.status_code in (403, 404):
            raise KeyError(key)
        r.raise_for_status()
        return r.content

    def __contains__(self, key):
        try:
            self[key]
            return True
        except KeyError:
            return False

    def __iter__(self):
        return iter(())

    def __len__(self):
        return 0


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


def main():
    mode = sys.argv[1]
    if mode == 'write':
        write(sys.argv[2])
        return
    import numpy as np
    store = HttpStore(sys.argv[2])
    if mode == 'xarray':
        import xarray as xr
        t0 = time.perf_counter()
        values = xr.open_zarr(store, consolidated=True).v.isel(time=5).values
    else:
        import zarr
        t0 = time.perf_counter()
        values = zarr.open_consolidated(store)['v'][5]
    t1 = time.perf_counter()
    print(f'{t1 - t0:.4f} {t1 - T_START:.4f} {float(np.nanmean(values)):.6f}')


if __name__ == '__main__':
    main()
