/** "Reproduce in xarray": the Python that opens the same data and selection. */
import type { VariableInfo } from './dataset';
import { int, isPythonName, py, pyDict } from '../explorer/reproduce';

import type { DatasetSource } from './address';

export type PythonSource = DatasetSource;

/**
 * Open references with fsspec's `reference://` file system. The reference
 * file and the objects it points at are read with the same s3fs options
 * (the connected endpoint; keys, or anonymous for a public URL).
 */
function referenceOpen(source: DatasetSource, endpoint: string | undefined, group: string): string[] {
  const at = source.kind === 's3' ? `s3://${source.bucket}/${source.path.replace(/\/+$/, '')}` : source.url.replace(/\/+$/, '');
  const ep = source.kind === 'url' ? new URL(source.url).origin : (endpoint ?? 'https://TENANCY-o.s3-ext.jc.rl.ac.uk');
  const s3 = source.kind === 's3' ? `{"key": "YOUR_ACCESS_KEY", "secret": "YOUR_SECRET", "client_kwargs": {"endpoint_url": ${py(ep)}}}` : `{"anon": True, "client_kwargs": {"endpoint_url": ${py(ep)}}}`;
  const g = group ? `, group=${py(group)}` : '';
  if (source.refs === 'combine' && source.combine) {
    const folder = source.kind === 's3' ? `${source.bucket}/${source.path.replace(/^\/+|\/+$/g, '')}` : source.url.replace(/\/+$/, '');
    const paths = source.combine.files.map((f) => py(`${folder.replace(/\/$/, '')}/${f}`));
    return [
      'import s3fs',
      '',
      source.kind === 's3' ? '# Keys from the JASMIN Object Store Portal (or your ~/.s3cfg)' : '# Public data: no keys',
      `fs = s3fs.S3FileSystem(**${s3})`,
      `files = [fs.open(p) for p in [${paths.join(', ')}]]`,
      `ds = xr.open_mfdataset(files, engine="h5netcdf"${g}, combine="by_coords", data_vars="minimal", coords="minimal", compat="override")`,
    ];
  }
  if (source.refs === 'scan') {
    const path = source.kind === 's3' ? `${source.bucket}/${source.path}` : source.url;
    return [
      'import s3fs',
      '',
      source.kind === 's3' ? '# Keys from the JASMIN Object Store Portal (or your ~/.s3cfg)' : '# Public data: no keys',
      `fs = s3fs.S3FileSystem(**${s3})`,
      `ds = xr.open_dataset(fs.open(${py(path)}), engine="h5netcdf"${g})`,
    ];
  }
  const compression = /\.zstd?$/i.test(at) ? 'zstd' : /\.gz$/i.test(at) ? 'gzip' : '';
  const target = source.kind === 's3' ? `"target_protocol": "s3", "target_options": {**s3${compression ? `, "compression": ${py(compression)}` : ''}}, ` : compression ? `"target_options": {"compression": ${py(compression)}}, ` : '';
  return [
    '',
    source.kind === 's3' ? '# Keys from the JASMIN Object Store Portal (or your ~/.s3cfg)' : '# Public data: no keys',
    `s3 = ${s3}`,
    `ds = xr.open_dataset("reference://", engine="zarr"${g}, backend_kwargs={"consolidated": False, "storage_options": {`,
    `    "fo": ${py(at)}, ${target}"remote_protocol": "s3", "remote_options": s3}})`,
  ];
}

/** `Dataset.isel`'s own parameters: a dimension of that name must go in the dict. */
const ISEL_PARAMETERS = ['indexers', 'drop', 'missing_dims'];

/**
 * `.isel(time=2)`, or `.isel({"a-b": 2})` when a dimension name is not a plain
 * Python name: dimension names come from the store and may hold anything.
 */
function isel(selection: [string, string][]): string {
  if (!selection.length) return '';
  const keywords = selection.every(([d]) => isPythonName(d) && !ISEL_PARAMETERS.includes(d));
  return `.isel(${keywords ? selection.map(([d, i]) => `${d}=${i}`).join(', ') : pyDict(selection)})`;
}

export function pythonSnippet(source: PythonSource, v: VariableInfo | null, index: number[], free: number[], endpoint?: string, group = ''): string {
  const lines = ['import xarray as xr'];
  const g = group ? `, group=${py(group)}` : '';
  if (source.refs) lines.push(...referenceOpen(source, endpoint, group));
  else if (source.kind === 's3') {
    lines.push(
      'import s3fs',
      '',
      '# Keys from the JASMIN Object Store Portal (or your ~/.s3cfg)',
      `fs = s3fs.S3FileSystem(anon=False, key="YOUR_ACCESS_KEY", secret="YOUR_SECRET",`,
      `                       client_kwargs={"endpoint_url": ${py(endpoint ?? 'https://TENANCY-o.s3-ext.jc.rl.ac.uk')}})`,
      `store = s3fs.S3Map(root=${py(`${source.bucket}/${source.path.replace(/\/+$/, '')}`)}, s3=fs, check=False)`,
      `ds = xr.open_zarr(store${g})`,
    );
  } else {
    lines.push('', `ds = xr.open_zarr(${py(source.url.replace(/\/+$/, ''))}${g})`);
  }
  if (v) {
    const selection = v.dims.flatMap((d, i): [string, string][] => (free.includes(i) || (v.shape.length < 2 && i === 0) ? [] : [[d, int(index[i] ?? 0)]]));
    lines.push(`da = ds[${py(v.name)}]${isel(selection)}`);
    if (v.shape.length >= 2) lines.push(`da.plot(x=${py(v.dims[free[1]!]!)}, y=${py(v.dims[free[0]!]!)}, robust=True)`);
    else if (v.shape.length === 1) lines.push('da.plot()');
    else lines.push('print(da.values)');
  }
  return lines.join('\n');
}
