export * from './curves';
export * from './render';
export * from './html';
