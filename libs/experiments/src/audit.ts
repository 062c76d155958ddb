import type { ExperimentEvent } from '@dcl-enas/contracts';

export interface LogAudit {
  readonly proposed: number;
  /** Architecture keys proposed more than once. */
  readonly proposedTwice: string[];
  /** Keys with more than one result event: trained more than once. */
  readonly trainedTwice: string[];
  /** Proposed keys without any result event. */
  readonly lost: string[];
  /** Results for keys never proposed. */
  readonly orphans: string[];
  /** Trials that needed more than one delivery (a trainer died on them). */
  readonly redelivered: string[];
}

/** What the event log says about exactly-once training: every proposal trained once, none lost. */
export function auditLog(events: readonly ExperimentEvent[]): LogAudit {
  const proposals = new Map<string, number>();
  const results = new Map<string, number>();
  const redelivered: string[] = [];
  for (const e of events) {
    if (e.type === 'proposed') for (const t of e.trials) proposals.set(t.key, (proposals.get(t.key) ?? 0) + 1);
    if (e.type === 'result') {
      results.set(e.key, (results.get(e.key) ?? 0) + 1);
      if (e.attempt > 1) redelivered.push(e.key);
    }
  }
  // The same proposal event stored twice (same batch) would show here as proposedTwice too.
  return {
    proposed: proposals.size,
    proposedTwice: [...proposals].filter(([, n]) => n > 1).map(([k]) => k),
    trainedTwice: [...results].filter(([, n]) => n > 1).map(([k]) => k),
    lost: [...proposals.keys()].filter((k) => !results.has(k)),
    orphans: [...results.keys()].filter((k) => !proposals.has(k)),
    redelivered,
  };
}
