export * from './dialects';
export * from './templates';
export * from './explain';
export * from './cors-doctor';
export * from './cors-probe';
export * from './write';
