import { describe, expect, it } from 'vitest';
import { Rng, resolveDataDir, mean } from '@dcl-enas/common';
import { loadNb201, Nb201Evaluator, type Evaluator, type QueryResult } from '@dcl-enas/benchmarks';
import { ecgSpace, nb201Space, type Nb201Arch, type SearchSpace } from '@dcl-enas/spaces';
import { searchWithEvaluator, type EvaluatorSearchOutcome } from '../loop/embedded-run';
import type { PredictorProvider } from '../predictor-port';
import type { Observation } from '../strategy';
import { createStrategy } from './registry';
import { DCL_ENAS_DEFAULTS, dclEnas } from './dcl-enas';
import { nearestNeighbourPredictors } from './test-predictor';

const evaluator = new Nb201Evaluator(loadNb201(resolveDataDir()));
const predictors = nearestNeighbourPredictors((arch) => nb201Space.toGraph(arch as Nb201Arch).ops);

/** Passes the real answers through, recording what was asked; can hide the test accuracy. */
function recordingEvaluator(inner: Evaluator<Nb201Arch>, scrambleTest = false): Evaluator<Nb201Arch> & { keys: string[] } {
  const keys: string[] = [];
  const noise = Rng.seeded(99);
  return {
    space: inner.space,
    datasets: inner.datasets,
    keys,
    query(arch, dataset): QueryResult {
      keys.push(inner.space.key(arch));
      const r = inner.query(arch, dataset);
      return scrambleTest ? { ...r, testAcc: noise.float() * 100 } : r;
    },
  };
}

const withoutWallTimes = (o: EvaluatorSearchOutcome) => ({ ...o, history: o.history.map(({ wallSeconds: _w, ...q }) => q) });

describe.each(['random', 'rea', 'dcl-enas', 'dcl-enas-no-pretrain', 'dcl-enas-regression', 'dcl-pool'])('strategy %s', (name) => {
  const search = (seed: number, queries: number, ev: Evaluator<Nb201Arch> = evaluator) =>
    searchWithEvaluator({ evaluator: ev, dataset: 'cifar10', queries, strategy: createStrategy(name, { space: ev.space, rng: Rng.seeded(seed), seed, budget: queries, predictors }) });

  it('stops exactly at the budget and never trains an architecture twice', async () => {
    const ev = recordingEvaluator(evaluator);
    const outcome = await search(1, 97, ev);
    expect(ev.keys).toHaveLength(97);
    expect(new Set(ev.keys).size).toBe(97);
    expect(outcome.trajectory).toHaveLength(97);
  });

  it('is identical for identical seeds and differs across seeds', async () => {
    const a = await search(5, 60);
    const b = await search(5, 60);
    const c = await search(6, 60);
    expect(withoutWallTimes(b)).toEqual(withoutWallTimes(a));
    expect(c.trajectory).not.toEqual(a.trajectory);
  });

  it('never reads test accuracy: scrambling it changes no decision', async () => {
    const plain = await search(4, 60);
    const scrambled = await search(4, 60, recordingEvaluator(evaluator, true));
    expect(scrambled.history.map((q) => q.key)).toEqual(plain.history.map((q) => q.key));
  });

  it('does not depend on the budget: a longer run extends a shorter one', async () => {
    const short = await search(8, 45);
    const long = await search(8, 90);
    expect(long.history.slice(0, 45).map((q) => q.key)).toEqual(short.history.map((q) => q.key));
  });

  it('selects the best validation accuracy seen and reports its table test accuracy', async () => {
    const outcome = await search(2, 80);
    expect(outcome.best.valAcc).toBe(Math.max(...outcome.history.map((q) => q.valAcc)));
    expect(outcome.best.testAcc).toBe(evaluator.query(nb201Space.parse(outcome.best.arch), 'cifar10').testAcc);
    expect(outcome.simulatedGpuSeconds).toBeCloseTo(outcome.history.reduce((s, q) => s + q.trainSeconds!, 0), 6);
  });
});

describe('strategy registry', () => {
  it('regularised evolution beats random search on average over seeds at 100 queries', async () => {
    const run = async (name: string, seed: number) =>
      (await searchWithEvaluator({ evaluator, dataset: 'cifar100', queries: 100, strategy: createStrategy(name, { space: evaluator.space, rng: Rng.seeded(seed), budget: 100 }) })).best.valAcc;
    const seeds = Array.from({ length: 10 }, (_, i) => 200 + i);
    const rea = await Promise.all(seeds.map((s) => run('rea', s)));
    const random = await Promise.all(seeds.map((s) => run('random', s)));
    expect(mean(rea)).toBeGreaterThan(mean(random));
  });

  it('refuses unknown strategies, and predictor-guided ones without a predictor', () => {
    const ctx = { space: evaluator.space, rng: Rng.seeded(0), budget: 1 };
    expect(() => createStrategy('bogus', ctx)).toThrow(/unknown strategy "bogus": use one of .*rea/);
    expect(() => createStrategy('dcl-enas', ctx)).toThrow(/needs a ranking predictor/);
  });

  it("starts the predictor-guided strategies from the problem's nInit where it sets one, 20 by default", async () => {
    const firstFit = async (space: SearchSpace<unknown>, name: string, nInit?: number) => {
      let labels = -1;
      // Records how many labels the first fit gets; ranks every architecture alike.
      const counting: PredictorProvider = <A>() => ({
        fit: async (o: readonly Observation<A>[]) => void (labels = labels < 0 ? o.length : labels),
        score: async (a: readonly A[]) => new Float32Array(a.length),
      });
      const strategy = createStrategy(name, { space, rng: Rng.seeded(3), seed: 3, budget: 30, predictors: counting, nInit });
      for (let i = 0; i < 30 && labels < 0; i++) {
        const [arch] = await strategy.ask(1);
        await strategy.tell([{ arch, key: space.key(arch), valAcc: (i * 37) % 11 }]);
      }
      return labels;
    };
    for (const name of ['dcl-enas', 'dcl-enas-regression', 'dcl-pool']) {
      expect(await firstFit(ecgSpace as SearchSpace<unknown>, name, 10)).toBe(10);
      expect(await firstFit(nb201Space as SearchSpace<unknown>, name)).toBe(20);
    }
  });

  it('dcl-enas with localInfill k trains, each cycle, k untrained one-edge neighbours of the best architecture so far', async () => {
    const localInfill = 2;
    const edgesChanged = (a: Nb201Arch, b: Nb201Arch) => a.filter((op, i) => op !== b[i]).length;
    // Prefers cells far from everything trained, so evolution alone would never pick a neighbour.
    const farthest: PredictorProvider = <A>() => {
      let known: Nb201Arch[] = [];
      return {
        fit: async (o: readonly Observation<A>[]) => void (known = o.map((x) => x.arch as Nb201Arch)),
        score: async (archs: readonly A[]) => Float32Array.from(archs, (a) => Math.min(...known.map((k) => edgesChanged(a as Nb201Arch, k)))),
      };
    };
    const strategy = dclEnas({ space: nb201Space, rng: Rng.seeded(5), seed: 5, budget: 60, predictors: farthest }, { ...DCL_ENAS_DEFAULTS, localInfill });
    const seen: Observation<Nb201Arch>[] = [];
    let cycles = 0;
    while (seen.length < 60) {
      const batch = await strategy.ask(DCL_ENAS_DEFAULTS.nInfill);
      if (seen.length >= DCL_ENAS_DEFAULTS.nInit) {
        const incumbent = seen.reduce((b, o) => (o.valAcc > b.valAcc ? o : b));
        const neighbours = batch.filter((arch) => edgesChanged(arch, incumbent.arch) === 1);
        expect(neighbours.length).toBe(localInfill);
        cycles++;
      }
      const observed = batch.map((arch) => ({ arch, key: nb201Space.key(arch), valAcc: evaluator.query(arch, 'cifar10').valAcc }));
      expect(observed.every((o) => !seen.some((s) => s.key === o.key))).toBe(true);
      seen.push(...observed);
      await strategy.tell(observed);
    }
    expect(cycles).toBe((60 - DCL_ENAS_DEFAULTS.nInit) / DCL_ENAS_DEFAULTS.nInfill);
  });
});
