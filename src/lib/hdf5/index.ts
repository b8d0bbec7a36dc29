export { hdf5References, type Hdf5References, type Hdf5Options } from './references';
export { Hdf5Error, type SkippedObject } from './errors';
export { RangeCache, type ReadRange, type RangeStats } from './range-cache';
export { registerFletcher32, Fletcher32Codec } from './fletcher32';
export { sniffFormat, looksLikeNetcdfName, type ScientificFormat } from './sniff';
export { openScientific, keyReader, type RangeSource, type ScientificReferences } from './open';
export { scanNetcdf, type ScannedReferences } from './scanner';
