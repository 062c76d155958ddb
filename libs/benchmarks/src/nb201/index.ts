export * from './nb201-table';
export * from './nb201-evaluator';
