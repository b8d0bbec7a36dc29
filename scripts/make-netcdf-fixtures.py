#!/usr/bin/python3
"""Write NetCDF-4/HDF5 and NetCDF-3 fixture files into a folder, with the
chunk locations and stored bytes h5py reports for every chunk
(`get_chunk_info_by_coord`, `read_direct_chunk`),
so tests compare Tessera's reader against the HDF5 library itself.

Usage: /usr/bin/python3 scripts/make-netcdf-fixtures.py OUTDIR
Writes OUTDIR/*.nc|*.h5 and OUTDIR/chunks.json:
  {file: {"/path/to/dataset": [[chunk_coords, byte_offset|null, size, sha1], ...]}}
"""
import hashlib
import json
import os
import sys

import h5netcdf
import h5py
import netCDF4
import numpy as np
import scipy.io

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(42)
p = lambda name: os.path.join(out, name)


def netcdf4_chunked():
    with netCDF4.Dataset(p('nc4-chunked.nc'), 'w', format='NETCDF4') as ds:
        ds.title = 'chunked deflate + shuffle'
        ds.history = 'written by make-netcdf-fixtures.py'
        ds.setncattr_string('vlen_note', 'a variable-length string')
        ds.setncattr('numbers', np.array([1.5, 2.5, 3.5]))
        ds.createDimension('time', None)
        ds.createDimension('lat', 37)
        ds.createDimension('lon', 50)
        ds.createDimension('nchar', 4)
        t = ds.createVariable('time', 'f8', ('time',))
        t.units = 'days since 2000-01-01'
        t.calendar = 'standard'
        t[:] = np.arange(7)
        lat = ds.createVariable('lat', 'f4', ('lat',))
        lat[:] = np.linspace(-90, 90, 37)
        lat.units = 'degrees_north'
        lon = ds.createVariable('lon', 'f4', ('lon',))
        lon[:] = np.linspace(0, 352.8, 50)
        v = ds.createVariable('tas', 'f4', ('time', 'lat', 'lon'), zlib=True, shuffle=True, complevel=4, chunksizes=(2, 16, 20), fill_value=-9999.0)
        v.units = 'K'
        v.long_name = 'air temperature'
        data = (280 + 10 * rng.standard_normal((7, 37, 50))).astype('f4')
        data[0, 0, :5] = -9999.0
        v[:] = data
        # Many attributes: netCDF-C tracks creation order, so past 8 they go to dense storage.
        for i in range(12):
            v.setncattr(f'extra_{i:02d}', i * 1.25)
        c = ds.createVariable('contig', 'i4', ('lat', 'lon'), contiguous=True)
        c[:] = np.arange(37 * 50, dtype='i4').reshape(37, 50)
        be = ds.createVariable('big_endian', 'f8', ('lat', 'lon'), endian='big', zlib=True, chunksizes=(10, 10))
        be[:] = rng.standard_normal((37, 50))
        f = ds.createVariable('checked', 'i2', ('time', 'lat'), fletcher32=True, chunksizes=(3, 37))
        f[:] = rng.integers(-1000, 1000, (7, 37))
        s = ds.createVariable('scalar', 'f8', ())
        s.assignValue(3.25)
        ch = ds.createVariable('label', 'S1', ('lat', 'nchar'))
        ch[:] = netCDF4.stringtochar(np.array([f'L{i:03d}' for i in range(37)], dtype='S4'))
        u8 = ds.createVariable('flags', 'u1', ('lon',))
        u8[:] = np.arange(50, dtype='u1')
        i8 = ds.createVariable('count64', 'i8', ('lon',), zlib=True)
        i8[:] = np.arange(50, dtype='i8') * 10**12
        g = ds.createGroup('forecast')
        g.source = 'group attribute'
        g.createDimension('step', 5)
        st = g.createVariable('step', 'i4', ('step',))
        st[:] = np.arange(5) * 6
        gv = g.createVariable('wind', 'f4', ('step', 'lat'), zlib=True, chunksizes=(1, 37))
        gv[:] = rng.standard_normal((5, 37)).astype('f4')
        sub = g.createGroup('members')
        sv = sub.createVariable('spread', 'f8', ('lat',))
        sv[:] = rng.standard_normal(37)
    # Many variables in one group: new-style groups past 8 links use a fractal heap.
    with netCDF4.Dataset(p('nc4-many-vars.nc'), 'w', format='NETCDF4') as ds:
        ds.createDimension('x', 6)
        for i in range(20):
            v = ds.createVariable(f'v{i:02d}', 'f4', ('x',), zlib=(i % 2 == 0))
            v[:] = np.arange(6) + i
    with netCDF4.Dataset(p('nc4-classic.nc'), 'w', format='NETCDF4_CLASSIC') as ds:
        ds.createDimension('t', None)
        ds.createDimension('y', 3)
        v = ds.createVariable('v', 'f4', ('t', 'y'), zlib=True)
        v[:] = np.arange(12, dtype='f4').reshape(4, 3)
        ds.conventions = 'CF-1.8'


def h5netcdf_file():
    with h5netcdf.File(p('h5netcdf.nc'), 'w') as f:
        f.dimensions = {'x': 12, 'y': 9}
        f.attrs['title'] = 'h5netcdf'
        x = f.create_variable('x', ('x',), float, data=np.linspace(0, 1, 12))
        x.attrs['units'] = 'm'
        v = f.create_variable('data', ('y', 'x'), 'f4', chunks=(4, 5), compression='gzip', shuffle=True, data=rng.standard_normal((9, 12)).astype('f4'))
        v.attrs['units'] = 'degC'


def h5py_files():
    for libver, name in (('earliest', 'h5-earliest.h5'), ('latest', 'h5-latest.h5')):
        kw = {'userblock_size': 512} if libver == 'earliest' else {}
        with h5py.File(p(name), 'w', libver=libver, **kw) as f:
            f.attrs['title'] = f'h5py {libver}'
            f.attrs['vlen_string'] = h5py.string_dtype().type('variable length')  # noqa
            f.attrs.create('vlen_string', 'variable length', dtype=h5py.string_dtype())
            f.attrs.create('fixed_string', np.bytes_('fixed length'))
            f.attrs['ints'] = np.arange(4, dtype='i2')
            f.create_dataset('fixed_chunks', data=rng.standard_normal((30, 40)), chunks=(7, 9), compression='gzip', shuffle=True)
            f.create_dataset('single_chunk', data=np.arange(60, dtype='i4').reshape(6, 10), chunks=(6, 10), compression='gzip')
            f.create_dataset('single_chunk_raw', data=np.arange(60, dtype='u2').reshape(6, 10), chunks=(6, 10))
            f.create_dataset('paged_farray', data=rng.standard_normal((1500, 4)).astype('f4'), chunks=(1, 4))
            e = f.create_dataset('one_unlimited', shape=(0, 12), maxshape=(None, 12), chunks=(3, 5), dtype='f4', compression='gzip')
            e.resize((23, 12))
            e[:] = rng.standard_normal((23, 12)).astype('f4')
            e2 = f.create_dataset('unlimited_second', shape=(5, 0), maxshape=(5, None), chunks=(2, 4), dtype='i2')
            e2.resize((5, 41))
            e2[:] = rng.integers(0, 100, (5, 41))
            b = f.create_dataset('two_unlimited', shape=(0, 0), maxshape=(None, None), chunks=(4, 4), dtype='f8', compression='gzip', fletcher32=True)
            b.resize((10, 13))
            b[:] = rng.standard_normal((10, 13))
            f.create_dataset('fletcher', data=np.arange(100, dtype='i4').reshape(10, 10), chunks=(5, 5), fletcher32=True)
            f.create_dataset('big_endian', data=np.arange(24, dtype='>f4').reshape(4, 6), chunks=(2, 3))
            f.create_dataset('contiguous', data=np.arange(20, dtype='<i8'))
            sp = h5py.h5s.create_simple((4, 5))
            plist = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
            plist.set_layout(h5py.h5d.COMPACT)
            did = h5py.h5d.create(f.id, b'compact', h5py.h5t.NATIVE_INT16, sp, plist)
            did.write(h5py.h5s.ALL, h5py.h5s.ALL, np.arange(20, dtype='i2').reshape(4, 5))
            g = f.create_group('group')
            for i in range(12):
                g.attrs[f'a{i}'] = i
                g.create_dataset(f'd{i}', data=np.full((3,), i, dtype='f4'))
            f['group/deeper/leaf'] = np.arange(5.0)
            f['loop'] = f['group']  # a second hard link: the walker must not loop or duplicate
            f.create_dataset('strings', data=np.array([b'ab', b'cd'], dtype='S2'))


def netcdf3():
    for version, name in ((1, 'nc3-classic.nc'), (2, 'nc3-64bit.nc')):
        f = scipy.io.netcdf_file(p(name), 'w', version=version)
        f.history = 'scipy'
        f.createDimension('time', None)
        f.createDimension('x', 5)
        f.createDimension('y', 3)
        t = f.createVariable('time', 'f8', ('time',))
        t[:] = np.arange(4)
        t.units = 'hours since 2001-01-01'
        a = f.createVariable('a', 'f4', ('time', 'x'))
        a[:] = np.arange(20, dtype='f4').reshape(4, 5)
        a._FillValue = np.float32(-1)
        b = f.createVariable('b', 'i2', ('time', 'y', 'x'))
        b[:] = np.arange(60, dtype='i2').reshape(4, 3, 5)
        b.scale = np.array([1.0, 2.0])
        c = f.createVariable('c', 'i1', ('time',))
        c[:] = np.arange(4)
        s = f.createVariable('static', 'f8', ('y', 'x'))
        s[:] = np.arange(15).reshape(3, 5) / 4
        f.close()
    # CDF-5 (64-bit data) from netCDF-C, with a header larger than a first read.
    with netCDF4.Dataset(p('nc3-cdf5.nc'), 'w', format='NETCDF3_64BIT_DATA') as ds:
        ds.note = 'x' * 150_000
        ds.createDimension('t', None)
        ds.createDimension('k', 4)
        v = ds.createVariable('big', 'i8', ('t', 'k'))
        v[:] = np.arange(12, dtype='i8').reshape(3, 4) * 10**10
        w = ds.createVariable('u', 'u2', ('k',))
        w[:] = np.arange(4, dtype='u2') * 1000
        r = ds.createVariable('r', 'f4', ('t',))
        r[:] = np.arange(3, dtype='f4')
        r.valid_range = np.array([0, 10], dtype='f4')
    f = scipy.io.netcdf_file(p('nc3-one-record-var.nc'), 'w', version=1)
    f.createDimension('t', None)
    f.createDimension('n', 3)
    v = f.createVariable('v', 'i2', ('t', 'n'))
    v[:] = np.arange(15, dtype='i2').reshape(5, 3)
    f.close()


def chunk_table(path):
    table = {}
    with h5py.File(path, 'r') as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset) and obj.chunks is not None:
                # Every chunk by coordinate: where HDF5 says it is
                # (get_chunk_info_by_coord) and what HDF5 reads there
                # (read_direct_chunk, as a SHA-1 of the stored bytes). HDF5 1.10
                # reports wrong locations for extensible arrays whose unlimited
                # dimension is not the first (a "swizzled" index): there the
                # offset is null and the bytes alone decide.
                rows = []
                grid = [-(-s // c) for s, c in zip(obj.shape, obj.chunks)]
                for coords in np.ndindex(*grid):
                    offset = tuple(int(i * c) for i, c in zip(coords, obj.chunks))
                    try:
                        _, raw = obj.id.read_direct_chunk(offset)
                    except Exception:  # not allocated
                        continue
                    info = obj.id.get_chunk_info_by_coord(offset)
                    rows.append([list(map(int, coords)), info.byte_offset, len(raw), hashlib.sha1(raw).hexdigest()])
                assert len(rows) == obj.id.get_num_chunks(), (path, name)
                if any(r[1] is None for r in rows) or len({r[1] for r in rows}) != len(rows):
                    for r in rows:
                        r[1] = None
                table['/' + name] = rows
        f.visititems(visit)
    return table


netcdf4_chunked()
h5netcdf_file()
h5py_files()
netcdf3()
chunks = {n: chunk_table(p(n)) for n in sorted(os.listdir(out)) if n.endswith(('.h5',)) or (n.endswith('.nc') and not n.startswith('nc3'))}
with open(p('chunks.json'), 'w') as fh:
    json.dump(chunks, fh)
print(json.dumps(sorted(os.listdir(out))))
