import { UserError } from '@dcl-enas/common';
import { openBenchmark, type OpenedBenchmark } from '@dcl-enas/benchmarks';
import type { TrialOutcome, TrialRequest } from '@dcl-enas/contracts';
import type { TrainFn } from '@dcl-enas/cluster';

/**
 * Trains a trial through the space's evaluator: a table lookup for the NAS-Bench spaces (or
 * real training where an evaluator trains). With `timeScale` > 0 it also takes the recorded
 * GPU time times the scale, so that a tabular run behaves like a real one (load tests, drills).
 */
export function tabularTrainer(dataDir: () => string, timeScale: number): TrainFn {
  const opened = new Map<string, OpenedBenchmark>();
  return async (trial: TrialRequest, keepAlive: () => void): Promise<TrialOutcome> => {
    const id = `${trial.space}/${trial.dataset}`;
    let bench = opened.get(id);
    if (!bench) {
      bench = openBenchmark(trial.space, trial.dataset, dataDir());
      opened.set(id, bench);
    }
    const space = bench.evaluator.space;
    const arch = space.parse(trial.arch);
    if (space.key(arch) !== trial.key) throw new UserError(`trial ${trial.index}: key ${trial.key} is not the key of ${trial.arch} (${space.key(arch)})`);
    const r = bench.evaluator.query(arch, trial.dataset);
    if (timeScale > 0 && r.trainSeconds !== null) await simulate(r.trainSeconds * timeScale * 1000, keepAlive);
    return { valAcc: r.valAcc, testAcc: r.testAcc, trainSeconds: r.trainSeconds };
  };
}

async function simulate(ms: number, keepAlive: () => void): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    await new Promise((r) => setTimeout(r, Math.min(1000, end - Date.now())));
    keepAlive();
  }
}
