export * from './nb201-space';
export { nb201CanonicalForm } from './nb201-canonical';
