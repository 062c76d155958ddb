import { registerBenchmark, type Evaluator } from '@dcl-enas/benchmarks';
import { initTf } from '@dcl-enas/tf-backend';
import { loadEcgData, type LoadEcgOptions } from './ecg-data';
import { ECG_DATASETS, EcgEvaluator, type EcgEvaluatorOptions } from './ecg-evaluator';

/**
 * Starts the TensorFlow.js backend, loads the beat set (cached after the first build) and makes space `ecg`,
 * dataset `mitdb` available to openBenchmark. Call (and await) it before openBenchmark('ecg', ...).
 * By default only candidates that improve on the hold-out are scored on DS2.
 */
export async function registerEcgBenchmark(options: LoadEcgOptions & EcgEvaluatorOptions = {}): Promise<void> {
  await initTf();
  const data = await loadEcgData(options);
  registerBenchmark('ecg', ECG_DATASETS, (dataset) => ({
    evaluator: new EcgEvaluator(data, { testPolicy: 'improving', ...options }) as Evaluator,
    dataset,
    ceiling: null,
  }));
}
