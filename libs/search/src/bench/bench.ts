import { Rng } from '@dcl-enas/common';
import type { Evaluator } from '@dcl-enas/benchmarks';
import { runSearch } from '../run-search';
import { createStrategy } from '../strategies/registry';

/** One finished search of a bench: a JSON line in runs.jsonl, so an interrupted bench resumes. */
export interface BenchRunRecord {
  readonly space: string;
  readonly dataset: string;
  readonly strategy: string;
  readonly queries: number;
  readonly seed: number;
  readonly bestArch: string;
  readonly bestKey: string;
  readonly bestValAcc: number;
  readonly bestTestAcc: number | null;
  /** Best-so-far test accuracy (of the selected architecture) after each query. */
  readonly testTrajectory: readonly (number | null)[];
  readonly simulatedGpuSeconds: number | null;
  readonly wallSeconds: number;
}

export interface BenchPlan {
  readonly strategies: readonly string[];
  readonly budgets: readonly number[];
  readonly seeds: readonly number[];
}

export const runId = (r: Pick<BenchRunRecord, 'strategy' | 'queries' | 'seed'>): string => `${r.strategy}@${r.queries}#${r.seed}`;

/**
 * Runs every strategy x budget x seed. Strategies are interleaved (all strategies for one seed
 * and budget before the next), so a partial bench still compares them side by side. Each
 * search gets its own random stream derived only from its seed: a run is identical whether it
 * runs alone, in a bench, or after a resume.
 */
export async function runBench<A>(options: {
  readonly evaluator: Evaluator<A>;
  readonly dataset: string;
  readonly plan: BenchPlan;
  readonly done?: ReadonlySet<string>;
  readonly onRecord: (record: BenchRunRecord) => void | Promise<void>;
  readonly onProgress?: () => void;
}): Promise<void> {
  const { evaluator, dataset, plan } = options;
  for (const seed of plan.seeds)
    for (const queries of plan.budgets)
      for (const strategy of plan.strategies) {
        if (options.done?.has(runId({ strategy, queries, seed }))) continue;
        const started = performance.now();
        const outcome = await runSearch({
          evaluator,
          dataset,
          queries,
          strategy: createStrategy(strategy, { space: evaluator.space, rng: Rng.seeded(seed), budget: queries }),
        });
        await options.onRecord({
          space: evaluator.space.name,
          dataset,
          strategy,
          queries,
          seed,
          bestArch: evaluator.space.format(outcome.best.arch),
          bestKey: outcome.best.key,
          bestValAcc: outcome.best.valAcc,
          bestTestAcc: outcome.best.testAcc,
          testTrajectory: outcome.trajectory.map((p) => p.bestTestAcc),
          simulatedGpuSeconds: outcome.simulatedGpuSeconds,
          wallSeconds: (performance.now() - started) / 1000,
        });
        options.onProgress?.();
      }
}
