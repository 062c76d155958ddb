import { timingSafeEqual } from 'node:crypto';
import type { ExperimentEvent, ProposedEvent, ProposedTrial, ResultEvent } from '@dcl-enas/contracts';

/** What became of one result event. */
export type ResultVerdict =
  | { readonly kind: 'accepted'; readonly trial: ProposedTrial }
  /** A second genuine result of an answered trial (a redelivery): ignored. */
  | { readonly kind: 'duplicate'; readonly trial: ProposedTrial }
  | { readonly kind: 'refused'; readonly reason: string };

/**
 * Which trials an event log proposed and which results it accepted, by one rule that every
 * reader of a log shares (the run, its fold, its audit): a result counts only for a trial that
 * was proposed before it, with that trial's key and secret token, and only the first one counts.
 * Anyone allowed to publish results can append events to the log; only these results are facts.
 */
export class TrialLedger {
  private readonly batches = new Map<number, ProposedEvent>();
  private readonly byIndex = new Map<number, ProposedTrial>();
  private readonly accepted = new Map<string, ResultEvent>();
  /** Genuine results for trials already answered (each a training that happened). */
  readonly duplicates: ResultEvent[] = [];
  /** Results refused as not coming from the trial's runner, with why. */
  readonly refused: { readonly event: ResultEvent; readonly reason: string }[] = [];

  /** Records a proposal; false when its batch was recorded already (the first stays). */
  propose(event: ProposedEvent): boolean {
    if (this.batches.has(event.batch)) return false;
    this.batches.set(event.batch, event);
    for (const t of event.trials) if (!this.byIndex.has(t.index)) this.byIndex.set(t.index, t);
    return true;
  }

  judge(event: ResultEvent): ResultVerdict {
    const trial = this.byIndex.get(event.index);
    const verdict = verdictOf(trial, event, this.accepted.has(event.key));
    if (verdict.kind === 'accepted') this.accepted.set(event.key, event);
    else if (verdict.kind === 'duplicate') this.duplicates.push(event);
    else this.refused.push({ event, reason: verdict.reason });
    return verdict;
  }

  /** Applies any event; returns the verdict for results, null otherwise. */
  apply(event: ExperimentEvent): ResultVerdict | null {
    if (event.type === 'proposed') this.propose(event);
    else if (event.type === 'result') return this.judge(event);
    return null;
  }

  batch(batch: number): readonly ProposedTrial[] | undefined {
    return this.batches.get(batch)?.trials;
  }

  /** Every proposal, in batch order from batch 0, up to the first missing batch. */
  *proposals(): Generator<readonly ProposedTrial[]> {
    for (let b = 0; this.batches.has(b); b++) yield this.batches.get(b)!.trials;
  }

  /** The accepted result of a key. */
  result(key: string): ResultEvent | undefined {
    return this.accepted.get(key);
  }

  get acceptedResults(): readonly ResultEvent[] {
    return [...this.accepted.values()];
  }
}

/** Why a result is not the genuine result of this trial; null when it is. */
export function resultMismatch(trial: Pick<ProposedTrial, 'index' | 'key' | 'token'>, event: ResultEvent): string | null {
  if (trial.index !== event.index) return `the result is for trial ${event.index}, not ${trial.index}`;
  if (trial.key !== event.key) return `trial ${event.index} is ${trial.key}, not ${event.key}`;
  if (!sameToken(trial.token, event.token)) return `trial ${event.index}: the result does not carry the trial's token`;
  return null;
}

function verdictOf(trial: ProposedTrial | undefined, event: ResultEvent, answered: boolean): ResultVerdict {
  if (!trial) return { kind: 'refused', reason: `trial ${event.index} was never proposed` };
  const mismatch = resultMismatch(trial, event);
  if (mismatch) return { kind: 'refused', reason: mismatch };
  return { kind: answered ? 'duplicate' : 'accepted', trial };
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
