export * from './space';
export * from './nb201';
