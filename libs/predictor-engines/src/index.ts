export * from './engine';
export * from './graph-features';
export * from './ridge-engine';
export * from './registry';
export * from './in-process';
