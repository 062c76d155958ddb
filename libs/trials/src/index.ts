export * from './protocol';
export * from './run-trial';
export * from './remote-outcome';
export * from './median-stopping';
export { DEFAULT_MAX_LOG_BYTES } from './log-capture';
export { processAlive } from './process-group';
