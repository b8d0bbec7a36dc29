/**
 * What a Zarr worker is started for, told by its name (`new Worker(url, { name })`),
 * the only thing a module worker can read before its first message: a worker
 * started for a NetCDF file then warms netCDF-4's codecs instead of blosc.
 */
export const NETCDF_WORKER_SUFFIX = ' (netcdf)';
