import { describe, expect, it } from 'vitest';
import { Rng, resolveDataDir, mean } from '@dcl-enas/common';
import { loadNb201, Nb201Evaluator, type Evaluator, type QueryResult } from '@dcl-enas/benchmarks';
import type { Nb201Arch } from '@dcl-enas/spaces';
import { runSearch } from '../run-search';
import { createStrategy } from './registry';

const evaluator = new Nb201Evaluator(loadNb201(resolveDataDir()));

/** Counts what the search loop asks of the evaluator, passing the real answers through. */
function recordingEvaluator(inner: Evaluator<Nb201Arch>): Evaluator<Nb201Arch> & { keys: string[] } {
  const keys: string[] = [];
  return {
    space: inner.space,
    datasets: inner.datasets,
    keys,
    query(arch, dataset): QueryResult {
      keys.push(inner.space.key(arch));
      return inner.query(arch, dataset);
    },
  };
}

describe.each(['random', 'rea'])('strategy %s', (name) => {
  const search = (seed: number, queries: number, ev: Evaluator<Nb201Arch> = evaluator) =>
    runSearch({ evaluator: ev, dataset: 'cifar10', queries, strategy: createStrategy(name, { space: ev.space, rng: Rng.seeded(seed), budget: queries }) });

  it('stops exactly at the budget and never trains an architecture twice', async () => {
    const ev = recordingEvaluator(evaluator);
    const outcome = await search(1, 150, ev);
    expect(ev.keys).toHaveLength(150);
    expect(new Set(ev.keys).size).toBe(150);
    expect(outcome.trajectory).toHaveLength(150);
  });

  it('is identical for identical seeds and differs across seeds', async () => {
    const a = await search(5, 60);
    const b = await search(5, 60);
    const c = await search(6, 60);
    expect(b).toEqual(a);
    expect(c.trajectory).not.toEqual(a.trajectory);
  });

  it('selects the best validation accuracy seen and reports its table test accuracy', async () => {
    const ev = recordingEvaluator(evaluator);
    const outcome = await search(2, 80, ev);
    expect(outcome.best.valAcc).toBe(Math.max(...outcome.trajectory.map((p) => p.bestValAcc)));
    expect(outcome.best.testAcc).toBe(evaluator.query(outcome.best.arch, 'cifar10').testAcc);
    for (let i = 1; i < outcome.trajectory.length; i++) expect(outcome.trajectory[i].bestValAcc).toBeGreaterThanOrEqual(outcome.trajectory[i - 1].bestValAcc);
    expect(outcome.simulatedGpuSeconds).toBeGreaterThan(0);
  });
});

describe('regularised evolution', () => {
  it('beats random search on average over seeds at 100 queries', async () => {
    const run = async (name: string, seed: number) =>
      (await runSearch({ evaluator, dataset: 'cifar100', queries: 100, strategy: createStrategy(name, { space: evaluator.space, rng: Rng.seeded(seed), budget: 100 }) })).best.valAcc;
    const seeds = Array.from({ length: 10 }, (_, i) => 200 + i);
    const rea = await Promise.all(seeds.map((s) => run('rea', s)));
    const random = await Promise.all(seeds.map((s) => run('random', s)));
    expect(mean(rea)).toBeGreaterThan(mean(random));
  });

  it('refuses unknown strategies with the list of known ones', () => {
    expect(() => createStrategy('bogus', { space: evaluator.space, rng: Rng.seeded(0), budget: 1 })).toThrow(/unknown strategy "bogus": use one of .*rea/);
  });
});
