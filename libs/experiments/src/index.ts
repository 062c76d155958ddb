export * from './spaces';
export * from './validate-spec';
export * from './experiment-run';
export * from './audit';
export * from './fold-log';
export * from './trial-ledger';
