import type { Observation } from './strategy';

/**
 * What a predictor-guided strategy needs from a ranking predictor. Embedded mode implements it
 * in-process (libs/predictor); cluster mode implements it over NATS (the predictor service).
 * Both must give identical scores for identical inputs and seed, so a search is reproducible
 * whichever mode runs it.
 */
export interface RankingPredictor<A> {
  /** Fits (or refreshes) the predictor on every labelled architecture so far. */
  fit(observations: readonly Observation<A>[]): Promise<void>;
  /** Higher score = predicted better. One score per architecture, in order. */
  score(archs: readonly A[]): Promise<Float32Array>;
}

export interface PredictorRequest {
  /** Space name, e.g. nb201. */
  readonly space: string;
  /** Predictor variant: dcl (both contrastive stages), no-pretrain, regression. */
  readonly variant: string;
  readonly seed: number;
}

/** Creates the predictor a strategy uses; supplied by whoever runs the strategy. */
export type PredictorProvider = <A>(request: PredictorRequest) => RankingPredictor<A>;
