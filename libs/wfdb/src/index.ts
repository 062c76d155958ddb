export * from './errors';
export * from './header';
export * from './format212';
export * from './physical';
export * from './annotation-codes';
export * from './annotations';
export * from './verify';
export * from './read-record';
