import type { Observation, Strategy, StrategyContext } from '../strategy';
import { ProposalSet } from './proposal-set';

export interface ReaOptions {
  /** Population kept alive (the oldest dies first). */
  readonly populationSize: number;
  /** Tournament size: the best of this many random members becomes the parent. */
  readonly tournamentSize: number;
  /** Mutation attempts before falling back to a random new architecture. */
  readonly maxMutationTries: number;
}

/** Chosen by `npm run -s tool -- tools/tune-rea.ts` on tuning seeds 100..124 (docs/results/baselines.md). */
export const REA_DEFAULTS: ReaOptions = { populationSize: 20, tournamentSize: 10, maxMutationTries: 100 };

/**
 * Regularised (aging) evolution, Real et al. 2019: a random initial population, then each
 * child is a mutation of the tournament winner and replaces the oldest member.
 */
export function regularizedEvolution<A>(ctx: StrategyContext<A>, options: ReaOptions = REA_DEFAULTS): Strategy<A> {
  const proposed = new ProposalSet(ctx.space);
  const population: Observation<A>[] = [];
  let told = 0;

  const child = (): A => {
    if (told < options.populationSize || population.length === 0) return proposed.sampleNew(ctx.rng);
    const contestants = ctx.rng.sample(population, Math.min(options.tournamentSize, population.length));
    const parent = contestants.reduce((best, o) => (o.valAcc > best.valAcc ? o : best));
    for (let t = 0; t < options.maxMutationTries; t++) {
      const candidate = ctx.space.mutate(parent.arch, ctx.rng);
      if (!proposed.has(candidate)) return candidate;
    }
    return proposed.sampleNew(ctx.rng);
  };

  return {
    name: 'rea',
    async ask(max) {
      const batch: A[] = [];
      for (let i = 0; i < max; i++) {
        const arch = child();
        proposed.add(arch);
        batch.push(arch);
      }
      return batch;
    },
    async tell(observations) {
      for (const o of observations) {
        population.push(o);
        told++;
        if (population.length > options.populationSize) population.shift();
      }
    },
  };
}
