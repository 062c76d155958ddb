export * from './config';
export * from './predictor';
export * from './pretrained-encoder';
export type { FinetuneReport } from './finetune';
export type { EpochReport } from './pretrain';
export { codecFor, graphProblem, pruneGraph, type GraphCodec, type WorkGraph } from './graph-codec';
export { augment, type AugmentConfig } from './augment';
export * from './evaluate';
export * from './in-process-predictors';
