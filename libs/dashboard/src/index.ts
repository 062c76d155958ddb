export * from './tracker';
export * from './svg';
export * from './hub';
export * from './predictions';
export * from './page';
