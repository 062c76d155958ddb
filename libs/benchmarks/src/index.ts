export * from './evaluator';
export * from './nb201';
export * from './open-benchmark';
export * from './nb101';
