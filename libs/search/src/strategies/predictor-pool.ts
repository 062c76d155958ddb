import type { Observation, Strategy, StrategyContext } from '../strategy';
import { requirePredictor } from './dcl-enas';
import { ProposalSet } from './proposal-set';

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
  const queue: A[] = [];
  let outstanding = 0;

  const cycle = async (): Promise<void> => {
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
    const scores = await predictor.score(pool);
    const order = pool.map((_, i) => i).sort((a, b) => scores[b] - scores[a] || a - b);
    for (const i of order.slice(0, options.nInfill)) queue.push(pool[i]);
  };

  return {
    name,
    async ask(max) {
      if (queue.length === 0 && outstanding === 0) {
        if (labelled.length < options.nInit) {
          while (queue.length < options.nInit - labelled.length) {
            const arch = proposed.sampleNew(rng);
            proposed.add(arch);
            queue.push(arch);
          }
        } else await cycle();
        for (const arch of queue) proposed.add(arch);
      }
      const batch = queue.splice(0, max);
      outstanding += batch.length;
      return batch;
    },
    async tell(observations) {
      outstanding -= observations.length;
      labelled.push(...observations);
      labelled.sort((a, b) => proposed.order(a.arch) - proposed.order(b.arch));
    },
  };
}
