export * from './space';
export * from './cell';
export * from './nb201';
export * from './nb101';
export * from './ecg';
export * from './layers';
export * from './declared';
export * from './dag';
