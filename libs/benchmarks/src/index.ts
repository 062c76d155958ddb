export * from './evaluator';
export * from './nb201';
