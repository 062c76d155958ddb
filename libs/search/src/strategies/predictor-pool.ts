import type { Observation, Strategy, StrategyContext } from '../strategy';
import { requirePredictor } from './dcl-enas';
import { ProposalSet } from './proposal-set';
import { cycledStrategy } from './cycled-strategy';

export interface PredictorPoolOptions {
  readonly nInit: number;
  readonly nInfill: number;
  /** Random never-trained architectures ranked per cycle. */
  readonly poolSize: number;
  readonly variant: string;
}

export const PREDICTOR_POOL_DEFAULTS: PredictorPoolOptions = { nInit: 20, nInfill: 10, poolSize: 1000, variant: 'dcl' };

/**
 * The ablation without evolution: each cycle the predictor ranks a large random pool of
 * never-trained architectures and the top `nInfill` are trained. Shows what the EA adds.
 */
export function predictorPool<A>(ctx: StrategyContext<A>, options: PredictorPoolOptions = PREDICTOR_POOL_DEFAULTS): Strategy<A> {
  const name = 'dcl-pool';
  const predictor = requirePredictor(ctx, name, options.variant);
  const { space, rng } = ctx;
  const proposed = new ProposalSet(space);
  const labelled: Observation<A>[] = [];

  const cycle = async (): Promise<A[]> => {
    await predictor.fit(labelled);
    const pool: A[] = [];
    const inPool = new Set<string>();
    for (let tries = 0; pool.length < options.poolSize && tries < options.poolSize * 20; tries++) {
      const arch = space.sample(rng);
      const key = space.key(arch);
      if (proposed.has(arch) || inPool.has(key)) continue;
      inPool.add(key);
      pool.push(arch);
    }
    // a nearly exhausted space: what is left, rather than an empty cycle
    const last = pool.length === 0 ? proposed.trySampleNew(rng) : undefined;
    if (last !== undefined) pool.push(last);
    const scores = await predictor.score(pool);
    const order = pool.map((_, i) => i).sort((a, b) => scores[b] - scores[a] || a - b);
    return order.slice(0, options.nInfill).map((i) => pool[i]);
  };

  return cycledStrategy({ name, rng, proposed, nInit: options.nInit, labelled, cycle });
}
