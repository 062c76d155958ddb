export * from './subjects';
export * from './limits';
export * from './decode';
export * from './refs';
export * from './experiment-spec';
export * from './events';
export * from './messages';
export * from './views';
