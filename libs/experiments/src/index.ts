export * from './problems';
export * from './validate-spec';
export * from './space-report';
export * from './command-trials';
