import type { PredictorProvider, RankingPredictor } from '@dcl-enas/search';
import type { SearchSpace } from '@dcl-enas/spaces';
import type { PersistentPredictor, PredictorEngine } from './engine';

/** Embedded mode: each predictor an engine instance in this process, pre-trained on first use. */
export function inProcessPredictors(engine: PredictorEngine, spaceOf: (name: string) => SearchSpace<unknown>): PredictorProvider {
  return <A>(request: Parameters<PredictorProvider>[0]): RankingPredictor<A> => {
    const space = spaceOf(request.space) as SearchSpace<A>;
    let predictor: Promise<PersistentPredictor<A>> | null = null;
    const ready = () => (predictor ??= engine.pretrain(space, request).then((encoder) => engine.create(space, request, encoder)));
    return {
      fit: async (observations) => (await ready()).fit(observations),
      score: async (archs) => (await ready()).score(archs),
    };
  };
}
