export * from './curves';
export * from './render';
