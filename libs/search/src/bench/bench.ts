import { Rng } from '@dcl-enas/common';
import type { TrialOutcome, TrialRequest } from '@dcl-enas/contracts';
import type { SearchSpace } from '@dcl-enas/spaces';
import type { PredictorProvider } from '../predictor-port';
import { createStrategy } from '../strategies/registry';
import { runEmbedded, type QueryRecord } from '../loop/embedded-run';
import { BestSoFarTrace } from '../loop/selection';

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
 * Runs every strategy x seed at the largest budget (runEmbedded, the one search loop) and reads
 * the smaller budgets off its prefix. That equals separate runs because no strategy's decisions
 * depend on the budget (tested per strategy). Strategies are interleaved (all strategies for one
 * seed before the next), so a partial bench still compares them side by side. Each search's
 * random stream derives only from its seed: a run is identical alone, in a bench, or after a resume.
 */
export async function runBench<A>(options: {
  readonly space: SearchSpace<A>;
  /** The space as the spec names it (the records' `space`). */
  readonly spaceName: string;
  readonly dataset: string;
  readonly evaluate: (trial: TrialRequest) => TrialOutcome | Promise<TrialOutcome>;
  readonly plan: BenchPlan;
  readonly predictors?: PredictorProvider;
  /** The problem's own nInit for predictor-guided strategies (StrategyContext.nInit). */
  readonly nInit?: number;
  readonly done?: ReadonlySet<string>;
  readonly onRecord: (record: BenchRunRecord) => void | Promise<void>;
  readonly onProgress?: () => void;
}): Promise<void> {
  const { space, dataset, plan } = options;
  const budgets = [...new Set(plan.budgets)].sort((a, b) => a - b);
  const maxBudget = budgets[budgets.length - 1];
  for (const seed of plan.seeds)
    for (const strategy of plan.strategies) {
      const missing = budgets.filter((queries) => !options.done?.has(runId({ strategy, queries, seed })));
      if (missing.length === 0) continue;
      const { history } = await runEmbedded({
        id: `${strategy}-${options.spaceName}-${dataset}-seed${seed}`,
        spec: { apiVersion: 'enas/v1', kind: 'Experiment', space: options.spaceName, dataset, strategy, seed, queries: maxBudget, batchSize: 1 },
        space,
        strategy: createStrategy(strategy, { space, rng: Rng.seeded(seed), seed, budget: maxBudget, predictors: options.predictors, nInit: options.nInit }),
        evaluate: options.evaluate,
      });
      for (const queries of missing) {
        await options.onRecord(recordAt(history, queries, { space: options.spaceName, dataset, strategy, seed }));
        options.onProgress?.();
      }
    }
}

/** The result a search would have reported had it stopped after `queries` queries. */
export function recordAt(history: readonly QueryRecord[], queries: number, meta: { space: string; dataset: string; strategy: string; seed: number }): BenchRunRecord {
  const prefix = history.slice(0, queries);
  const selection = new BestSoFarTrace<QueryRecord>();
  for (const q of prefix) selection.offer(q, q.trainSeconds);
  const best = selection.best!;
  return {
    space: meta.space,
    dataset: meta.dataset,
    strategy: meta.strategy,
    queries,
    seed: meta.seed,
    bestArch: best.arch,
    bestKey: best.key,
    bestValAcc: best.valAcc,
    bestTestAcc: best.testAcc,
    testTrajectory: selection.points.map((p) => p.bestTestAcc),
    valTrajectory: selection.points.map((p) => p.bestValAcc),
    simulatedGpuSeconds: selection.gpuSeconds,
    wallSeconds: prefix[prefix.length - 1].wallSeconds,
  };
}
