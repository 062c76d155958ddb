import type { BestSoFar, ExperimentEvent, ExperimentStatus, TrajectoryPoint } from '@dcl-enas/contracts';
import { TrialLedger } from './trial-ledger';
import { BestSoFarTrace } from './selection';

export interface FoldedLog {
  readonly trajectory: TrajectoryPoint[];
  readonly best: BestSoFar | null;
  readonly simulatedGpuSeconds: number | null;
  /** From the `ended` event, when there is one. */
  readonly ended: { status: Exclude<ExperimentStatus, 'queued' | 'running'>; reason?: string } | null;
}

/**
 * The trajectory an event log records, without running the strategy: proposals in batch
 * order, each trial's first accepted result (TrialLedger), the same selection rule as the search loop (best
 * validation accuracy, the earliest among equals). Stops at the first trial without a result;
 * a failed trial adds no point, as in the run.
 */
export function foldLog(events: readonly ExperimentEvent[]): FoldedLog {
  const ledger = new TrialLedger();
  let ended: FoldedLog['ended'] = null;
  for (const e of events) {
    ledger.apply(e);
    if (e.type === 'ended') ended = { status: e.status, ...(e.reason ? { reason: e.reason } : {}) };
  }
  const selection = new BestSoFarTrace<BestSoFar>();
  outer: for (const trials of ledger.proposals()) {
    for (const t of trials) {
      const result = ledger.result(t.key);
      if (!result) break outer;
      const outcome = result.outcome;
      if (!outcome) continue; // a failed trial: no point on the trajectory (ExperimentRun.failedTrials)
      selection.offer({ arch: t.arch, key: t.key, valAcc: outcome.valAcc, testAcc: outcome.testAcc }, outcome.trainSeconds);
    }
  }
  const trajectory = selection.points;
  return { trajectory, best: selection.best, simulatedGpuSeconds: trajectory.length > 0 ? selection.gpuSeconds : null, ended };
}
