#!/usr/bin/python3
"""Write Tessera's demo data into a folder: text, CSV, JSON, a log, and a small
CF-convention Zarr dataset made by xarray (as JASMIN users make theirs)."""
import json
import os
import sys

out = sys.argv[1]
os.makedirs(os.path.join(out, "climate"), exist_ok=True)
os.makedirs(os.path.join(out, "logs"), exist_ok=True)

with open(os.path.join(out, "README.txt"), "w") as f:
    f.write("Tessera demo bucket.\nBrowse the folders, open climate/surface-temperature.zarr as a dataset,\n"
            "drop files here to upload them.\n")
with open(os.path.join(out, "climate", "stations.csv"), "w") as f:
    f.write("station,lat,lon,elevation_m\n")
    for i, (name, lat, lon, el) in enumerate([("Chilbolton", 51.14, -1.44, 84), ("Harwell", 51.57, -1.31, 125),
                                              ("Lerwick", 60.14, -1.18, 82), ("Camborne", 50.22, -5.33, 87)]):
        f.write(f"{name},{lat},{lon},{el}\n")
with open(os.path.join(out, "climate", "metadata.json"), "w") as f:
    json.dump({"title": "Demo surface temperature", "institution": "Tessera demo", "conventions": "CF-1.8",
               "variables": {"tas": {"units": "K", "long_name": "Near-surface air temperature"}}}, f, indent=2)
with open(os.path.join(out, "logs", "run.log"), "w") as f:
    for i in range(2000):
        f.write(f"2026-11-29T10:{i // 60 % 60:02d}:{i % 60:02d}Z step {i} ok loss={1 / (i + 1):.6f}\n")

try:
    import numpy as np
    import pandas as pd
    import xarray as xr
except ImportError as e:  # the rest of the demo works without Python's science stack
    print(f"demo-data: no Zarr dataset ({e})", file=sys.stderr)
    sys.exit(0)

time = pd.date_range("2000-01-01", periods=12, freq="MS")
lat = np.linspace(-89.0, 89.0, 90)
lon = np.linspace(-179.0, 179.0, 180)
t, y, x = np.meshgrid(np.arange(12), np.deg2rad(lat), np.deg2rad(lon), indexing="ij")
tas = 288.0 - 30.0 * np.sin(y) ** 2 + 8.0 * np.cos(2 * np.pi * t / 12.0) * np.sin(y) + 2.0 * np.sin(3 * x) * np.cos(y)
ds = xr.Dataset(
    {"tas": (("time", "lat", "lon"), tas.astype("float32"), {"units": "K", "long_name": "Near-surface air temperature",
                                                              "standard_name": "air_temperature"})},
    coords={"time": time, "lat": ("lat", lat, {"units": "degrees_north"}), "lon": ("lon", lon, {"units": "degrees_east"})},
    attrs={"title": "Demo surface temperature", "Conventions": "CF-1.8"},
)
ds.to_zarr(os.path.join(out, "climate", "surface-temperature.zarr"), mode="w", consolidated=True,
           encoding={"tas": {"chunks": (1, 90, 180)}})
