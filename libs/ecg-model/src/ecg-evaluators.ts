import { registerBenchmark, type Evaluator } from '@dcl-enas/benchmarks';
import { initTf } from '@dcl-enas/tf-backend';
import { DEFAULT_MACRO } from './cell-network';
import { loadEcgData, type LoadEcgOptions } from './ecg-data';
import { ECG_DATASETS, EcgEvaluator, type EcgEvaluatorOptions } from './ecg-evaluator';
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
 * returns a maker of search evaluators. Make one per search: by default only candidates that
 * improve on the hold-out are scored on DS2, and the evaluator remembers the search's best. The
 * embedded search (registerEcgBenchmark) and the cluster trainer both evaluate through here,
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

/**
 * Makes space `ecg`, dataset `mitdb` available to openBenchmark (prepareEcgEvaluators: one
 * evaluator per openBenchmark call). Call (and await) it before openBenchmark('ecg', ...).
 */
export async function registerEcgBenchmark(options: EcgSearchOptions = {}): Promise<void> {
  const evaluator = await prepareEcgEvaluators(options);
  registerBenchmark('ecg', ECG_DATASETS, (dataset) => ({
    evaluator: evaluator() as Evaluator,
    dataset,
    ceiling: null,
  }));
}
