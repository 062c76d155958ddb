import { kendallTau } from '@dcl-enas/common';
import { specSpaceName, type ExperimentEvent, type ExperimentSpec, type ExperimentStatus, type Prediction, type ResultEvent } from '@dcl-enas/contracts';
import { BestSoFarTrace, TrialLedger, type Scored } from '@dcl-enas/search';

/** waiting: proposed, no trainer has it yet (as far as we know); withdrawn: its experiment ended first. */
export type TrialState = 'waiting' | 'running' | 'stuck' | 'succeeded' | 'failed' | 'withdrawn';
export const TRIAL_STATES: readonly TrialState[] = ['waiting', 'running', 'stuck', 'succeeded', 'failed', 'withdrawn'];

/**
 * What a launcher knows about a trial while it runs: the Kubernetes launcher's TrialStatus has
 * this shape (phase, podName, reason, message, events, attempt); the embedded loop reports
 * Running and Succeeded.
 */
export interface LiveTrialStatus {
  readonly phase: string;
  readonly podName?: string;
  readonly reason?: string;
  readonly message?: string;
  readonly events?: readonly string[];
  readonly attempt?: number;
}

export interface TrialEventLine {
  readonly at: string;
  readonly text: string;
}

export interface TrialRow {
  readonly index: number;
  readonly batch: number;
  readonly arch: string;
  readonly key: string;
  /** The predictor's score when the strategy proposed it; null for random proposals. */
  readonly predicted: number | null;
  /** The predictor fit (cycle) that scored it. */
  readonly cycle: number | null;
  readonly valAcc: number | null;
  readonly testAcc: number | null;
  /** Training time the benchmark recorded (simulated GPU seconds), when known. */
  readonly trainSeconds: number | null;
  readonly state: TrialState;
  readonly proposedAt: string | null;
  readonly finishedAt: string | null;
  /** Wall seconds from proposal to result, or so far while unfinished. */
  readonly durationSeconds: number | null;
  /** The pod or trainer that ran it. */
  readonly pod: string | null;
  readonly attempt: number | null;
  /** Why it failed or is stuck. */
  readonly reason: string | null;
  /** Most recent last. */
  readonly events: readonly TrialEventLine[];
}

export interface CurvePoint {
  readonly query: number;
  readonly valAcc: number;
  readonly bestValAcc: number;
  readonly bestTestAcc: number | null;
}

/**
 * Ranking quality of one predictor fit (cycle), judged by the architectures it chose (its infill
 * batch). A fit scores only what it proposes, so its ranking can be checked only on those picks.
 * The measure that carries the signal: how many of its picks beat the median of the random
 * initial trials (a fair sample of the space). A predictor that ranks no better than chance
 * picks architectures that beat that median half the time; one that ranks well, nearly always.
 */
export interface CycleQuality {
  readonly cycle: number;
  readonly trials: number;
  /** Trials of the batch with a validation accuracy so far. */
  readonly observed: number;
  /**
   * Of the observed picks, the fraction whose validation accuracy beats the median of the random
   * initial trials (a tie counts half); chance: 0.5. Null before any pick or any
   * `RANKING_MIN_REFERENCE` random trials are observed.
   */
  readonly hitRate: number | null;
  /** The same over the observed picks of this fit and every earlier one. */
  readonly hitRateSoFar: number | null;
  /** Of the observed picks, the fraction that beat the best random initial trial; chance: 1 / (random trials + 1). */
  readonly beatBestRate: number | null;
  /**
   * Kendall tau-b between predicted score and observed validation accuracy within this batch
   * only; null below 2 observations. The picks of one fit are its top-ranked, near-tied cells:
   * over a batch of 5 this is mostly noise (about 0 whether or not the predictor ranks well).
   */
  readonly tau: number | null;
  readonly bestValAcc: number | null;
}

/**
 * Whether the predictor's picks beat random architectures, over every fit so far: the picks are
 * the observed trials a fit scored and proposed; the reference is the observed random initial
 * trials (those proposed before the first pick).
 */
export interface RankingQuality {
  /** Observed random initial trials. */
  readonly reference: number;
  readonly referenceMedian: number;
  readonly referenceBest: number;
  /** Observed picks of every fit. */
  readonly picks: number;
  /** Fraction of picks beating the reference median (ties half); chance 0.5. */
  readonly hitRate: number | null;
  /** Fraction of picks beating the best reference trial (ties half); chance `chanceBeatBest`. */
  readonly beatBestRate: number | null;
  /** 1 / (reference + 1): a random architecture's chance to beat the best of `reference` others. */
  readonly chanceBeatBest: number;
}

/** Random initial trials needed before picks are judged against them. */
export const RANKING_MIN_REFERENCE = 5;

export interface BestTrial {
  readonly index: number;
  readonly arch: string;
  readonly key: string;
  readonly valAcc: number;
  readonly testAcc: number | null;
}

export interface ExperimentSummary {
  readonly id: string;
  readonly name: string | null;
  readonly space: string;
  readonly dataset: string;
  readonly strategy: string;
  readonly seed: number;
  readonly queries: number;
  readonly batchSize: number;
  readonly status: ExperimentStatus;
  readonly reason: string | null;
  readonly done: number;
  readonly failed: number;
  readonly stuck: number;
  readonly best: BestTrial | null;
  readonly createdAt: string | null;
  readonly updatedAt: string | null;
}

export interface ExperimentModel extends ExperimentSummary {
  readonly curve: readonly CurvePoint[];
  /** Every finished trial's own validation accuracy at its query number (dots beside the curve). */
  readonly scatter: readonly { readonly query: number; readonly valAcc: number }[];
  readonly trials: readonly TrialRow[];
  readonly trialCounts: Record<TrialState, number>;
  readonly cycles: readonly CycleQuality[];
  /** Whether the predictor's picks beat the random initial trials, over all fits; null without a reference or picks. */
  readonly ranking: RankingQuality | null;
  /**
   * Kendall tau over every predicted-and-observed trial of all cycles, pooled. The scores of
   * different fits are not on one scale, and every pick is a top-ranked cell: not a measure of
   * ranking quality (kept for reports that print it).
   */
  readonly tauOverall: number | null;
  readonly simulatedGpuSeconds: number | null;
}

export interface TrackerOptions {
  /** A trial without a result this long after its proposal is reported as stuck. */
  readonly stuckAfterSeconds: number;
  readonly now?: () => number;
}

interface Trial {
  index: number;
  batch: number;
  arch: string;
  key: string;
  prediction: Prediction | null;
  proposedAt: number | null;
  result: ResultEvent | null;
  live: LiveTrialStatus | null;
  stuckReason: string | null;
  events: TrialEventLine[];
}

const MAX_EVENTS = 6;

/**
 * One experiment as the dashboard shows it, folded from its event log (the same events in
 * embedded and cluster mode) plus what launchers report live. No transport: adapters feed it.
 */
export class ExperimentTracker {
  private spec: ExperimentSpec | null = null;
  private readonly trials = new Map<number, Trial>();
  private readonly ledger = new TrialLedger();
  private status: ExperimentStatus = 'queued';
  private reason: string | null = null;
  private createdAt: string | null = null;
  private updatedAt: string | null = null;
  private hint: string | null = null;
  private readonly now: () => number;
  /** Bumped on every change; views carry it. */
  version = 0;

  constructor(
    readonly id: string,
    private readonly options: TrackerOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  get ended(): boolean {
    return this.status === 'completed' || this.status === 'stopped' || this.status === 'failed';
  }

  /** Folds one log event; `at` is when it was stored, where the event itself carries no time. */
  apply(event: ExperimentEvent, at?: string): void {
    const when = 'at' in event ? event.at : (at ?? new Date(this.now()).toISOString());
    this.updatedAt = when;
    this.version++;
    switch (event.type) {
      case 'created':
        this.spec = event.spec;
        this.createdAt = event.at;
        return;
      case 'proposed':
        this.ledger.propose(event);
        if (this.status === 'queued') this.status = 'running';
        for (const t of event.trials) {
          if (this.trials.has(t.index)) continue;
          const trial: Trial = { index: t.index, batch: event.batch, arch: t.arch, key: t.key, prediction: t.prediction ?? null, proposedAt: Date.parse(when), result: null, live: null, stuckReason: null, events: [] };
          this.trials.set(t.index, trial);
          note(trial, when, t.prediction ? `proposed in batch ${event.batch}; predicted score ${t.prediction.score.toFixed(3)} (cycle ${t.prediction.fit})` : `proposed in batch ${event.batch}`);
        }
        return;
      case 'result': {
        const verdict = this.ledger.judge(event);
        const trial = this.trials.get(event.index);
        if (!trial) return;
        const by = `${event.trainer}, attempt ${event.attempt}`;
        if (verdict.kind === 'refused') {
          note(trial, when, `result from ${by} refused: ${verdict.reason}`);
          return;
        }
        if (verdict.kind === 'duplicate' || trial.result) {
          note(trial, when, `duplicate result from ${by} ignored`);
          return;
        }
        trial.result = event;
        trial.stuckReason = null;
        note(trial, when, event.outcome ? `validation ${event.outcome.valAcc.toFixed(2)} % (${by})` : `failed: ${event.error ?? 'no reason given'} (${by})`);
        return;
      }
      case 'stop':
        this.reason = `stop requested: ${event.reason}`;
        return;
      case 'ended':
        this.status = event.status;
        this.reason = event.reason ?? null;
        for (const t of this.trials.values()) if (!t.result) note(t, when, `withdrawn: experiment ${event.status}`);
        return;
    }
  }

  /** What the launcher reports about trial `index` (its pod, phase, reason and events); false when nothing changed. */
  setLiveStatus(index: number, status: LiveTrialStatus, at?: string): boolean {
    const trial = this.trials.get(index);
    if (!trial || JSON.stringify(trial.live) === JSON.stringify(status)) return false;
    const when = at ?? new Date(this.now()).toISOString();
    const previous = trial.live;
    trial.live = status;
    if (!previous || previous.phase !== status.phase || previous.reason !== status.reason) note(trial, when, `${status.phase}${status.reason ? `: ${status.reason}` : ''}`);
    for (const line of status.events ?? []) if (!previous?.events?.includes(line)) note(trial, when, line);
    this.version++;
    return true;
  }

  /** Why unfinished trials may be waiting (e.g. the state of the work queue); used in stuck reasons. */
  setWaitingHint(hint: string | null): void {
    if (hint === this.hint) return;
    this.hint = hint;
    this.version++;
  }

  /**
   * Marks trials waiting past the limit as stuck (with the reason), once each. True when something
   * changed or a trial is still unfinished (its duration grows).
   */
  tick(): boolean {
    if (this.ended) return false;
    const now = this.now();
    let unfinished = false;
    for (const t of this.trials.values()) {
      if (t.result) continue;
      unfinished = true;
      const waited = t.proposedAt === null ? 0 : (now - t.proposedAt) / 1000;
      if (waited < this.options.stuckAfterSeconds) continue;
      const reason = this.stuckReasonOf(t, waited);
      if (reason !== t.stuckReason) {
        if (t.stuckReason === null) note(t, new Date(now).toISOString(), `stuck: ${reason}`);
        t.stuckReason = reason;
      }
    }
    if (unfinished) this.version++;
    return unfinished;
  }

  summary(): ExperimentSummary {
    const rows = [...this.trials.values()];
    const spec = this.spec;
    const selection = new BestSoFarTrace<BestTrial>();
    for (const t of this.ordered()) {
      if (!t.result) break;
      const o = t.result.outcome;
      if (!o) continue; // failed: no point, as in the run
      selection.offer({ index: t.index, arch: t.arch, key: t.key, valAcc: o.valAcc, testAcc: o.testAcc }, o.trainSeconds);
    }
    const best = selection.best;
    return {
      id: this.id,
      name: spec?.name ?? null,
      space: spec ? specSpaceName(spec.space) : '?',
      dataset: spec?.dataset ?? '?',
      strategy: spec?.strategy ?? '?',
      seed: spec?.seed ?? 0,
      queries: spec?.queries ?? 0,
      batchSize: spec?.batchSize ?? 1,
      status: this.status,
      reason: this.reason,
      done: rows.filter((t) => t.result?.outcome).length,
      failed: rows.filter((t) => t.result && !t.result.outcome).length,
      stuck: rows.filter((t) => this.stateOf(t) === 'stuck').length,
      best,
      createdAt: this.createdAt,
      updatedAt: this.updatedAt,
    };
  }

  /** The whole view; `maxTrials` newest trials in the table (stuck and failed ones always). */
  model(maxTrials = 200): ExperimentModel {
    const ordered = this.ordered();
    const curve: CurvePoint[] = [];
    const selection = new BestSoFarTrace<Scored>();
    for (const t of ordered) {
      if (!t.result) break;
      const o = t.result.outcome;
      if (!o) continue; // failed: no point, as in the run
      curve.push({ ...selection.offer(o, o.trainSeconds), valAcc: o.valAcc });
    }
    const gpu = selection.gpuSeconds;
    const scatter = ordered.filter((t) => t.result?.outcome).map((t) => ({ query: t.index + 1, valAcc: t.result!.outcome!.valAcc }));
    const rows = ordered.map((t) => this.row(t));
    const counts = Object.fromEntries(TRIAL_STATES.map((s) => [s, 0])) as Record<TrialState, number>;
    for (const r of rows) counts[r.state]++;
    const newest = maxTrials > 0 ? rows.slice(-maxTrials) : [];
    const older = rows.slice(0, Math.max(0, rows.length - maxTrials)).filter((r) => r.state === 'stuck' || r.state === 'failed');
    return {
      ...this.summary(),
      curve,
      scatter,
      trials: [...older, ...newest].reverse(),
      trialCounts: counts,
      cycles: cycleQuality(rows),
      ranking: rankingQuality(rows),
      tauOverall: tauOf(rows.filter((r) => r.predicted !== null && r.valAcc !== null)),
      simulatedGpuSeconds: curve.length > 0 ? gpu : null,
    };
  }

  private ordered(): Trial[] {
    return [...this.trials.values()].sort((a, b) => a.index - b.index);
  }

  private stateOf(t: Trial): TrialState {
    if (t.result) return t.result.outcome ? 'succeeded' : 'failed';
    if (this.ended) return 'withdrawn';
    if (t.stuckReason !== null) return 'stuck';
    return t.live && /^running$/i.test(t.live.phase) ? 'running' : 'waiting';
  }

  private stuckReasonOf(t: Trial, waited: number): string {
    const parts = [`no result after ${Math.round(waited)} s`];
    if (t.live?.reason) parts.push(`${t.live.phase}: ${t.live.reason}`);
    else if (t.live && /^running$/i.test(t.live.phase)) parts.push(`running on ${t.live.podName ?? 'a trainer'}`);
    if (t.live?.message) parts.push(t.live.message);
    if (!t.live?.reason && this.hint) parts.push(this.hint);
    return parts.join('; ');
  }

  private row(t: Trial): TrialRow {
    const state = this.stateOf(t);
    const o = t.result?.outcome ?? null;
    const end = t.result ? Date.parse(t.result.at) : this.ended ? null : this.now();
    return {
      index: t.index,
      batch: t.batch,
      arch: t.arch,
      key: t.key,
      predicted: t.prediction?.score ?? null,
      cycle: t.prediction?.fit ?? null,
      valAcc: o?.valAcc ?? null,
      testAcc: o?.testAcc ?? null,
      trainSeconds: o?.trainSeconds ?? null,
      state,
      proposedAt: t.proposedAt === null ? null : new Date(t.proposedAt).toISOString(),
      finishedAt: t.result?.at ?? null,
      durationSeconds: t.proposedAt === null || end === null ? null : Math.max(0, (end - t.proposedAt) / 1000),
      pod: t.result?.trainer ?? t.live?.podName ?? null,
      attempt: t.result?.attempt ?? t.live?.attempt ?? null,
      reason: state === 'failed' ? (t.result?.error ?? 'no reason given') : state === 'stuck' ? t.stuckReason : (t.live?.reason ?? null),
      events: t.events.slice(-MAX_EVENTS),
    };
  }
}

function note(trial: Trial, at: string, text: string): void {
  trial.events.push({ at, text });
  if (trial.events.length > MAX_EVENTS * 2) trial.events.splice(0, trial.events.length - MAX_EVENTS);
}

function tauOf(rows: readonly TrialRow[]): number | null {
  if (rows.length < 2) return null;
  const tau = kendallTau(
    rows.map((r) => r.predicted!),
    rows.map((r) => r.valAcc!),
  );
  return Number.isFinite(tau) ? tau : null;
}

/** The observed random initial trials: those without a prediction proposed before the first pick (rows in proposal order). */
function referenceOf(rows: readonly TrialRow[]): number[] | null {
  const first = rows.findIndex((r) => r.cycle !== null);
  const reference = (first < 0 ? rows : rows.slice(0, first)).filter((r) => r.cycle === null && r.valAcc !== null).map((r) => r.valAcc!);
  return reference.length >= RANKING_MIN_REFERENCE ? reference.sort((a, b) => a - b) : null;
}

function median(sorted: readonly number[]): number {
  const m = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
}

/** Fraction of `values` above `threshold`, a tie counting half; null when empty. */
function beatRate(values: readonly number[], threshold: number): number | null {
  if (values.length === 0) return null;
  return values.reduce((n, v) => n + (v > threshold ? 1 : v === threshold ? 0.5 : 0), 0) / values.length;
}

const observedPicks = (rows: readonly TrialRow[]): number[] => rows.filter((r) => r.cycle !== null && r.valAcc !== null).map((r) => r.valAcc!);

/**
 * Per predictor fit, from rows in proposal order: the fraction of its observed picks that beat the
 * median (and the best) of the random initial trials, the same over all fits up to it, and tau
 * within its batch.
 */
export function cycleQuality(rows: readonly TrialRow[]): CycleQuality[] {
  const reference = referenceOf(rows);
  const byCycle = new Map<number, TrialRow[]>();
  for (const r of rows) if (r.cycle !== null) byCycle.set(r.cycle, [...(byCycle.get(r.cycle) ?? []), r]);
  const soFar: number[] = [];
  return [...byCycle.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([cycle, group]) => {
      const observed = group.filter((r) => r.valAcc !== null);
      const accs = observed.map((r) => r.valAcc!);
      soFar.push(...accs);
      return {
        cycle,
        trials: group.length,
        observed: observed.length,
        hitRate: reference ? beatRate(accs, median(reference)) : null,
        hitRateSoFar: reference ? beatRate(soFar, median(reference)) : null,
        beatBestRate: reference ? beatRate(accs, reference[reference.length - 1]) : null,
        tau: tauOf(observed),
        bestValAcc: observed.length > 0 ? Math.max(...accs) : null,
      };
    });
}

/** Over every fit so far, from rows in proposal order; null without `RANKING_MIN_REFERENCE` random initial trials or any pick. */
export function rankingQuality(rows: readonly TrialRow[]): RankingQuality | null {
  const reference = referenceOf(rows);
  const picks = observedPicks(rows);
  if (!reference || picks.length === 0) return null;
  const best = reference[reference.length - 1];
  return {
    reference: reference.length,
    referenceMedian: median(reference),
    referenceBest: best,
    picks: picks.length,
    hitRate: beatRate(picks, median(reference)),
    beatBestRate: beatRate(picks, best),
    chanceBeatBest: 1 / (reference.length + 1),
  };
}
