export * from './select-backend';
export * from './file-io';
export * from './fast-dense';
