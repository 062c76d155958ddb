import type { ExperimentEvent } from '@dcl-enas/contracts';
import { TrialLedger } from './trial-ledger';

export interface LogAudit {
  readonly proposed: number;
  /** Architecture keys proposed more than once. */
  readonly proposedTwice: string[];
  /** Keys with more than one genuine result: trained more than once. */
  readonly trainedTwice: string[];
  /** Proposed keys without an accepted result. */
  readonly lost: string[];
  /** Result events refused (never proposed, wrong key or token): written by someone who was not the trial's runner. */
  readonly refused: string[];
  /** Trials that needed more than one delivery (a trainer died on them). */
  readonly redelivered: string[];
}

/** What the event log says about exactly-once training: every proposal trained once, none lost, nothing forged counted. */
export function auditLog(events: readonly ExperimentEvent[]): LogAudit {
  const proposals = new Map<string, number>();
  const ledger = new TrialLedger();
  for (const e of events) {
    if (e.type === 'proposed') for (const t of e.trials) proposals.set(t.key, (proposals.get(t.key) ?? 0) + 1);
    ledger.apply(e);
  }
  const genuine = [...ledger.acceptedResults, ...ledger.duplicates];
  const trainings = new Map<string, number>();
  for (const r of genuine) trainings.set(r.key, (trainings.get(r.key) ?? 0) + 1);
  // The same proposal event stored twice (same batch) would show here as proposedTwice too.
  return {
    proposed: proposals.size,
    proposedTwice: [...proposals].filter(([, n]) => n > 1).map(([k]) => k),
    trainedTwice: [...trainings].filter(([, n]) => n > 1).map(([k]) => k),
    lost: [...proposals.keys()].filter((k) => !ledger.result(k)),
    refused: ledger.refused.map((r) => `${r.event.index}: ${r.reason}`),
    redelivered: genuine.filter((r) => r.attempt > 1).map((r) => r.key),
  };
}
