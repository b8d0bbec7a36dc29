#!/usr/bin/python3
"""Open a file with xarray and the same file through kerchunk references
(fsspec's reference:// file system + the Zarr engine); compare every
variable's values, dimensions and attributes in every group.

Usage: compare-with-xarray.py FILE REFS.json ENGINE GROUP [GROUP...] [--no-dims]
Prints JSON: {"checked": [...variables...], "problems": [...]}.
"""
import json
import sys

import numcodecs
import numpy as np
import xarray as xr
from numcodecs.abc import Codec


class Fletcher32(Codec):
    """HDF5's Fletcher-32 (H5checksum.c), written out here so the check does not trust Tessera's codec."""
    codec_id = 'fletcher32'

    def decode(self, buf, out=None):
        b = bytes(buf)
        body, stored = b[:-4], int.from_bytes(b[-4:], 'little')
        words = np.frombuffer(body[: len(body) // 2 * 2], dtype='>u2').astype(np.uint64)
        s1 = s2 = 0
        for i in range(0, len(words), 360):
            for w in words[i:i + 360]:
                s1 += int(w)
                s2 += s1
            s1 = (s1 & 0xFFFF) + (s1 >> 16)
            s2 = (s2 & 0xFFFF) + (s2 >> 16)
        if len(body) % 2:
            s1 += body[-1] << 8
            s2 += s1
            s1 = (s1 & 0xFFFF) + (s1 >> 16)
            s2 = (s2 & 0xFFFF) + (s2 >> 16)
        s1 = (s1 & 0xFFFF) + (s1 >> 16)
        s2 = (s2 & 0xFFFF) + (s2 >> 16)
        if stored != ((s2 << 16) | s1):
            raise ValueError('fletcher32 mismatch')
        return numcodecs.compat.ndarray_copy(np.frombuffer(body, dtype='u1'), out) if out is not None else body

    def encode(self, buf):
        raise NotImplementedError


numcodecs.register_codec(Fletcher32)

path, refs, engine, *rest = sys.argv[1:]
check_dims = '--no-dims' not in rest
groups = [g for g in rest if g != '--no-dims']
problems, checked = [], []


def same_attr(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype.kind in 'SUO' or b.dtype.kind in 'SUO':
        return [str(x) for x in a.ravel()] == [str(x) for x in b.ravel()]
    return a.shape == b.shape and np.allclose(a.astype(float), b.astype(float), equal_nan=True)


def same_as_h5py(group, name, values):
    # netCDF-C reads fixed-length string datasets written by h5py wrongly
    # (['ab', 'cd'] comes back as ['abcd', '']); the HDF5 library is the judge.
    if engine == 'scipy':
        return False
    import h5py
    with h5py.File(path, 'r') as f:
        d = f[(group.rstrip('/') + '/' + name)]
        return [x.decode() if isinstance(x, bytes) else str(x) for x in d[()].ravel()] == values


for group in groups:
    kw = dict(decode_times=False, mask_and_scale=False, decode_coords=False)
    g = None if group == '/' else group
    ref = xr.open_dataset(path, engine=engine, group=g, **kw)
    mine = xr.open_dataset('reference://', engine='zarr', group=g, backend_kwargs={'consolidated': False, 'storage_options': {'fo': refs, 'remote_protocol': 'file'}}, **kw)
    for name, v in ref.variables.items():
        where = f'{group}:{name}'
        if name not in mine.variables:
            problems.append(f'{where}: missing from the references')
            continue
        w = mine.variables[name]
        if check_dims and v.dims != w.dims:
            problems.append(f'{where}: dims {w.dims} != {v.dims}')
        a, b = v.values, w.values
        if a.shape != b.shape:
            problems.append(f'{where}: shape {b.shape} != {a.shape}')
        elif a.dtype.kind in 'SUO' and b.dtype.kind in 'SUO':
            # netCDF-C gives fixed-length HDF5 strings as Python strings, Zarr as bytes.
            text = lambda x: [y.decode() if isinstance(y, bytes) else str(y) for y in x.ravel()]
            if text(a) != text(b) and not same_as_h5py(group, name, text(b)):
                problems.append(f'{where}: values differ')
        elif a.dtype != b.dtype:
            problems.append(f'{where}: dtype {b.dtype} != {a.dtype}')
        elif a.dtype.kind in 'fc' and not np.array_equal(a, b, equal_nan=True):
            problems.append(f'{where}: values differ')
        elif a.dtype.kind not in 'fc' and not np.array_equal(a, b):
            problems.append(f'{where}: values differ')
        for k, val in v.attrs.items():
            if k == '_FillValue':
                if not same_attr(val, w.attrs.get(k, w.encoding.get('_FillValue'))):
                    problems.append(f'{where}: _FillValue {w.attrs.get(k)} != {val}')
            elif k not in w.attrs or not same_attr(val, w.attrs[k]):
                problems.append(f'{where}: attribute {k}: {w.attrs.get(k)!r} != {val!r}')
        checked.append(where)
    for k, val in ref.attrs.items():
        if k not in mine.attrs or not same_attr(val, mine.attrs[k]):
            problems.append(f'{group}: global attribute {k}: {mine.attrs.get(k)!r} != {val!r}')
    extra = set(mine.variables) - set(ref.variables)
    if extra:
        problems.append(f'{group}: variables only in the references: {sorted(extra)}')
print(json.dumps({'checked': checked, 'problems': problems}))
