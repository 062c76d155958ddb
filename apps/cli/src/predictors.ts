import type { SearchSpace } from '@dcl-enas/spaces';
import type { PredictorProvider, RankingPredictor } from '@dcl-enas/search';

/**
 * In-process ranking predictors for predictor-guided strategies. TensorFlow.js loads only when
 * a strategy first uses a predictor, so `random` and `rea` searches start fast.
 */
export function lazyInProcessPredictors(space: SearchSpace<unknown>): PredictorProvider {
  let provider: Promise<PredictorProvider> | null = null;
  const load = () =>
    (provider ??= import('@dcl-enas/predictor').then(({ inProcessPredictors }) =>
      inProcessPredictors(space, { log: (line) => process.stderr.write(`${line}\n`) }),
    ));
  return <A>(request: Parameters<PredictorProvider>[0]): RankingPredictor<A> => {
    let predictor: Promise<RankingPredictor<A>> | null = null;
    const get = () => (predictor ??= load().then((p) => p<A>(request)));
    return {
      fit: async (observations) => (await get()).fit(observations),
      score: async (archs) => (await get()).score(archs),
    };
  };
}
