import type { BestSoFar, ExperimentEvent, ExperimentStatus, TrajectoryPoint } from '@dcl-enas/contracts';
import { TrialLedger } from './trial-ledger';

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
 * validation accuracy, the earliest among equals). Stops at the first trial without a result.
 */
export function foldLog(events: readonly ExperimentEvent[]): FoldedLog {
  const ledger = new TrialLedger();
  let ended: FoldedLog['ended'] = null;
  for (const e of events) {
    ledger.apply(e);
    if (e.type === 'ended') ended = { status: e.status, ...(e.reason ? { reason: e.reason } : {}) };
  }
  const trajectory: TrajectoryPoint[] = [];
  let best: BestSoFar | null = null;
  let gpu: number | null = 0;
  outer: for (const trials of ledger.proposals()) {
    for (const t of trials) {
      const outcome = ledger.result(t.key)?.outcome;
      if (!outcome) break outer;
      if (best === null || outcome.valAcc > best.valAcc) best = { arch: t.arch, key: t.key, valAcc: outcome.valAcc, testAcc: outcome.testAcc };
      gpu = gpu === null || outcome.trainSeconds === null ? null : gpu + outcome.trainSeconds;
      trajectory.push({ query: trajectory.length + 1, bestValAcc: best.valAcc, bestTestAcc: best.testAcc });
    }
  }
  return { trajectory, best, simulatedGpuSeconds: trajectory.length > 0 ? gpu : null, ended };
}
