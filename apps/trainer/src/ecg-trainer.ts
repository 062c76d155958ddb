import { UserError } from '@dcl-enas/common';
import type { EcgSettings, TrialOutcome, TrialRequest } from '@dcl-enas/contracts';
import type { TrainFn } from '@dcl-enas/cluster';
import type { EcgSearchEvaluator } from '@dcl-enas/ecg-model';

/** Evaluators (loaded beat set, trained candidates) kept per distinct ECG settings. */
const KEEP_EVALUATORS = 2;

/**
 * Trains ECG trials for real, as `enas search --space ecg` does: the same evaluator
 * (@dcl-enas/ecg-model prepareEcgEvaluators), the same settings (ecgRunOptions of the spec's
 * `ecg` field), hold-out macro-F1 as valAcc (its mean over the folds with `folds` > 1, whose
 * folds this trainer trains one after the other). DS2 is scored, as embedded, only when the
 * candidate beats the best of the experiment's earlier trials (the request's `testAbove`). The
 * beat set and TensorFlow.js load on the first ECG trial, so tabular trainers start as fast as
 * before. Training is synchronous: ENAS_TRIAL_ACK_WAIT_MS must exceed the longest candidate.
 */
export function ecgTrainer(dataDir: () => string): TrainFn {
  const evaluators = new Map<string, Promise<EcgSearchEvaluator>>();
  const evaluatorFor = async (settings: EcgSettings | undefined): Promise<EcgSearchEvaluator> => {
    const { ecgRunOptions, prepareEcgEvaluators } = await import('@dcl-enas/ecg-model');
    const options = ecgRunOptions(settings);
    const id = JSON.stringify(options);
    let evaluator = evaluators.get(id);
    if (!evaluator) {
      evaluator = prepareEcgEvaluators({ dataDir: dataDir(), ...options }).then((make) => make());
      evaluator.catch(() => evaluators.delete(id));
      evaluators.set(id, evaluator);
      while (evaluators.size > KEEP_EVALUATORS) evaluators.delete(evaluators.keys().next().value!);
    }
    return evaluator;
  };
  return async (trial: TrialRequest, keepAlive: () => void): Promise<TrialOutcome> => {
    const evaluator = await evaluatorFor(trial.ecg);
    keepAlive();
    const arch = evaluator.space.parse(trial.arch);
    if (evaluator.space.key(arch) !== trial.key) throw new UserError(`trial ${trial.index}: key ${trial.key} is not the key of ${trial.arch} (${evaluator.space.key(arch)})`);
    const r = evaluator.queryAfter(arch, trial.dataset, trial.testAbove ?? null);
    return { valAcc: r.valAcc, testAcc: r.testAcc, trainSeconds: r.trainSeconds };
  };
}

