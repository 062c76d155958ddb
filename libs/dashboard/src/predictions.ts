import type { Prediction } from '@dcl-enas/contracts';
import type { PredictorProvider, RankingPredictor } from '@dcl-enas/search';
import type { SearchSpace } from '@dcl-enas/spaces';

/** Remembers what the predictor said about each architecture since its last fit. */
export interface PredictionRecorder {
  /** Wraps the provider a strategy gets; scores pass through unchanged. */
  readonly provider: PredictorProvider;
  /** The latest fit's score of the architecture with this key, if that fit scored it. */
  prediction(key: string): Prediction | undefined;
}

/**
 * Records the scores a predictor-guided strategy obtains, without touching the strategy: the
 * strategy proposes the architectures it scored best after its latest fit, so that fit's score
 * of an asked architecture is its predicted score, and the fit number is the cycle. Random
 * initial or fallback proposals were never scored by the current fit and get none.
 */
export function recordPredictions(inner: PredictorProvider, space: SearchSpace<unknown>): PredictionRecorder {
  let fits = 0;
  let latest = new Map<string, Prediction>();
  const provider: PredictorProvider = <A>(request: Parameters<PredictorProvider>[0]): RankingPredictor<A> => {
    const predictor = inner<A>(request);
    const keyOf = space.key as (arch: A) => string;
    return {
      async fit(observations) {
        await predictor.fit(observations);
        fits++;
        latest = new Map();
      },
      async score(archs) {
        const scores = await predictor.score(archs);
        if (fits > 0) archs.forEach((arch, i) => Number.isFinite(scores[i]) && latest.set(keyOf(arch), { score: scores[i], fit: fits }));
        return scores;
      },
    };
  };
  return { provider, prediction: (key) => latest.get(key) };
}
