/** "Reproduce in xarray": the Python that opens the same data and selection. */
import type { VariableInfo } from './dataset';
import { int, isPythonName, py, pyDict } from '../explorer/reproduce';

export type PythonSource = { kind: 's3'; bucket: string; path: string } | { kind: 'url'; url: string };

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
  if (source.kind === 's3') {
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
