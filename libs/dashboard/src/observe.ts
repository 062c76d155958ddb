import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Evaluator } from '@dcl-enas/benchmarks';
import type { ExperimentEvent, ExperimentSpec, Prediction } from '@dcl-enas/contracts';
import type { Strategy } from '@dcl-enas/search';

export interface ObservedSearch<A> {
  readonly strategy: Strategy<A>;
  readonly evaluator: Evaluator<A>;
}

/**
 * Makes an embedded search (`runSearch`) write the same events a cluster experiment logs, so
 * the dashboard and reports read both alike: `created` now, `proposed` per ask (with the
 * predictor's score when it gave one), `result` per evaluation, and `ended` when `end` is called.
 * Strategy and evaluator behave exactly as before.
 */
export function observeSearch<A>(options: {
  readonly id: string;
  readonly spec: ExperimentSpec;
  readonly strategy: Strategy<A>;
  readonly evaluator: Evaluator<A>;
  readonly emit: (event: ExperimentEvent) => void;
  readonly predictions?: (key: string) => Prediction | undefined;
  /**
   * Pause before each ask: 0 still lets other work run between queries (a tabular search is
   * otherwise one uninterrupted burst, and the dashboard's server could not answer meanwhile).
   */
  readonly paceMs?: number;
}): ObservedSearch<A> & { end(status: 'completed' | 'failed', reason?: string): void } {
  const { strategy, evaluator, emit, spec } = options;
  const space = evaluator.space;
  const trainer = `embedded@${hostname()}:${process.pid}`;
  const indexOf = new Map<string, number>();
  const tokenOf = new Map<string, string>();
  let batch = 0;
  let next = 0;
  const at = () => new Date().toISOString();
  emit({ type: 'created', experimentId: options.id, spec, at: at() });
  return {
    strategy: {
      name: strategy.name,
      async ask(max) {
        const pace = options.paceMs;
        if (pace !== undefined) await new Promise((r) => (pace > 0 ? setTimeout(r, pace) : setImmediate(r)));
        const archs = await strategy.ask(max);
        const trials = archs.map((arch) => {
          const key = space.key(arch);
          const prediction = options.predictions?.(key);
          indexOf.set(key, next);
          const token = randomBytes(16).toString('hex');
          tokenOf.set(key, token);
          return { index: next++, arch: space.format(arch), key, token, ...(prediction ? { prediction } : {}) };
        });
        if (trials.length > 0) emit({ type: 'proposed', batch: batch++, trials });
        return archs;
      },
      tell: (observations) => strategy.tell(observations),
    },
    evaluator: {
      space,
      datasets: evaluator.datasets,
      query(arch, dataset) {
        const key = space.key(arch);
        const index = indexOf.get(key) ?? next;
        const token = tokenOf.get(key) ?? '0'.repeat(32);
        try {
          const r = evaluator.query(arch, dataset);
          emit({ type: 'result', index, key, token, outcome: { valAcc: r.valAcc, testAcc: r.testAcc, trainSeconds: r.trainSeconds }, trainer, attempt: 1, at: at() });
          return r;
        } catch (e) {
          emit({ type: 'result', index, key, token, outcome: null, error: (e as Error).message, trainer, attempt: 1, at: at() });
          throw e;
        }
      },
    },
    end(status, reason) {
      emit({ type: 'ended', status, ...(reason ? { reason } : {}), at: at() });
    },
  };
}
