import { describe, expect, it } from 'vitest';
import { Rng, UserError } from '@dcl-enas/common';
import type { Evaluator } from '@dcl-enas/benchmarks';
import { createCellSpace, nb201Space, type CellArch, type SearchSpace } from '@dcl-enas/spaces';
import { checkQueryBudget, distinctArchitectures } from './budget';
import { searchWithEvaluator } from './loop/embedded-run';
import { createStrategy } from './strategies/registry';
import { nearestNeighbourPredictors } from './strategies/test-predictor';

/** 3 ops on the 4-node cell: 729 cells, 78 distinct functions. */
const toySpace = createCellSpace({ name: 'toy', label: 'toy', ops: ['none', 'skip', 'conv'], symbols: ['none', 'skip', 'conv'], semantics: { none: 0, skip: 1 } });

/** Validation accuracy from the key: deterministic, different per function. */
function keyedEvaluator<A>(space: SearchSpace<A>): Evaluator<A> {
  return {
    space,
    datasets: ['toy'],
    query: (arch) => {
      const key = space.key(arch);
      let h = 0;
      for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) % 10_007;
      return { valAcc: h / 100, testAcc: h / 100, trainSeconds: 1 };
    },
  };
}

describe('query budgets', () => {
  it('counts distinct architectures, not cells', () => {
    expect(distinctArchitectures(toySpace)).toBe(78);
    expect(distinctArchitectures(nb201Space)).toBe(4930);
    expect(() => checkQueryBudget(nb201Space, 4931, '--queries')).toThrow(UserError);
    expect(() => checkQueryBudget(nb201Space, 4930, '--queries')).not.toThrow();
  });

  it.each(['random', 'rea', 'dcl-enas', 'dcl-pool'])('%s can train every distinct architecture of a space', async (name) => {
    const evaluator = keyedEvaluator<CellArch>(toySpace);
    const predictors = nearestNeighbourPredictors((arch) => toySpace.toGraph(arch as CellArch).ops);
    const queries = distinctArchitectures(toySpace);
    const strategy = createStrategy(name, { space: toySpace, rng: Rng.seeded(3), seed: 3, budget: queries, predictors });
    const outcome = await searchWithEvaluator({ evaluator, dataset: 'toy', strategy, queries });
    expect(new Set(outcome.history.map((q) => q.key)).size).toBe(queries);
  });

  it('random search reaches the last NB201 cells, which a few thousand samples miss', async () => {
    const queries = distinctArchitectures(nb201Space);
    for (const seed of [2, 3]) {
      const strategy = createStrategy('random', { space: nb201Space, rng: Rng.seeded(seed), seed, budget: queries });
      const outcome = await searchWithEvaluator({ evaluator: keyedEvaluator(nb201Space), dataset: 'toy', strategy, queries });
      expect(outcome.history).toHaveLength(queries);
    }
  });
});
