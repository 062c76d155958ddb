export * from './cell-space';
export * from './cell-canonical';
