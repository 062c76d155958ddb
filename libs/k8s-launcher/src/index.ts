export * from './labels';
export * from './trial-template';
export * from './trainer-env';
export * from './job-builder';
export * from './job-observation';
export * from './kube-errors';
export * from './kube-api';
export * from './trial-status';
export { TrialLauncher, type LauncherOptions, type LauncherLog, type TrialSubmission } from './launcher';
