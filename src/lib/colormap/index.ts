export * from './maps';
export * from './range';
export * from './apply';
