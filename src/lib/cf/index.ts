export * from './packing';
export * from './time';
export * from './labels';
