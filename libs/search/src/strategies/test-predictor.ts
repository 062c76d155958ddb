import type { PredictorProvider, RankingPredictor } from '../predictor-port';
import type { Observation } from '../strategy';

/**
 * A small deterministic ranker for exercising predictor-guided strategies without training a
 * network: nearest labelled neighbour by Hamming distance of the op-on-node graphs. It learns
 * only from the validation accuracies it is given. Used by tests and by the cluster tests'
 * remote predictor port; the real predictor is libs/predictor.
 */
export function nearestNeighbourPredictors(toFeatures: (arch: unknown) => ArrayLike<number>): PredictorProvider {
  return <A>(): RankingPredictor<A> => {
    let known: { features: ArrayLike<number>; valAcc: number }[] = [];
    return {
      async fit(observations: readonly Observation<A>[]) {
        known = observations.map((o) => ({ features: toFeatures(o.arch), valAcc: o.valAcc }));
      },
      async score(archs: readonly A[]) {
        const out = new Float32Array(archs.length);
        archs.forEach((arch, i) => {
          const f = toFeatures(arch);
          let bestDistance = Infinity;
          let score = 0;
          for (const k of known) {
            let d = 0;
            for (let j = 0; j < f.length; j++) if (f[j] !== k.features[j]) d++;
            if (d < bestDistance || (d === bestDistance && k.valAcc > score)) {
              bestDistance = d;
              score = k.valAcc;
            }
          }
          out[i] = score - bestDistance * 0.01;
        });
        return out;
      },
    };
  };
}
