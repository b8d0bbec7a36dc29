#!/usr/bin/python3
"""Write Tessera's Zarr test fixtures with the real producers (Debian's xarray,
zarr 2.13, numcodecs) and what xarray decodes from them.

Usage: /usr/bin/python3 scripts/make-zarr-fixtures.py OUTDIR

Writes OUTDIR/<store>.zarr folders and OUTDIR/expected.json: for each check,
the store, variable, selection (one index per dimension; free dimensions are
read whole) and the values xarray returns for it (NaN as null), plus the
coordinate labels of the CF time axis. Deterministic (fixed seed).
"""
import json
import os
import shutil
import sys

import numcodecs
import numpy as np
import xarray as xr
import zarr

OUT = sys.argv[1] if len(sys.argv) > 1 else 'zarr-fixtures'
rng = np.random.default_rng(42)
checks = []


def values_of(da):
    a = np.asarray(da.values, dtype='float64').ravel()
    return [None if np.isnan(v) else float(v) for v in a]


def check(store, ds, var, index, free, text=False):
    """Record what xarray decodes for ds[var] at `index` with `free` dims whole."""
    da = ds[var]
    sel = {d: index[i] for i, d in enumerate(da.dims) if i not in free}
    sub = da.isel(sel)
    order = [da.dims[i] for i in free]
    if order:
        sub = sub.transpose(*order)
    entry = {'store': store, 'var': var, 'index': index, 'free': free, 'values': values_of(sub)}
    if text:
        # The shortest text that reads back as the same value of its own type (numpy's repr).
        flat = np.asarray(sub.values).ravel()
        entry['dtype'] = str(flat.dtype)
        entry['text'] = [None if np.isnan(v) else np.format_float_positional(v, unique=True, trim='-') for v in flat]
    checks.append(entry)


def reopen(path, consolidated):
    return xr.open_zarr(path, consolidated=consolidated)


def cf_dataset():
    nt, ny, nx = 6, 18, 36
    time = np.arange(nt)
    lat = np.linspace(-85, 85, ny)
    lon = np.arange(nx) * 10.0
    tas = (280 + 20 * np.cos(np.deg2rad(lat))[None, :, None] + rng.normal(0, 2, (nt, ny, nx))).astype('float32')
    tas[1, 3, 4] = np.nan
    pr = rng.gamma(1.0, 2.0, (nt, ny, nx))
    pr[2, 5:8, 10:20] = np.nan
    ds = xr.Dataset(
        {
            'tas': (('time', 'lat', 'lon'), tas, {'units': 'K', 'long_name': 'Near-surface air temperature', 'standard_name': 'air_temperature'}),
            'pr': (('time', 'lat', 'lon'), pr, {'units': 'mm day-1', 'long_name': 'Precipitation'}),
            'anom': (('time', 'lat', 'lon'), (tas - np.nanmean(tas)).astype('float32'), {'units': 'K'}),
            'orog': (('lat', 'lon'), rng.uniform(-100, 4000, (ny, nx)), {'units': 'm'}),
        },
        coords={
            'time': ('time', np.datetime64('2000-01-01') + time.astype('timedelta64[D]')),
            'lat': ('lat', lat, {'units': 'degrees_north', 'standard_name': 'latitude'}),
            'lon': ('lon', lon, {'units': 'degrees_east', 'standard_name': 'longitude'}),
        },
        attrs={'title': 'Tessera CF fixture', 'Conventions': 'CF-1.8'},
    )
    return ds


def write_cf():
    ds = cf_dataset()
    path = os.path.join(OUT, 'cf.zarr')
    enc = {
        'tas': {'chunks': (2, 9, 12), 'compressor': numcodecs.Blosc('lz4', 5, numcodecs.Blosc.SHUFFLE)},
        # Packed int16 with scale/offset and a fill value, as CMIP/ERA5 archives do.
        'pr': {'chunks': (1, 18, 18), 'dtype': 'int16', 'scale_factor': 0.001, 'add_offset': 10.0, '_FillValue': -32767, 'compressor': numcodecs.Zlib(4)},
        'anom': {'chunks': (3, 18, 36), 'compressor': numcodecs.Zstd(3)},
        'orog': {'chunks': (9, 36), 'compressor': numcodecs.GZip(5)},
        'time': {'units': 'days since 2000-01-01', 'calendar': 'proleptic_gregorian', 'dtype': 'int64'},
    }
    ds.to_zarr(path, encoding=enc, consolidated=True, mode='w')
    back = reopen(path, True)
    for t in (0, 2, 5):
        check('cf.zarr', back, 'tas', [t, 0, 0], [1, 2])
        check('cf.zarr', back, 'pr', [t, 0, 0], [1, 2])
    check('cf.zarr', back, 'tas', [0, 0, 0], [2, 1])
    check('cf.zarr', back, 'tas', [0, 3, 4], [0])
    check('cf.zarr', back, 'anom', [4, 0, 0], [1, 2])
    check('cf.zarr', back, 'orog', [0, 0], [0, 1])
    check('cf.zarr', back, 'lat', [0], [0])
    labels = [str(t)[:19] for t in back.time.values.astype('datetime64[s]')]
    return labels


def write_plain():
    """Same data, not consolidated: Tessera must list (with keys) or probe."""
    ds = cf_dataset()[['tas', 'orog']]
    path = os.path.join(OUT, 'plain.zarr')
    ds.to_zarr(path, encoding={'tas': {'chunks': (3, 18, 18), 'compressor': numcodecs.Zlib(1)}}, consolidated=False, mode='w')
    back = reopen(path, False)
    check('plain.zarr', back, 'tas', [4, 0, 0], [1, 2])
    check('plain.zarr', back, 'orog', [0, 0], [0, 1])


def write_codecs():
    """Every numeric dtype, several codecs and filters, big-endian, F order, 0-d and 1-d."""
    path = os.path.join(OUT, 'codecs.zarr')
    g = zarr.open_group(path, mode='w')
    base = np.arange(24, dtype='float64').reshape(4, 6) - 7.5
    arrays = {
        'gzip_f4': (base.astype('<f4'), dict(compressor=numcodecs.GZip(1))),
        'zstd_f8': (base, dict(compressor=numcodecs.Zstd(1))),
        'lz4_i4': (base.astype('<i4') * 1000, dict(compressor=numcodecs.LZ4())),
        'blosc_bitshuffle_u2': ((base + 8).astype('<u2') * 100, dict(compressor=numcodecs.Blosc('zstd', 3, numcodecs.Blosc.BITSHUFFLE))),
        'delta_i8': ((base * 3).astype('<i8'), dict(compressor=numcodecs.Zlib(1), filters=[numcodecs.Delta(dtype='<i8')])),
        'bigendian_f8': (base.astype('>f8'), dict(compressor=None)),
        'bigendian_i2': ((base * 2).astype('>i2'), dict(compressor=numcodecs.Zlib(1))),
        'fortran_f4': (base.astype('<f4'), dict(compressor=numcodecs.Zlib(1), order='F')),
        'int8': (base.astype('i1'), dict(compressor=None)),
        'uint8': ((base + 8).astype('u1'), dict(compressor=None)),
        'uint32': ((base + 8).astype('<u4') * 100000, dict(compressor=None)),
        'uint64': ((base + 8).astype('<u8') * 2**33, dict(compressor=None)),
        'float16': (base.astype('<f2') / 4, dict(compressor=None)),
        'bool': (base > 0, dict(compressor=None)),
        'nested_f4': (base.astype('<f4'), dict(compressor=None, dimension_separator='/')),
    }
    for name, (data, kw) in arrays.items():
        a = g.create_dataset(name, data=data, chunks=(3, 4), overwrite=True, **kw)
        a.attrs['_ARRAY_DIMENSIONS'] = ['y', 'x']
    s = g.create_dataset('scalar', data=np.float64(3.5), shape=(), overwrite=True)
    s.attrs['_ARRAY_DIMENSIONS'] = []
    # A 1-D array without dimension names or coordinates.
    g.create_dataset('nodims', data=np.arange(5, dtype='<i2'), chunks=(2,), overwrite=True)
    b = g.create_dataset('bz2_f4', data=base.astype('<f4'), chunks=(3, 4), compressor=numcodecs.BZ2(1), overwrite=True)
    b.attrs['_ARRAY_DIMENSIONS'] = ['y', 'x']
    zarr.consolidate_metadata(path)
    # xarray cannot open this group (nodims has no _ARRAY_DIMENSIONS), so each
    # array is decoded the way its zarr backend does: fill_value as _FillValue,
    # then decode_cf.
    for name in arrays:
        a = zarr.open(path + '/' + name, mode='r')
        attrs = {k: v for k, v in a.attrs.items() if k != '_ARRAY_DIMENSIONS'}
        if a.fill_value is not None:
            attrs['_FillValue'] = a.fill_value
        ds = xr.decode_cf(xr.Dataset({name: (('y', 'x'), a[:], attrs)}))
        check('codecs.zarr', ds, name, [0, 0], [0, 1])
    checks.append({'store': 'codecs.zarr', 'var': 'scalar', 'index': [], 'free': [], 'values': [3.5]})
    checks.append({'store': 'codecs.zarr', 'var': 'nodims', 'index': [0], 'free': [0], 'values': [0.0, 1.0, 2.0, 3.0, 4.0]})


def write_stale():
    """Consolidated, then a variable added without re-consolidating."""
    path = os.path.join(OUT, 'stale.zarr')
    cf_dataset()[['orog']].to_zarr(path, consolidated=True, mode='w')
    extra = xr.Dataset({'late': (('lat', 'lon'), np.ones((18, 36)))})
    extra.to_zarr(path, mode='a', consolidated=False)


def write_broken():
    """Not consolidated: one malformed .zarray, one truncated chunk, one missing chunk."""
    path = os.path.join(OUT, 'broken.zarr')
    ds = cf_dataset()[['tas', 'orog', 'anom']]
    ds.to_zarr(path, encoding={'tas': {'chunks': (1, 9, 18), 'compressor': None}, 'anom': {'chunks': (1, 9, 18)}}, consolidated=False, mode='w')
    with open(os.path.join(path, 'orog', '.zarray'), 'w') as f:
        f.write('{"zarr_format": 2, "shape": [18, 36], ')
    chunk = os.path.join(path, 'tas', '0.1.1')
    with open(chunk, 'rb') as f:
        data = f.read()
    with open(chunk, 'wb') as f:
        f.write(data[: len(data) // 2])
    os.remove(os.path.join(path, 'anom', '0.0.0'))


def slider_positions(da, free):
    """Every combination of indices of the dimensions that are not free."""
    fixed = [i for i in range(da.ndim) if i not in free]
    sizes = [da.shape[i] for i in fixed]
    for flat in np.ndindex(*sizes):
        index = [0] * da.ndim
        for i, v in zip(fixed, flat):
            index[i] = int(v)
        yield index


def write_chunkings():
    """One dataset, each variable chunked differently, and what xarray's isel
    gives at every slider position: chunks spanning the slider's dimension,
    one step per chunk, chunks that divide nothing, packed int16, float64 and
    a 4-D variable with two sliders."""
    nt, nz, ny, nx = 5, 3, 9, 14
    time = np.datetime64('2001-06-01') + np.arange(nt).astype('timedelta64[D]')
    lat = np.linspace(-80, 80, ny)
    lon = np.arange(nx) * 25.0
    base = rng.normal(0, 1, (nt, ny, nx)).astype('float32') + np.arange(nt, dtype='float32')[:, None, None] * 10
    packed = (250 + 20 * rng.random((nt, ny, nx))).astype('float64')
    packed[1, 2, 3] = np.nan
    level = (rng.normal(0, 1, (nt, nz, ny, nx)) + np.arange(nz)[None, :, None, None] * 100 + np.arange(nt)[:, None, None, None] * 7).astype('float32')
    ds = xr.Dataset(
        {
            'span': (('time', 'lat', 'lon'), base, {'units': 'K', 'long_name': 'Chunks span every time step'}),
            'one': (('time', 'lat', 'lon'), base * 2, {'units': 'K'}),
            'ragged': (('time', 'lat', 'lon'), base - 5, {'units': 'K'}),
            'packed': (('time', 'lat', 'lon'), packed, {'units': 'K'}),
            'double': (('time', 'lat', 'lon'), base.astype('float64') / 3, {'units': '1'}),
            'level': (('time', 'plev', 'lat', 'lon'), level, {'units': 'm'}),
        },
        coords={
            'time': ('time', time),
            'plev': ('plev', np.array([100000.0, 85000.0, 50000.0]), {'units': 'Pa'}),
            'lat': ('lat', lat, {'units': 'degrees_north'}),
            'lon': ('lon', lon, {'units': 'degrees_east'}),
        },
    )
    path = os.path.join(OUT, 'chunkings.zarr')
    enc = {
        'span': {'chunks': (nt, 5, 7)},
        'one': {'chunks': (1, ny, nx)},
        'ragged': {'chunks': (2, 4, 5)},
        'packed': {'chunks': (nt, ny, nx), 'dtype': 'int16', 'scale_factor': 0.01, 'add_offset': 250.0, '_FillValue': -32767},
        'double': {'chunks': (3, 9, 14)},
        'level': {'chunks': (nt, nz, 5, 7)},
    }
    ds.to_zarr(path, encoding=enc, consolidated=True, mode='w')
    back = reopen(path, True)
    for var in enc:
        da = back[var]
        free = [da.ndim - 2, da.ndim - 1]
        for index in slider_positions(da, free):
            check('chunkings.zarr', back, var, index, free, text=True)


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    labels = write_cf()
    write_plain()
    write_codecs()
    write_stale()
    write_broken()
    write_chunkings()
    with open(os.path.join(OUT, 'expected.json'), 'w') as f:
        json.dump({'xarray': xr.__version__, 'zarr': zarr.__version__, 'timeLabels': labels, 'checks': checks}, f)
    print(f'wrote {len(checks)} checks to {OUT}')


if __name__ == '__main__':
    main()
