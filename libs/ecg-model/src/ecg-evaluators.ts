import { initTf } from '@dcl-enas/tf-backend';
import { DEFAULT_MACRO } from './cell-network';
import { loadEcgData, type LoadEcgOptions } from './ecg-data';
import { EcgEvaluator, type EcgEvaluatorOptions } from './ecg-evaluator';
import { EcgCvEvaluator, foldHoldoutSeeds, foldProtocols, foldTrainConfigs, loadEcgFolds, localFoldBackend } from './ecg-folds';
import { DEFAULT_TRAIN } from './trainer';

/** A search evaluator of space ecg: the single hold-out, or cross-validation inside DS1. */
export type EcgSearchEvaluator = EcgEvaluator | EcgCvEvaluator;

export interface EcgSearchOptions extends LoadEcgOptions, EcgEvaluatorOptions {
  /** Folds inside DS1 (ecgRunOptions); 1 or absent: the single hold-out (EcgEvaluator). */
  readonly folds?: number;
}

/**
 * Starts the TensorFlow.js backend and loads the beat set (cached after the first build) once;
 * returns a maker of search evaluators. By default only candidates that improve on the search's
 * best so far (the trial request's testAbove) are scored on DS2. The embedded search and the
 * cluster trainer both evaluate through here (the ecg problem of @dcl-enas/experiments),
 * with the options of ecgRunOptions. With `folds` K > 1 the evaluator is the cross-validation
 * inside DS1 (EcgCvEvaluator, folds trained one after the other in process): fold k holds out
 * the records of hold-out seed `holdout.seed + k` and trains with weight seed `train.seed + k`.
 */
export async function prepareEcgEvaluators(options: EcgSearchOptions = {}): Promise<() => EcgSearchEvaluator> {
  await initTf();
  const folds = options.folds ?? 1;
  if (folds <= 1) {
    const data = await loadEcgData(options);
    return () => new EcgEvaluator(data, { testPolicy: 'improving', ...options });
  }
  const data = await loadEcgFolds(foldHoldoutSeeds(options.holdout, folds), options);
  const train = foldTrainConfigs(options.train ?? DEFAULT_TRAIN, folds);
  const macro = options.macro ?? DEFAULT_MACRO;
  const protocols = foldProtocols(data, train, macro);
  return () => new EcgCvEvaluator(localFoldBackend(data, train, macro), protocols, { testPolicy: 'improving', ...options });
}
