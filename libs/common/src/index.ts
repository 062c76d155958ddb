export * from './rng';
export * from './stats';
export * from './errors';
export * from './data-dir';
export * from './durable-file';
