import { UserError } from '@dcl-enas/common';
import type { RankingPredictor } from '../predictor-port';
import type { Observation, Strategy, StrategyContext } from '../strategy';
import { ProposalSet } from './proposal-set';
import { cycledStrategy } from './cycled-strategy';

export interface DclEnasOptions {
  /** Random architectures trained before the predictor is first fitted. */
  readonly nInit: number;
  /** New, never-trained architectures trained per cycle (the predictor's top picks). */
  readonly nInfill: number;
  /** EA generations per cycle in which the predictor, not training, does the selection. */
  readonly tGap: number;
  /** Individuals the predictor keeps alive between generations. */
  readonly populationSize: number;
  /** Offspring bred per generation (mutation and crossover). */
  readonly offspringPerGeneration: number;
  /** Tournament size for choosing parents by predicted score. */
  readonly tournamentSize: number;
  /** Probability that an offspring is a crossover child (then mutated) rather than a plain mutant. */
  readonly crossoverRate: number;
  /**
   * Of the `nInfill` per cycle, how many are the best-predicted untrained neighbours (one
   * mutation away) of the best trained architecture: a local search step that keeps a run from
   * stalling where the predictor misranks the incumbent's neighbourhood.
   */
  readonly localInfill: number;
  /** Predictor variant: dcl, no-pretrain, regression. */
  readonly variant: string;
}

/** Chosen by `tools/tune-dcl.ts` on tuning seeds 100..104 (docs/results/search.md). */
export const DCL_ENAS_DEFAULTS: DclEnasOptions = {
  nInit: 20,
  nInfill: 5,
  tGap: 5,
  populationSize: 50,
  offspringPerGeneration: 100,
  tournamentSize: 5,
  crossoverRate: 0.5,
  localInfill: 0,
  variant: 'dcl',
};

/** Mutations drawn to collect an incumbent's neighbours (NB201 cells have 24, ECG cells a few dozen). */
const NEIGHBOUR_DRAWS = 200;

interface Scored<A> {
  readonly arch: A;
  readonly key: string;
  readonly score: number;
}

/**
 * DCL-ENAS (SPEC 2.5): train `nInit` random architectures; then each cycle fit the ranking
 * predictor on every label so far, run `tGap` generations of evolution in which the predictor
 * does environmental selection over many offspring, and train the `nInfill` best-predicted
 * architectures never trained before. Decisions never depend on the budget, so a run with a
 * larger budget extends a smaller one query for query.
 */
export function dclEnas<A>(ctx: StrategyContext<A>, options: DclEnasOptions = DCL_ENAS_DEFAULTS, name = 'dcl-enas'): Strategy<A> {
  const predictor = requirePredictor(ctx, name, options.variant);
  const { space, rng } = ctx;
  const proposed = new ProposalSet(space);
  const labelled: Observation<A>[] = [];

  const scoreAll = async (archs: readonly A[]): Promise<Scored<A>[]> => {
    const scores = await predictor.score(archs);
    return archs.map((arch, i) => ({ arch, key: space.key(arch), score: scores[i] }));
  };

  const breed = (population: readonly Scored<A>[]): A[] => {
    const children: A[] = [];
    const parent = () => rng.sample(population, Math.min(options.tournamentSize, population.length)).reduce((b, s) => (s.score > b.score ? s : b)).arch;
    for (let i = 0; i < options.offspringPerGeneration; i++) {
      const base = rng.float() < options.crossoverRate ? space.crossover(parent(), parent(), rng) : parent();
      children.push(space.mutate(base, rng));
    }
    return children;
  };

  /** The `count` best-predicted untrained neighbours of the best trained architecture, else of the next best. */
  const incumbentNeighbours = async (count: number): Promise<A[]> => {
    if (count <= 0) return [];
    const byAccuracy = [...labelled].sort((a, b) => b.valAcc - a.valAcc || proposed.order(a.arch) - proposed.order(b.arch));
    for (const incumbent of byAccuracy) {
      const fresh = dedup(Array.from({ length: NEIGHBOUR_DRAWS }, () => space.mutate(incumbent.arch, rng)), space.key).filter((a) => !proposed.has(a));
      if (fresh.length > 0) return (await scoreAll(fresh)).sort(byScore).slice(0, count).map((s) => s.arch);
    }
    return [];
  };

  const cycle = async (): Promise<A[]> => {
    await predictor.fit(labelled);
    // The EA starts from the trained architectures, ranked by the predictor like everything else.
    let population = (await scoreAll(labelled.map((o) => o.arch))).sort(byScore).slice(0, options.populationSize);
    const candidates = new Map<string, Scored<A>>();
    for (let g = 0; g < options.tGap; g++) {
      const offspring = await scoreAll(dedup(breed(population), space.key));
      for (const o of offspring) if (!proposed.has(o.arch)) candidates.set(o.key, o);
      population = dedupScored([...population, ...offspring]).sort(byScore).slice(0, options.populationSize);
    }
    const local = await incumbentNeighbours(Math.min(options.localInfill, options.nInfill));
    const localKeys = new Set(local.map((a) => space.key(a)));
    const evolved = [...candidates.values()].sort(byScore).filter((c) => !localKeys.has(c.key));
    const batch = [...local, ...evolved.slice(0, options.nInfill - local.length).map((c) => c.arch)];
    // only when evolution found too few new cells; shorter only when the space has no more
    const inBatch = new Set(batch.map((a) => space.key(a)));
    while (batch.length < options.nInfill) {
      const arch = proposed.trySampleNew(rng, inBatch);
      if (arch === undefined) break;
      inBatch.add(space.key(arch));
      batch.push(arch);
    }
    return batch;
  };

  return cycledStrategy({ name, rng, proposed, nInit: options.nInit, labelled, cycle });
}

const byScore = <T extends { score: number; key: string }>(a: T, b: T) => b.score - a.score || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

function dedup<A>(archs: readonly A[], key: (a: A) => string): A[] {
  const seen = new Set<string>();
  return archs.filter((a) => {
    const k = key(a);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function dedupScored<A>(items: readonly Scored<A>[]): Scored<A>[] {
  const seen = new Set<string>();
  return items.filter((s) => (seen.has(s.key) ? false : (seen.add(s.key), true)));
}

export function requirePredictor<A>(ctx: StrategyContext<A>, name: string, variant: string): RankingPredictor<A> {
  if (!ctx.predictors) throw new UserError(`strategy ${name} needs a ranking predictor, and none is available in this mode`);
  return ctx.predictors<A>({ space: ctx.space.name, variant, seed: ctx.seed ?? 0 });
}
