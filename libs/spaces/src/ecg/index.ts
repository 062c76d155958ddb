export * from './ecg-space';
