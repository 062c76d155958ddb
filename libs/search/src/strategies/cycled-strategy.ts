import type { Rng } from '@dcl-enas/common';
import type { Observation, Strategy } from '../strategy';
import type { ProposalSet } from './proposal-set';

/**
 * The ask/tell shell of a predictor-guided strategy: `nInit` random architectures first, then
 * each batch `cycle` proposes, run only once every earlier proposal has its result. Results are
 * kept in proposal order, whatever order they arrive in, so parallel trainers reproduce a
 * serial run.
 */
export function cycledStrategy<A>(options: {
  readonly name: string;
  readonly rng: Rng;
  readonly proposed: ProposalSet<A>;
  readonly nInit: number;
  /** Filled by the shell; `cycle` reads it. */
  readonly labelled: Observation<A>[];
  /** The next batch of never-proposed architectures. */
  readonly cycle: () => Promise<A[]>;
}): Strategy<A> {
  const { proposed, labelled } = options;
  const queue: A[] = [];
  let outstanding = 0;
  return {
    name: options.name,
    async ask(max) {
      if (queue.length === 0 && outstanding === 0) {
        if (labelled.length < options.nInit) {
          while (queue.length < options.nInit - labelled.length) {
            const arch = proposed.sampleNew(options.rng);
            proposed.add(arch);
            queue.push(arch);
          }
        } else queue.push(...(await options.cycle()));
        for (const arch of queue) proposed.add(arch);
      }
      const batch = queue.splice(0, max);
      outstanding += batch.length;
      return batch;
    },
    async tell(observations, failed = []) {
      outstanding -= observations.length + failed.length;
      labelled.push(...observations);
      labelled.sort((a, b) => proposed.order(a.arch) - proposed.order(b.arch));
    },
  };
}
