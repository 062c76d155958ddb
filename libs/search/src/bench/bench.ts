import { Rng } from '@dcl-enas/common';
import type { Evaluator } from '@dcl-enas/benchmarks';
import { runSearch, type QueryRecord } from '../run-search';
import type { PredictorProvider } from '../predictor-port';
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
  /** Best-so-far validation accuracy after each query (absent in records written before 2026-11-28 14:00). */
  readonly valTrajectory?: readonly number[];
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
 * Runs every strategy x seed at the largest budget and reads the smaller budgets off its
 * prefix. That equals separate runs because no strategy's decisions depend on the budget
 * (tested per strategy). Strategies are interleaved (all strategies for one seed before the
 * next), so a partial bench still compares them side by side. Each search's random stream
 * derives only from its seed: a run is identical alone, in a bench, or after a resume.
 */
export async function runBench<A>(options: {
  readonly evaluator: Evaluator<A>;
  readonly dataset: string;
  readonly plan: BenchPlan;
  readonly predictors?: PredictorProvider;
  readonly done?: ReadonlySet<string>;
  readonly onRecord: (record: BenchRunRecord) => void | Promise<void>;
  readonly onProgress?: () => void;
}): Promise<void> {
  const { evaluator, dataset, plan } = options;
  const budgets = [...new Set(plan.budgets)].sort((a, b) => a - b);
  const maxBudget = budgets[budgets.length - 1];
  for (const seed of plan.seeds)
    for (const strategy of plan.strategies) {
      const missing = budgets.filter((queries) => !options.done?.has(runId({ strategy, queries, seed })));
      if (missing.length === 0) continue;
      const outcome = await runSearch({
        evaluator,
        dataset,
        queries: maxBudget,
        strategy: createStrategy(strategy, { space: evaluator.space, rng: Rng.seeded(seed), seed, budget: maxBudget, predictors: options.predictors }),
      });
      for (const queries of missing) {
        await options.onRecord(recordAt(outcome.history, queries, { space: evaluator.space.name, dataset, strategy, seed, format: (a) => evaluator.space.format(a) }));
        options.onProgress?.();
      }
    }
}

/** The result a search would have reported had it stopped after `queries` queries. */
export function recordAt<A>(
  history: readonly QueryRecord<A>[],
  queries: number,
  meta: { space: string; dataset: string; strategy: string; seed: number; format: (arch: A) => string },
): BenchRunRecord {
  const prefix = history.slice(0, queries);
  let best = prefix[0];
  const testTrajectory: (number | null)[] = [];
  const valTrajectory: number[] = [];
  let gpu: number | null = 0;
  for (const q of prefix) {
    if (q.valAcc > best.valAcc) best = q;
    testTrajectory.push(best.testAcc);
    valTrajectory.push(best.valAcc);
    gpu = gpu === null || q.trainSeconds === null ? null : gpu + q.trainSeconds;
  }
  return {
    space: meta.space,
    dataset: meta.dataset,
    strategy: meta.strategy,
    queries,
    seed: meta.seed,
    bestArch: meta.format(best.arch),
    bestKey: best.key,
    bestValAcc: best.valAcc,
    bestTestAcc: best.testAcc,
    testTrajectory,
    valTrajectory,
    simulatedGpuSeconds: gpu,
    wallSeconds: prefix[prefix.length - 1].wallSeconds,
  };
}
