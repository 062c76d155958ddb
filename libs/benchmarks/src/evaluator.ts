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

/** What a query knows of the search it belongs to: all of it travels in the trial request. */
export interface QueryContext {
  /** Score the test set only when valAcc beats this (the search's best so far); null: always. */
  readonly testAbove: number | null;
}

/** A tabular benchmark (or a real trainer) behind one interface. */
export interface Evaluator<A = unknown> {
  readonly space: SearchSpace<A>;
  readonly datasets: readonly string[];
  /**
   * Throws UserError for an unknown dataset or an architecture the table lacks. A table has
   * every test accuracy at no cost and ignores `context`; a trainer scores the test set only
   * where it says.
   */
  query(arch: A, dataset: string, context?: QueryContext): QueryResult;
}

/** Best figures achievable under the search protocol, for ceiling statistics. */
export interface Ceiling {
  /** Highest validation accuracy in the table. */
  readonly bestValAcc: number;
  /** Test accuracy of the architecture(s) with that validation accuracy (max if tied). */
  readonly testAccAtBestVal: number | null;
}
