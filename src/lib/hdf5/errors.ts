/**
 * Structured errors of the HDF5 and NetCDF readers. A `kind` says what went
 * wrong; `path` names the variable or group (when known); `feature` names the
 * unsupported HDF5 feature, so the dataset view can say exactly what it cannot
 * show while the rest of the file still opens.
 */
export type Hdf5ErrorKind =
  | 'not-hdf5' // no HDF5 or CDF signature
  | 'corrupt' // a structure does not parse (bad signature, out of range, absurd size)
  | 'unsupported' // a valid feature Tessera does not read
  | 'read-failed'; // the byte source failed

export class Hdf5Error extends Error {
  override name = 'Hdf5Error';
  readonly kind: Hdf5ErrorKind;
  readonly path?: string;
  readonly feature?: string;
  constructor(kind: Hdf5ErrorKind, message: string, opts: { path?: string; feature?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.kind = kind;
    if (opts.path !== undefined) this.path = opts.path;
    if (opts.feature !== undefined) this.feature = opts.feature;
  }
}

/** A variable or group that could not be turned into references, and why. */
export interface SkippedObject {
  /** Path inside the file, e.g. `/group/temperature`. */
  path: string;
  kind: Hdf5ErrorKind;
  /** The unsupported feature, when that is the reason (e.g. `szip filter`). */
  feature?: string;
  message: string;
}

export function corrupt(message: string, path?: string): Hdf5Error {
  return new Hdf5Error('corrupt', message, path === undefined ? {} : { path });
}

export function unsupported(feature: string, path?: string): Hdf5Error {
  return new Hdf5Error('unsupported', `${path ? `${path}: ` : ''}${feature} is not supported`, { feature, ...(path === undefined ? {} : { path }) });
}
