export * from './layers-space';
