import { UserError } from '@dcl-enas/common';
import type { Evaluator, QueryResult } from './evaluator';

/** What an evaluator needs of a trial request (TrialRequest has these fields). */
export interface TrialToEvaluate {
  readonly index: number;
  readonly dataset: string;
  readonly arch: string;
  readonly key: string;
  readonly testAbove?: number | null;
}

/**
 * Trains (looks up) one trial from its request alone, as every runner does (the embedded loop,
 * a trainer worker, a Kubernetes Job): the architecture parsed from its text and checked against
 * the key the strategy recorded, the test set scored as the request says.
 */
export function evaluateTrial<A>(evaluator: Evaluator<A>, trial: TrialToEvaluate): QueryResult {
  const space = evaluator.space;
  const arch = space.parse(trial.arch);
  const key = space.key(arch);
  if (key !== trial.key) throw new UserError(`trial ${trial.index}: key ${trial.key} is not the key of ${trial.arch} (${key})`);
  const r = evaluator.query(arch, trial.dataset, { testAbove: trial.testAbove ?? null });
  return { valAcc: r.valAcc, testAcc: r.testAcc, trainSeconds: r.trainSeconds };
}
