#!/usr/bin/python3
"""Write kerchunk reference fixtures for Tessera's tests, independently of
Tessera: NetCDF-4 files written by netCDF4 (Debian's python3-netcdf4), chunk
locations read back with h5py (`dataset.id.get_chunk_info`), references
written as kerchunk JSON by this script, and each reference file checked
with xarray over fsspec's `reference://` file system against the NetCDF file
itself.

Usage:
  /usr/bin/python3 scripts/make-reference-fixtures.py OUTDIR --prefix PREFIX
      Data files go to OUTDIR/data/, reference files to OUTDIR/refs/ with URLs
      PREFIX + "<name>" (PREFIX like "s3://bucket/data/" or
      "https://host/bucket/data/"; "" writes relative URLs). OUTDIR/expected.json
      holds xarray's values of every variable (NaN as null).
  /usr/bin/python3 scripts/make-reference-fixtures.py --check REFS --endpoint URL --nc FILE
      Open REFS (a kerchunk JSON file, any URLs s3://bucket/key) with
      xr.open_dataset("reference://", engine="zarr", ...) and compare every
      variable with the NetCDF FILE opened by xarray; s3:// is read anonymously
      from the path-style endpoint URL (s3fs is not packaged in Debian 12, so
      a tiny fsspec file system maps s3://bucket/key to URL/bucket/key).

Reference files written (all describe the same data set):
  v1.json       version 1, URLs in full, the `lat` coordinate inline (base64)
  v0.json       version 0 (a flat key -> reference map)
  templates.json  version 1 with `templates` and a `gen` entry (the `grid`
                variable, whose chunks lie at computed offsets of grid.bin)
  v1.json.gz, v1.json.zst  compressed copies of v1.json (gzip module; Debian's zstd command)
  whole.json    version 1 whose `w` chunks are whole objects ([url])
"""
import base64
import gzip
import json
import os
import shutil
import subprocess
import sys

import fsspec
import h5py
import netCDF4
import numpy as np
import xarray as xr

SKIP_ATTRS = {'_FillValue', 'DIMENSION_LIST', 'REFERENCE_LIST', 'CLASS', 'NAME', '_Netcdf4Dimid', '_Netcdf4Coordinates', '_nc3_strict'}


def jsonable(v):
    if isinstance(v, bytes):
        return v.decode()
    if isinstance(v, np.ndarray):
        return [jsonable(x) for x in v.tolist()] if v.size != 1 else jsonable(v.reshape(-1)[0])
    if isinstance(v, np.generic):
        return v.item()
    return v


def values_of(da):
    a = np.asarray(da.values)
    if np.issubdtype(a.dtype, np.datetime64):
        a = a.astype('datetime64[s]').astype('int64').astype('float64')
    a = a.astype('float64').ravel()
    return [None if np.isnan(v) else float(v) for v in a]


def write_netcdf(path):
    rng = np.random.default_rng(14)
    with netCDF4.Dataset(path, 'w', format='NETCDF4') as nc:
        nc.title = 'Tessera reference fixture'
        nc.Conventions = 'CF-1.8'
        nc.createDimension('time', 5)
        nc.createDimension('lat', 6)
        nc.createDimension('lon', 8)
        t = nc.createVariable('time', 'f8', ('time',))
        t.units = 'days since 2000-01-01'
        t.calendar = 'standard'
        t[:] = np.arange(5) * 1.5
        lat = nc.createVariable('lat', 'f4', ('lat',))
        lat.units = 'degrees_north'
        lat[:] = np.linspace(-50, 50, 6)
        lon = nc.createVariable('lon', 'f4', ('lon',))
        lon.units = 'degrees_east'
        lon[:] = np.linspace(0, 315, 8)
        tas = nc.createVariable('tas', 'f4', ('time', 'lat', 'lon'), zlib=True, complevel=4, shuffle=True, chunksizes=(1, 3, 4), fill_value=np.float32(-999.0))
        tas.units = 'K'
        tas.long_name = 'air temperature'
        data = (280 + 10 * rng.standard_normal((5, 6, 8))).astype('f4')
        data[0, 0, :3] = -999.0  # fill values: NaN once decoded
        tas[:] = data
        # Packed (CF scale_factor/add_offset), contiguous layout, big-endian.
        pr = nc.createVariable('pr', '>i2', ('lat', 'lon'), contiguous=True, endian='big')
        pr.scale_factor = 0.01
        pr.add_offset = 1.0
        pr.units = 'mm/day'
        pr.set_auto_maskandscale(False)
        pr[:] = (rng.integers(0, 3000, (6, 8))).astype('>i2')


def h5_refs(nc_path, url):
    """Kerchunk references for every variable of a NetCDF-4 file, from h5py's view of it."""
    refs = {'.zgroup': json.dumps({'zarr_format': 2})}
    with netCDF4.Dataset(nc_path) as nc, h5py.File(nc_path, 'r') as h5:
        refs['.zattrs'] = json.dumps({k: jsonable(nc.getncattr(k)) for k in nc.ncattrs()})
        for name, var in nc.variables.items():
            ds = h5[name]
            dsid = ds.id
            chunks = list(ds.chunks) if ds.chunks else list(ds.shape)
            pipeline = dsid.get_create_plist()
            filters, compressor = [], None
            for i in range(pipeline.get_nfilters()):
                code, _flags, values, _name = pipeline.get_filter(i)
                if code == h5py.h5z.FILTER_DEFLATE:
                    compressor = {'id': 'zlib', 'level': int(values[0]) if values else 6}
                elif code == h5py.h5z.FILTER_SHUFFLE:
                    filters.append({'id': 'shuffle', 'elementsize': ds.dtype.itemsize})
                else:
                    raise SystemExit(f'unexpected HDF5 filter {code} in {name}')
            fill = ds.fillvalue if '_FillValue' in var.ncattrs() else None
            zarray = {
                'zarr_format': 2, 'shape': list(ds.shape), 'chunks': chunks, 'dtype': ds.dtype.str,
                'compressor': compressor, 'filters': filters or None, 'order': 'C',
                'fill_value': jsonable(fill) if fill is not None else None,
            }
            refs[f'{name}/.zarray'] = json.dumps(zarray)
            attrs = {k: jsonable(var.getncattr(k)) for k in var.ncattrs() if k not in SKIP_ATTRS}
            attrs['_ARRAY_DIMENSIONS'] = list(var.dimensions)
            refs[f'{name}/.zattrs'] = json.dumps(attrs)
            if ds.chunks:
                for i in range(dsid.get_num_chunks()):
                    info = dsid.get_chunk_info(i)
                    key = '.'.join(str(o // c) for o, c in zip(info.chunk_offset, chunks))
                    refs[f'{name}/{key}'] = [url, info.byte_offset, info.size]
            else:
                key = '.'.join('0' for _ in chunks)
                refs[f'{name}/{key}'] = [url, dsid.get_offset(), dsid.get_storage_size()]
    return refs


def inline_base64(refs, key, nc_path):
    url, offset, length = refs[key]
    with open(nc_path, 'rb') as f:
        f.seek(offset)
        refs[key] = 'base64:' + base64.b64encode(f.read(length)).decode()


GRID_SHAPE, GRID_CHUNKS = (4, 6), (2, 3)


def write_grid(path):
    """A raw little-endian float32 array stored chunk after chunk, so offsets follow a formula (`gen`)."""
    grid = (np.arange(24, dtype='f4').reshape(GRID_SHAPE) * 0.5 - 3).astype('<f4')
    with open(path, 'wb') as f:
        for i in range(GRID_SHAPE[0] // GRID_CHUNKS[0]):
            for j in range(GRID_SHAPE[1] // GRID_CHUNKS[1]):
                f.write(grid[i * 2:(i + 1) * 2, j * 3:(j + 1) * 3].tobytes())
    return grid


WHOLE_SHAPE, WHOLE_CHUNKS = (2, 4), (2, 2)


def write_whole(dirpath):
    """Each chunk of `w` is an object of its own (whole-object references)."""
    w = (np.arange(8, dtype='<i4').reshape(WHOLE_SHAPE) * 7 - 5)
    for j in range(2):
        with open(os.path.join(dirpath, f'w.{j}.bin'), 'wb') as f:
            f.write(w[:, j * 2:(j + 1) * 2].copy().tobytes())
    return w


def build_all(data_dir, prefix):
    nc_path = os.path.join(data_dir, 'data.nc')
    url = prefix + 'data.nc'
    base = h5_refs(nc_path, url)
    v1 = dict(base)
    inline_base64(v1, 'lat/0', nc_path)
    docs = {'v1.json': {'version': 1, 'refs': v1}, 'v0.json': dict(base)}
    # templates + gen: tas through a template, grid generated.
    t_refs = {k: (['{{u}}', v[1], v[2]] if isinstance(v, list) else v) for k, v in base.items()}
    t_refs['grid/.zarray'] = json.dumps({'zarr_format': 2, 'shape': list(GRID_SHAPE), 'chunks': list(GRID_CHUNKS), 'dtype': '<f4', 'compressor': None, 'filters': None, 'order': 'C', 'fill_value': None})
    t_refs['grid/.zattrs'] = json.dumps({'_ARRAY_DIMENSIONS': ['gy', 'gx'], 'long_name': 'generated grid'})
    docs['templates.json'] = {
        'version': 1,
        'templates': {'u': url, 'g': prefix + 'grid.bin'},
        'refs': t_refs,
        'gen': [{'key': 'grid/{{i}}.{{j}}', 'url': '{{g}}', 'offset': '{{ (i * 2 + j) * 24 }}', 'length': '24',
                 'dimensions': {'i': {'stop': 2}, 'j': [0, 1]}}],
    }
    w_refs = dict(base)
    w_refs['w/.zarray'] = json.dumps({'zarr_format': 2, 'shape': list(WHOLE_SHAPE), 'chunks': list(WHOLE_CHUNKS), 'dtype': '<i4', 'compressor': None, 'filters': None, 'order': 'C', 'fill_value': None})
    w_refs['w/.zattrs'] = json.dumps({'_ARRAY_DIMENSIONS': ['wy', 'wx']})
    for j in range(2):
        w_refs[f'w/0.{j}'] = [prefix + f'w.{j}.bin']
    docs['whole.json'] = {'version': 1, 'refs': w_refs}
    return docs


def open_refs(doc_or_path, **extra):
    return xr.open_dataset('reference://', engine='zarr', backend_kwargs={'consolidated': False, 'storage_options': {'fo': doc_or_path, **extra}})


def compare(ds, expected_ds, label):
    for name in expected_ds.variables:
        a, b = values_of(ds[name]), values_of(expected_ds[name])
        if a != b:
            raise SystemExit(f'{label}: {name} differs from the NetCDF file read by xarray')


def main():
    args = sys.argv[1:]
    if args and args[0] == '--check':
        opts = dict(zip(args[0::2], args[1::2]))
        return check(opts['--check'], opts['--endpoint'], opts['--nc'])
    out = args[0]
    prefix = args[args.index('--prefix') + 1] if '--prefix' in args else ''
    data_dir, refs_dir = os.path.join(out, 'data'), os.path.join(out, 'refs')
    os.makedirs(data_dir, exist_ok=True)
    os.makedirs(refs_dir, exist_ok=True)
    write_netcdf(os.path.join(data_dir, 'data.nc'))
    grid = write_grid(os.path.join(data_dir, 'grid.bin'))
    w = write_whole(data_dir)

    # Check every form against the NetCDF file with references to the local copies.
    local = build_all(data_dir, os.path.abspath(data_dir) + '/')
    with xr.open_dataset(os.path.join(data_dir, 'data.nc')) as nc:
        for name, doc in local.items():
            with open_refs(doc) as ds:
                compare(ds, nc, name)
                if name == 'templates.json' and values_of(ds['grid']) != values_of(xr.DataArray(grid)):
                    raise SystemExit('templates.json: grid differs')
                if name == 'whole.json' and values_of(ds['w']) != values_of(xr.DataArray(w)):
                    raise SystemExit('whole.json: w differs')
        expected = {name: {'dims': list(nc[name].dims), 'shape': list(nc[name].shape), 'values': values_of(nc[name])} for name in nc.variables}
        expected['grid'] = {'dims': ['gy', 'gx'], 'shape': list(GRID_SHAPE), 'values': values_of(xr.DataArray(grid))}
        expected['w'] = {'dims': ['wy', 'wx'], 'shape': list(WHOLE_SHAPE), 'values': values_of(xr.DataArray(w))}
        expected['time_labels'] = [str(t)[:10] for t in nc['time'].values]

    for name, doc in build_all(data_dir, prefix).items():
        with open(os.path.join(refs_dir, name), 'w') as f:
            json.dump(doc, f)
    with open(os.path.join(refs_dir, 'v1.json'), 'rb') as f:
        raw = f.read()
    with gzip.open(os.path.join(refs_dir, 'v1.json.gz'), 'wb') as f:
        f.write(raw)
    try:
        import zstandard  # noqa: F401  (not packaged in Debian 12; the zstd command is)
        with open(os.path.join(refs_dir, 'v1.json.zst'), 'wb') as f:
            f.write(zstandard.ZstdCompressor().compress(raw))
    except ImportError:
        subprocess.run(['zstd', '-q', '-f', os.path.join(refs_dir, 'v1.json'), '-o', os.path.join(refs_dir, 'v1.json.zst')], check=True)
    # The compressed copies decompress to the checked JSON.
    with gzip.open(os.path.join(refs_dir, 'v1.json.gz'), 'rb') as f:
        assert f.read() == raw
    assert subprocess.run(['zstd', '-q', '-d', '-c', os.path.join(refs_dir, 'v1.json.zst')], check=True, capture_output=True).stdout == raw
    with open(os.path.join(out, 'expected.json'), 'w') as f:
        json.dump(expected, f)


class PathStyleS3(fsspec.AbstractFileSystem):
    """s3://bucket/key read anonymously as ENDPOINT/bucket/key (a stand-in for s3fs, which Debian 12 lacks)."""
    protocol = 's3'
    endpoint = ''

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.http = fsspec.filesystem('http')

    def _url(self, path):
        return f"{self.endpoint}/{self._strip_protocol(path)}"

    def cat_file(self, path, start=None, end=None, **kw):
        return self.http.cat_file(self._url(path), start=start, end=end)

    def _open(self, path, mode='rb', **kw):
        return self.http.open(self._url(path), mode)

    def info(self, path, **kw):
        return self.http.info(self._url(path))


def check(refs_path, endpoint, nc_path):
    PathStyleS3.endpoint = endpoint.rstrip('/')
    fsspec.register_implementation('s3', PathStyleS3, clobber=True)
    with open(refs_path) as f:
        doc = json.load(f)
    with open_refs(doc, remote_protocol='s3', remote_options={'anon': True}) as ds, xr.open_dataset(nc_path) as nc:
        compare(ds, nc, refs_path)
        print(json.dumps({name: values_of(ds[name]) for name in nc.variables}))


if __name__ == '__main__':
    main()
