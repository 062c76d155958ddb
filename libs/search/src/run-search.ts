import type { Evaluator } from '@dcl-enas/benchmarks';
import type { Observation, Strategy } from './strategy';

export interface TrajectoryPoint {
  readonly query: number;
  readonly bestValAcc: number;
  /** Test accuracy of the architecture selected so far (best validation); reported, never seen by the strategy. */
  readonly bestTestAcc: number | null;
}

/** One trained architecture, in query order. */
export interface QueryRecord<A> {
  readonly arch: A;
  readonly key: string;
  readonly valAcc: number;
  readonly testAcc: number | null;
  readonly trainSeconds: number | null;
  /** Wall seconds since the search started, when this result was in. */
  readonly wallSeconds: number;
}

export interface SearchOutcome<A> {
  readonly best: { readonly arch: A; readonly key: string; readonly valAcc: number; readonly testAcc: number | null };
  readonly trajectory: readonly TrajectoryPoint[];
  /** Sum of the recorded training times of the queried architectures; null where the data has none. */
  readonly simulatedGpuSeconds: number | null;
  readonly queries: number;
  readonly history: readonly QueryRecord<A>[];
}

export interface RunSearchOptions<A> {
  readonly evaluator: Evaluator<A>;
  readonly dataset: string;
  readonly strategy: Strategy<A>;
  /** Query budget: the number of architectures trained. */
  readonly queries: number;
  /** How many architectures to ask for at once (parallel trainers); 1 in the embedded loop. */
  readonly batchSize?: number;
  readonly onQuery?: (point: TrajectoryPoint) => void;
}

/**
 * The embedded ask/tell loop: the strategy proposes, the evaluator trains (looks up), the
 * strategy learns the validation accuracy. Selection is the best validation accuracy; among
 * equal ones the earliest queried stays selected.
 */
export async function runSearch<A>(options: RunSearchOptions<A>): Promise<SearchOutcome<A>> {
  const { evaluator, dataset, strategy, queries } = options;
  if (!Number.isInteger(queries) || queries < 1) throw new RangeError(`queries must be a positive integer, got ${queries}`);
  const space = evaluator.space;
  const started = performance.now();
  const trajectory: TrajectoryPoint[] = [];
  const history: QueryRecord<A>[] = [];
  const seen = new Set<string>();
  let best: SearchOutcome<A>['best'] | null = null;
  let gpuSeconds: number | null = 0;

  while (trajectory.length < queries) {
    const want = Math.min(options.batchSize ?? 1, queries - trajectory.length);
    const batch = await strategy.ask(want);
    if (batch.length === 0 || batch.length > want) throw new Error(`strategy ${strategy.name} returned ${batch.length} architectures for ${want} asked`);
    const observations: Observation<A>[] = [];
    for (const arch of batch) {
      const key = space.key(arch);
      if (seen.has(key)) throw new Error(`strategy ${strategy.name} proposed ${space.format(arch)} twice`);
      seen.add(key);
      const result = evaluator.query(arch, dataset);
      gpuSeconds = gpuSeconds === null || result.trainSeconds === null ? null : gpuSeconds + result.trainSeconds;
      if (best === null || result.valAcc > best.valAcc) best = { arch, key, valAcc: result.valAcc, testAcc: result.testAcc };
      const point = { query: trajectory.length + 1, bestValAcc: best.valAcc, bestTestAcc: best.testAcc };
      trajectory.push(point);
      history.push({ arch, key, ...result, wallSeconds: (performance.now() - started) / 1000 });
      options.onQuery?.(point);
      observations.push({ arch, key, valAcc: result.valAcc });
    }
    await strategy.tell(observations);
  }
  return { best: best!, trajectory, simulatedGpuSeconds: gpuSeconds, queries, history };
}
