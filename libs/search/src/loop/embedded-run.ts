import { randomBytes } from 'node:crypto';
import { TrialFailure } from '@dcl-enas/common';
import { hostname } from 'node:os';
import { evaluateTrial, type Evaluator } from '@dcl-enas/benchmarks';
import type { BestSoFar, ExperimentEvent, ExperimentSpec, Prediction, TrajectoryPoint, TrialOutcome, TrialRequest } from '@dcl-enas/contracts';
import type { SearchSpace } from '@dcl-enas/spaces';
import type { Strategy } from '../strategy';
import { ExperimentRun, type RunEnd } from './experiment-run';

/** One trained architecture, in query order. */
export interface QueryRecord {
  readonly arch: string;
  readonly key: string;
  readonly valAcc: number;
  readonly testAcc: number | null;
  readonly trainSeconds: number | null;
  /** What a trial command reported (docs/trials.md). */
  readonly metrics?: Readonly<Record<string, number>>;
  readonly earlyStopped?: true;
  /** Wall seconds since the search started, when this result was in. */
  readonly wallSeconds: number;
}

export interface EmbeddedRunOptions<A> {
  readonly id: string;
  readonly spec: ExperimentSpec;
  readonly space: SearchSpace<A>;
  readonly strategy: Strategy<A>;
  /** Trains one trial from its request alone (the same function a trainer runs); `slot`: which of the `parallel` runners (0-based). */
  readonly evaluate: (trial: TrialRequest, slot: number) => TrialOutcome | Promise<TrialOutcome>;
  /** Trials trained at once (each batch's trials share out over this many runners); default 1. */
  readonly parallel?: number;
  /**
   * A durable log: the events of an earlier run of this experiment, replayed first (so that
   * finished trials are not trained again and the ones without a result are), and where every
   * new event goes. Default: the log lives in memory only.
   */
  readonly journal?: { readonly events: readonly ExperimentEvent[]; append(event: ExperimentEvent): void };
  /** Every event of the in-process log, in log order (the dashboard hub reads them). */
  readonly onEvent?: (event: ExperimentEvent) => void;
  /** After each applied trial, in query order, with the best so far. */
  readonly onQuery?: (record: QueryRecord, point: TrajectoryPoint) => void;
  readonly predictions?: (key: string) => Prediction | undefined;
  /** Pause before each trial; 0 still yields to other work (a dashboard server) between trials. */
  readonly paceMs?: number;
}

export interface EmbeddedOutcome {
  readonly run: ExperimentRun<unknown>;
  readonly end: RunEnd;
  readonly history: readonly QueryRecord[];
}

/**
 * A search in this process: the one loop (ExperimentRun) over an in-process event log (kept on
 * disk when a journal is given) and a dispatcher that trains each batch's trials here, up to
 * `parallel` at once, as soon as they are dispatched. The log gets what a cluster experiment's
 * log gets (created, proposed, result, ended); results are told in proposal order whatever
 * order they finish in, so the search depends on the batch size only. A trial
 * that fails on its own terms (TrialFailure) is a failed result, as in a cluster, and the search
 * goes on up to the failures the spec tolerates; any other error ends the search and is rethrown
 * as it was thrown.
 */
export async function runEmbedded<A>(options: EmbeddedRunOptions<A>): Promise<EmbeddedOutcome> {
  const { id, spec } = options;
  const started = performance.now();
  const trainer = `embedded@${hostname()}:${process.pid}`;
  const at = () => new Date().toISOString();
  const history: QueryRecord[] = [];
  let thrown: { error: unknown } | null = null;
  let run: ExperimentRun<A> | null = null;
  const append = async (event: ExperimentEvent): Promise<void> => {
    options.journal?.append(event);
    options.onEvent?.(event);
    run?.apply(event);
  };
  const pace = options.paceMs;
  const parallel = Math.max(1, options.parallel ?? 1);
  run = new ExperimentRun(id, spec, options.space, options.strategy, {
    log: { append },
    trials: {
      async dispatch(trials) {
        let next = 0;
        const runner = async (slot: number): Promise<void> => {
          while (next < trials.length && thrown === null) {
            const trial = trials[next++];
            if (pace !== undefined) await new Promise((r) => (pace > 0 ? setTimeout(r, pace) : setImmediate(r)));
            const common = { type: 'result' as const, index: trial.index, key: trial.key, token: trial.token, trainer, attempt: 1 };
            try {
              const outcome = await options.evaluate(trial, slot);
              await append({ ...common, outcome, at: at() });
            } catch (e) {
              await append({ ...common, outcome: null, error: (e as Error).message, at: at() });
              // a trial's own failure is a result; anything else is the evaluator's fault and ends the search
              if (!(e instanceof TrialFailure)) {
                thrown ??= { error: e };
                throw e;
              }
            }
          }
        };
        await Promise.all(Array.from({ length: Math.min(parallel, trials.length) }, (_, slot) => runner(slot)));
      },
    },
    onTrial: (point, trial, outcome) => {
      const record = { arch: trial.arch, key: trial.key, ...outcome, wallSeconds: (performance.now() - started) / 1000 };
      history.push(record);
      options.onQuery?.(record, point);
    },
    predictions: options.predictions,
    newToken: () => randomBytes(16).toString('hex'),
  });
  const replayed = options.journal?.events ?? [];
  for (const event of replayed) {
    options.onEvent?.(event);
    run.apply(event);
  }
  if (replayed.length === 0) await append({ type: 'created', experimentId: id, spec, at: at() });
  let end: RunEnd;
  try {
    end = await run.run();
  } catch (e) {
    await append({ type: 'ended', status: 'failed', reason: (e as Error).message, at: at() });
    throw thrown ? (thrown as { error: unknown }).error : e;
  }
  if (!replayed.some((e) => e.type === 'ended')) await append({ type: 'ended', status: end.status, ...(end.status === 'completed' ? {} : { reason: end.reason }), at: at() });
  return { run: run as ExperimentRun<unknown>, end, history };
}

export interface EvaluatorSearchOptions<A> {
  readonly evaluator: Evaluator<A>;
  readonly dataset: string;
  readonly strategy: Strategy<A>;
  /** Query budget: the number of architectures trained. */
  readonly queries: number;
  /** Trials asked from the strategy together; 1 is `enas search`. */
  readonly batchSize?: number;
  readonly onQuery?: (record: QueryRecord, point: TrajectoryPoint) => void;
}

export interface EvaluatorSearchOutcome {
  readonly best: BestSoFar;
  readonly trajectory: readonly TrajectoryPoint[];
  /** Sum of the recorded training times of the queried architectures; null where the data has none. */
  readonly simulatedGpuSeconds: number | null;
  readonly history: readonly QueryRecord[];
}

/** runEmbedded with an evaluator object as the trainer (benches, tuning tools, tests); throws unless the search completes. */
export async function searchWithEvaluator<A>(options: EvaluatorSearchOptions<A>): Promise<EvaluatorSearchOutcome> {
  const { evaluator, dataset, strategy, queries } = options;
  if (!Number.isInteger(queries) || queries < 1) throw new RangeError(`queries must be a positive integer, got ${queries}`);
  const { run, end, history } = await runEmbedded({
    id: `${strategy.name}-${evaluator.space.name}-${dataset}`,
    spec: { apiVersion: 'enas/v1', kind: 'Experiment', space: evaluator.space.name, dataset, strategy: strategy.name, seed: 0, queries, batchSize: options.batchSize ?? 1 },
    space: evaluator.space,
    strategy,
    evaluate: (trial) => evaluateTrial(evaluator, trial),
    onQuery: options.onQuery,
  });
  if (end.status !== 'completed') throw new Error(`search ${end.status}: ${end.reason}`);
  return { best: run.best!, trajectory: run.trajectory, simulatedGpuSeconds: run.simulatedGpuSeconds, history };
}
