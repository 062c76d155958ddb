import { registerBenchmark, type Evaluator } from '@dcl-enas/benchmarks';
import { initTf } from '@dcl-enas/tf-backend';
import { loadEcgData, type LoadEcgOptions } from './ecg-data';
import { ECG_DATASETS, EcgEvaluator, type EcgEvaluatorOptions } from './ecg-evaluator';

/**
 * Starts the TensorFlow.js backend and loads the beat set (cached after the first build) once;
 * returns a maker of search evaluators. Make one per search: by default only candidates that
 * improve on the hold-out are scored on DS2, and the evaluator remembers the search's best. The
 * embedded search (registerEcgBenchmark) and the cluster trainer both evaluate through here.
 */
export async function prepareEcgEvaluators(options: LoadEcgOptions & EcgEvaluatorOptions = {}): Promise<() => EcgEvaluator> {
  await initTf();
  const data = await loadEcgData(options);
  return () => new EcgEvaluator(data, { testPolicy: 'improving', ...options });
}

/**
 * Makes space `ecg`, dataset `mitdb` available to openBenchmark (prepareEcgEvaluators: one
 * evaluator per openBenchmark call). Call (and await) it before openBenchmark('ecg', ...).
 */
export async function registerEcgBenchmark(options: LoadEcgOptions & EcgEvaluatorOptions = {}): Promise<void> {
  const evaluator = await prepareEcgEvaluators(options);
  registerBenchmark('ecg', ECG_DATASETS, (dataset) => ({
    evaluator: evaluator() as Evaluator,
    dataset,
    ceiling: null,
  }));
}
