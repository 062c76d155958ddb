import type { Rng } from '@dcl-enas/common';
import type { SearchSpace } from '@dcl-enas/spaces';
import type { PredictorProvider } from './predictor-port';

/** What a strategy learns from one trained architecture: the search signal only, never test accuracy. */
export interface Observation<A> {
  readonly arch: A;
  readonly key: string;
  readonly valAcc: number;
}

/**
 * The ask/tell interface every strategy implements (SPEC 2.5). The caller asks for up to `max`
 * architectures it can train now, trains them, and tells the results back. A strategy never
 * proposes an architecture whose key it proposed before.
 */
export interface Strategy<A> {
  readonly name: string;
  ask(max: number): Promise<A[]>;
  /**
   * The results of what was asked, in proposal order. `failed`: the asked architectures whose
   * trial failed (no value to learn from; a strategy never proposes them again either).
   */
  tell(observations: readonly Observation<A>[], failed?: readonly A[]): Promise<void>;
}

export interface StrategyContext<A> {
  readonly space: SearchSpace<A>;
  readonly rng: Rng;
  /** Total number of queries the run may make (some strategies plan around it). */
  readonly budget: number;
  /** The seed `rng` was made from, for components that seed their own streams. */
  readonly seed?: number;
  /** Ranking predictors for predictor-guided strategies (in-process or a remote service). */
  readonly predictors?: PredictorProvider;
  /**
   * Random architectures a predictor-guided strategy trains before its first fit, where the
   * problem sets its own (Problem.strategyDefaults: an ECG search trains 15-30 candidates for
   * real, where the tabular default of 20 would leave at most one guided cycle).
   */
  readonly nInit?: number;
}

export type StrategyFactory = <A>(ctx: StrategyContext<A>) => Strategy<A>;
