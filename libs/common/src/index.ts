export * from './rng';
export * from './stats';
export * from './errors';
export * from './data-dir';
export * from './durable-file';
export * from './data-file';
export * from './strict-number';
export * from './data-check';
