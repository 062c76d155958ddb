export * from './evaluator';
export * from './evaluate-trial';
export * from './nb201';
export * from './open-benchmark';
export * from './nb101';
export * from './table-space';
/** Fixtures for tests: official-format release files built from the shipped subset (synthetic test figures). */
export * as nb101Fixtures from './nb101/test-fixtures';
export * from './data-check';
/** Fixtures for tests: corrupted copies of the shipped NB201 table in temporary folders. */
export * as nb201Fixtures from './nb201/test-fixtures';
