import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TrainFn } from '@dcl-enas/cluster';
import type { TrialOutcome, TrialRequest } from '@dcl-enas/contracts';
import { evaluateRequest, problemFor } from '@dcl-enas/experiments';

/**
 * Every trial a trainer takes (worker or Kubernetes Job), trained from its request alone
 * (@dcl-enas/experiments evaluateRequest): the user's trial command in a fresh directory under
 * ENAS_TRIAL_ROOT (docs/trials.md), a table lookup, or real training (ECG, whose beat set and
 * TensorFlow.js load on the first such trial). With `timeScale` > 0 a table lookup also
 * takes the recorded GPU time times the scale, so that a tabular run behaves like a real one
 * (load tests, drills). Real training is synchronous: ENAS_TRIAL_ACK_WAIT_MS must exceed the
 * longest candidate.
 */
export function trialTrainer(dataDir: () => string, timeScale: number, trialRoot = defaultTrialRoot()): TrainFn {
  return async (trial: TrialRequest, keepAlive: () => void): Promise<TrialOutcome> => {
    if (trial.trial?.command) {
      // the user's command runs as long as it takes: keep the trial's claim on the queue alive meanwhile
      const beat = setInterval(keepAlive, KEEP_ALIVE_MS);
      try {
        return await evaluateRequest(trial, { dataDir: dataDir(), commands: { trialRoot: join(trialRoot, trial.experimentId) } });
      } finally {
        clearInterval(beat);
      }
    }
    const problem = problemFor(trial.space);
    await problem.open(trial.dataset, { dataDir: dataDir(), ...(trial.ecg ? { ecg: trial.ecg } : {}) });
    keepAlive();
    const outcome = await evaluateRequest(trial, { dataDir: dataDir() });
    if (problem.evaluation === 'table' && timeScale > 0 && outcome.trainSeconds !== null) await simulate(outcome.trainSeconds * timeScale * 1000, keepAlive);
    return outcome;
  };
}

const KEEP_ALIVE_MS = 5000;

/** Where trial commands get their directories: ENAS_TRIAL_ROOT, else a folder in the system's temporary directory. */
function defaultTrialRoot(): string {
  return process.env['ENAS_TRIAL_ROOT'] || join(tmpdir(), 'enas-trials');
}

async function simulate(ms: number, keepAlive: () => void): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    await new Promise((r) => setTimeout(r, Math.min(1000, end - Date.now())));
    keepAlive();
  }
}
