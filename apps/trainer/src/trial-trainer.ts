import type { TrainFn } from '@dcl-enas/cluster';
import type { TrialOutcome, TrialRequest } from '@dcl-enas/contracts';
import { evaluateRequest, problemFor } from '@dcl-enas/experiments';

/**
 * Every trial a trainer takes (worker or Kubernetes Job), trained from its request alone by the
 * problem's evaluator (@dcl-enas/experiments): a table lookup, or real training (ECG, whose beat
 * set and TensorFlow.js load on the first such trial). With `timeScale` > 0 a table lookup also
 * takes the recorded GPU time times the scale, so that a tabular run behaves like a real one
 * (load tests, drills). Real training is synchronous: ENAS_TRIAL_ACK_WAIT_MS must exceed the
 * longest candidate.
 */
export function trialTrainer(dataDir: () => string, timeScale: number): TrainFn {
  return async (trial: TrialRequest, keepAlive: () => void): Promise<TrialOutcome> => {
    const problem = problemFor(trial.space);
    await problem.open(trial.dataset, { dataDir: dataDir(), ...(trial.ecg ? { ecg: trial.ecg } : {}) });
    keepAlive();
    const outcome = await evaluateRequest(trial, dataDir());
    if (problem.evaluation === 'table' && timeScale > 0 && outcome.trainSeconds !== null) await simulate(outcome.trainSeconds * timeScale * 1000, keepAlive);
    return outcome;
  };
}

async function simulate(ms: number, keepAlive: () => void): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    await new Promise((r) => setTimeout(r, Math.min(1000, end - Date.now())));
    keepAlive();
  }
}
