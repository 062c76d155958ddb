import type { Strategy, StrategyContext } from '../strategy';
import { ProposalSet } from './proposal-set';

/** Uniform random sampling without repeats: the baseline every method must beat. */
export function randomSearch<A>(ctx: StrategyContext<A>): Strategy<A> {
  const proposed = new ProposalSet(ctx.space);
  return {
    name: 'random',
    async ask(max) {
      const batch: A[] = [];
      for (let i = 0; i < max; i++) {
        const arch = proposed.sampleNew(ctx.rng);
        proposed.add(arch);
        batch.push(arch);
      }
      return batch;
    },
    async tell() {
      // random search learns nothing from results
    },
  };
}
