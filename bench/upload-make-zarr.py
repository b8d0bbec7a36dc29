"""The Zarr directory of the upload benchmark: what xarray writes for a
24 x 2048 x 2048 float32 variable in 512 x 512 chunks (Blosc zstd), about
400 objects and 200 MB, as in the Zarr benchmark of FIELD-NOTES section 6."""
import sys

import numpy as np
import xarray as xr
import numcodecs

out = sys.argv[1]
rng = np.random.default_rng(42)
t, y, x = 24, 2048, 2048
yy, xx = np.meshgrid(np.linspace(0, 8, y, dtype=np.float32), np.linspace(0, 8, x, dtype=np.float32), indexing="ij")
data = np.empty((t, y, x), dtype=np.float32)
for i in range(t):
    data[i] = np.sin(xx + i * 0.1) * np.cos(yy) * 20 + 280 + rng.normal(0, 0.5, (y, x)).astype(np.float32)
ds = xr.Dataset(
    {"temperature": (("time", "y", "x"), data, {"units": "K"})},
    coords={"time": np.arange(t), "y": np.arange(y, dtype=np.float32), "x": np.arange(x, dtype=np.float32)},
)
enc = {"temperature": {"chunks": (1, 512, 512), "compressor": numcodecs.Blosc(cname="zstd", clevel=3, shuffle=numcodecs.Blosc.SHUFFLE)}}
ds.to_zarr(out, mode="w", encoding=enc, consolidated=True)
