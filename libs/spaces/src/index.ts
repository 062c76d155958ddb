export * from './space';
export * from './nb201';
export * from './nb101';
