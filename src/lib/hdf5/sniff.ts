/**
 * Which objects can open as a NetCDF/HDF5 dataset: by name (`.nc`, `.nc4`,
 * `.h5`, `.hdf5`, `.he5`) or by their first bytes (the HDF5 signature at 0,
 * 512, 1024, 2048... where a user block precedes it, or `CDF\x01`/`\x02`/`\x05`).
 */
import { isNetcdf3 } from '../netcdf3';
import { HDF5_SIGNATURE } from './file';

export type ScientificFormat = 'hdf5' | 'netcdf3';

const EXTENSIONS = /\.(nc|nc4|netcdf|h5|hdf5|he5|hdf)$/i;

/** Whether a key's name suggests NetCDF or HDF5. */
export function looksLikeNetcdfName(key: string): boolean {
  return EXTENSIONS.test(key);
}

/** The format of an object from bytes read at its start (`head`, any length), or undefined. */
export function sniffFormat(head: Uint8Array): ScientificFormat | undefined {
  if (isNetcdf3(head)) return 'netcdf3';
  for (let at = 0; at + 8 <= head.length; at = at === 0 ? 512 : at * 2) {
    if (HDF5_SIGNATURE.every((v, i) => head[at + i] === v)) return 'hdf5';
  }
  return undefined;
}
