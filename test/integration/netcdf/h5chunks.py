"""Where HDF5 itself says a dataset's chunks are: [[chunk coords], byte offset, stored size] per
allocated chunk, in HDF5's own order (h5py's get_chunk_info). Shared by the big-file fixtures."""


def chunk_locations(d):
    out = []
    for i in range(d.id.get_num_chunks()):
        info = d.id.get_chunk_info(i)
        out.append([[o // c for o, c in zip(info.chunk_offset, d.chunks)], info.byte_offset, info.size])
    return out
