export * from './evaluator';
export * from './nb201';
export * from './open-benchmark';
export * from './nb101';
export * from './table-space';
/** Fixtures for tests: official-format release files built from the shipped subset (synthetic test figures). */
export * as nb101Fixtures from './nb101/test-fixtures';
