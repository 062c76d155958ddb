export * from './select-backend';
export * from './file-io';
