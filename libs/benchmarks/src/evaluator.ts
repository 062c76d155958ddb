import type { SearchSpace } from '@dcl-enas/spaces';

/** What training one architecture yields. Strategies only ever see `valAcc`. */
export interface QueryResult {
  /** Validation accuracy in percent: the search signal. */
  readonly valAcc: number;
  /** Test accuracy in percent, for reporting only; null where the data does not have it. */
  readonly testAcc: number | null;
  /** Recorded (simulated) GPU-seconds this training costs; null where the data does not have it. */
  readonly trainSeconds: number | null;
}

/** A tabular benchmark (or a real trainer) behind one interface. */
export interface Evaluator<A = unknown> {
  readonly space: SearchSpace<A>;
  readonly datasets: readonly string[];
  /** Throws UserError for an unknown dataset or an architecture the table lacks. */
  query(arch: A, dataset: string): QueryResult;
}

/** Best figures achievable under the search protocol, for ceiling statistics. */
export interface Ceiling {
  /** Highest validation accuracy in the table. */
  readonly bestValAcc: number;
  /** Test accuracy of the architecture(s) with that validation accuracy (max if tied). */
  readonly testAccAtBestVal: number | null;
}
