/** Kerchunk references: parse, resolve, open as a Zarr key source, write. */
export type { LazyChunks, Reference, References } from './types';
export { parseReferences, fromDocument, looksLikeReferences, inlineBytes } from './parse';
export { ReferenceSource } from './source';
export { MemoryLookup, ScannedLookup, type ReferenceLookup } from './lookup';
export { ParquetLookup } from './parquet';
export { makeResolver, HttpsSource, type RefsLocation, type UrlResolver } from './resolve';
export { openReferences, openReferenceFile, refsFormatOf, under, type RefsFormat } from './open';
export { registerScanner, scanToReferences, type ScanToReferences, type ScanOptions, type ScannedFile } from './scan';
export { RefsError } from './errors';
export { toDocument, encodeReferences, writeReferences, referencesKeyFor, type WriteOptions, type PutFn } from './write';
export { combineReferences, type CombinePart, type CombineOptions, type CombineOrder, type CombinedReferences } from './combine';
