export * from './nb201-space';
