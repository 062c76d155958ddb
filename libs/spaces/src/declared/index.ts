export * from './definition';
export * from './declared-space';
