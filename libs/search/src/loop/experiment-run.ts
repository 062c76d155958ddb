import { randomBytes } from 'node:crypto';
import type { BestSoFar, ExperimentEvent, ExperimentSpec, Prediction, ProposedTrial, TrajectoryPoint, TrialOutcome, TrialRequest } from '@dcl-enas/contracts';
import type { SearchSpace } from '@dcl-enas/spaces';
import type { Observation, Strategy } from '../strategy';
import { BestSoFarTrace } from './selection';
import { TrialLedger, type ResultVerdict } from './trial-ledger';

/** Where a run writes its events (JetStream in cluster mode); appends are idempotent per event. */
export interface EventAppender {
  append(event: ExperimentEvent): Promise<void>;
}

/** Hands trials to trainers. `resumed`: after a restart, so some may be queued or done already. */
export interface TrialDispatcher {
  dispatch(trials: readonly TrialRequest[], resumed: boolean): Promise<void>;
}

/** A dispatcher that can also withdraw an experiment's waiting trials (when it stops): the work queue, or Kubernetes Jobs. */
export interface TrialLauncher extends TrialDispatcher {
  withdraw(experimentId: string): Promise<number>;
  /** Tidies up after an experiment that completed (Kubernetes: its anchor Job goes). */
  finished?(experimentId: string): Promise<void>;
  /** Takes answered trials off the queue, so that no trainer trains them again. */
  settle?(experimentId: string, indices: readonly number[]): Promise<void>;
}

export interface RunPorts {
  readonly log: EventAppender;
  readonly trials: TrialDispatcher;
  /** After each applied trial, in query order. */
  readonly onTrial?: (point: TrajectoryPoint, trial: ProposedTrial, outcome: TrialOutcome, best: BestSoFar) => void;
  /** After each failed trial that did not end the run, in query order. */
  readonly onFailed?: (trial: ProposedTrial, reason: string) => void;
  /** After each batch has been told to the strategy. */
  readonly onBatch?: () => void;
  /** The predictor's score of a just-proposed architecture, if a predictor scored it (recorded in the proposal). */
  readonly predictions?: (key: string) => Prediction | undefined;
  /** A new trial secret (tests make them deterministic). */
  readonly newToken?: () => string;
}

export type RunEnd = { status: 'completed' } | { status: 'stopped'; reason: string } | { status: 'failed'; reason: string };

/** The log does not replay into the same search: the strategy proposed something else than recorded. */
export class ReplayDivergence extends Error {}

class StopSignal extends Error {}

/**
 * One experiment as a deterministic state machine over its event log. Feed it every event in
 * log order (`apply`), replayed and live alike, and `run` drives the strategy: it asks, records
 * the proposal (or, when replaying, checks it against the recorded one), dispatches trials
 * that have no result yet, waits for their results and tells them back in proposal order, so
 * the search is the same for the same batch size whatever the delivery order, duplicates or
 * crashes: embedded (runEmbedded: an in-process log and dispatcher) and in a cluster alike.
 * A result is applied once per architecture key.
 */
export class ExperimentRun<A> {
  private readonly ledger = new TrialLedger();
  private stopReason: string | null = null;
  private waiting: { keys: readonly string[]; resolve: () => void; reject: (e: Error) => void } | null = null;
  private readonly selection = new BestSoFarTrace<BestSoFar>();
  private readonly failures: { readonly index: number; readonly arch: string; readonly reason: string }[] = [];

  constructor(
    readonly id: string,
    readonly spec: ExperimentSpec,
    private readonly space: SearchSpace<A>,
    private readonly strategy: Strategy<A>,
    private readonly ports: RunPorts,
  ) {}

  get trajectory(): readonly TrajectoryPoint[] {
    return this.selection.points;
  }

  get best(): BestSoFar | null {
    return this.selection.best;
  }

  get simulatedGpuSeconds(): number | null {
    return this.selection.gpuSeconds;
  }

  /** Trials that failed (and did not end the run), in query order. */
  get failedTrials(): readonly { readonly index: number; readonly arch: string; readonly reason: string }[] {
    return this.failures;
  }

  /** Result events ignored because that trial already had one. */
  get duplicateResults(): number {
    return this.ledger.duplicates.length;
  }

  /** Result events refused (not from the trial's runner), with why. */
  get refusedResults(): TrialLedger['refused'] {
    return this.ledger.refused;
  }

  /** Indices of the trials that have their result. */
  get answered(): number[] {
    return this.ledger.acceptedResults.map((r) => r.index);
  }

  /** Applies one event of the log; for a result, says whether it was accepted (TrialLedger). */
  apply(event: ExperimentEvent): ResultVerdict | null {
    if (event.type === 'stop') this.stopReason ??= event.reason;
    else if (event.type !== 'proposed' && event.type !== 'result') return null;
    const verdict = this.ledger.apply(event);
    this.wake();
    return verdict;
  }

  async run(): Promise<RunEnd> {
    const { spec, space, strategy } = this;
    let index = 0;
    const seen = new Set<string>();
    const tolerated = maxFailedTrials(spec);
    try {
      for (let batch = 0; index < spec.queries; batch++) {
        if (this.stopReason !== null) return { status: 'stopped', reason: this.stopReason };
        const want = Math.min(spec.batchSize, spec.queries - index);
        const archs = await strategy.ask(want);
        if (archs.length === 0 || archs.length > want) throw new Error(`strategy ${strategy.name} returned ${archs.length} architectures for ${want} asked`);
        const newToken = this.ports.newToken ?? (() => randomBytes(16).toString('hex'));
        const proposed = archs.map((arch, i): ProposedTrial => {
          const key = space.key(arch);
          const prediction = this.ports.predictions?.(key);
          return { index: index + i, arch: space.format(arch), key, token: newToken(), ...(prediction ? { prediction } : {}) };
        });
        for (const t of proposed) {
          if (seen.has(t.key)) throw new Error(`strategy ${strategy.name} proposed ${t.arch} twice`);
          seen.add(t.key);
        }
        const recorded = this.ledger.batch(batch);
        if (recorded) this.checkReplay(batch, recorded, proposed);
        else {
          const event = { type: 'proposed' as const, batch, trials: proposed };
          await this.ports.log.append(event);
          this.ledger.propose(event);
        }
        const trials = recorded ?? proposed;
        const missing = trials.filter((t) => !this.ledger.result(t.key));
        if (missing.length > 0) {
          await this.ports.trials.dispatch(
            missing.map((t) => this.request(t)),
            recorded !== undefined,
          );
          await this.resultsFor(trials.map((t) => t.key));
        }
        const observations: Observation<A>[] = [];
        const failed: A[] = [];
        for (const [i, t] of trials.entries()) {
          const r = this.ledger.result(t.key)!;
          if (r.outcome === null) {
            this.failures.push({ index: t.index, arch: t.arch, reason: r.error ?? 'no reason given' });
            failed.push(archs[i]);
            if (this.failures.length <= tolerated) this.ports.onFailed?.(t, r.error ?? 'no reason given');
            if (this.failures.length > tolerated) {
              const count = tolerated > 0 ? ` (${this.failures.length} trials failed, more than the ${tolerated} tolerated: trial.maxFailedTrials)` : '';
              throw new TrialFailed(`trial ${t.index} (${t.arch}) failed: ${r.error ?? 'no reason given'}${count}`);
            }
            continue;
          }
          this.record(t, r.outcome);
          observations.push({ arch: archs[i], key: t.key, valAcc: r.outcome.valAcc });
        }
        await strategy.tell(observations, failed);
        index += trials.length;
        this.ports.onBatch?.();
      }
      return { status: 'completed' };
    } catch (e) {
      if (e instanceof StopSignal) return { status: 'stopped', reason: this.stopReason ?? 'stopped' };
      if (e instanceof TrialFailed || e instanceof ReplayDivergence) return { status: 'failed', reason: e.message };
      throw e;
    }
  }

  private request(t: ProposedTrial): TrialRequest {
    const { spec } = this;
    return {
      experimentId: this.id,
      index: t.index,
      space: spec.space,
      dataset: spec.dataset,
      arch: t.arch,
      key: t.key,
      token: t.token,
      ...(spec.ecg ? { ecg: spec.ecg } : {}),
      testAbove: this.selection.best?.valAcc ?? null,
      ...(spec.trial ? { trial: spec.trial } : {}),
      ...(spec.objective ? { objective: spec.objective } : {}),
    };
  }

  private record(trial: ProposedTrial, outcome: TrialOutcome): void {
    const point = this.selection.offer({ arch: trial.arch, key: trial.key, valAcc: outcome.valAcc, testAcc: outcome.testAcc }, outcome.trainSeconds);
    this.ports.onTrial?.(point, trial, outcome, this.selection.best!);
  }

  private checkReplay(batch: number, recorded: readonly ProposedTrial[], now: readonly ProposedTrial[]): void {
    const same = recorded.length === now.length && recorded.every((t, i) => t.key === now[i].key && t.index === now[i].index);
    if (!same) {
      throw new ReplayDivergence(
        `replay diverged at batch ${batch}: the log holds ${recorded.map((t) => t.arch).join(', ')} but the strategy now proposes ${now.map((t) => t.arch).join(', ')} (was the strategy or a library changed under a running experiment?)`,
      );
    }
  }

  private resultsFor(keys: readonly string[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting = { keys, resolve, reject };
      this.wake();
    });
  }

  private wake(): void {
    const w = this.waiting;
    if (!w) return;
    if (this.stopReason !== null) {
      this.waiting = null;
      w.reject(new StopSignal());
    } else if (w.keys.every((k) => this.ledger.result(k))) {
      this.waiting = null;
      w.resolve();
    }
  }
}

class TrialFailed extends Error {}

/**
 * Failed trials an experiment tolerates before it fails: the spec's trial.maxFailedTrials, by
 * default the larger of 3 and 10 % of the budget. A failed trial counts against the budget, is
 * not told to the strategy as an observation (it is told as failed) and adds no trajectory point.
 */
export function maxFailedTrials(spec: Pick<ExperimentSpec, 'queries' | 'trial'>): number {
  return spec.trial?.maxFailedTrials ?? Math.max(3, Math.floor(spec.queries / 10));
}
