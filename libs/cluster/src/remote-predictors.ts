import { FitReply, RankReply, SUBJECTS, type ObjectRef } from '@dcl-enas/contracts';
import type { PredictorProvider, PredictorRequest, RankingPredictor } from '@dcl-enas/search';
import type { SearchSpace } from '@dcl-enas/spaces';
import type { Payloads } from './blobs';
import type { RpcClient } from './rpc';

/**
 * Cluster mode's PredictorProvider: each predictor a session on the predictor service. Fits
 * are numbered, so a replayed experiment's fits hit the stored states instead of training again,
 * and any replica can answer (the state travels by reference through the object store).
 */
export function remotePredictors(rpc: RpcClient, payloads: Payloads, experimentId: string, spaceOf: (name: string) => SearchSpace<unknown>): PredictorProvider {
  let sessions = 0;
  return <A>(request: PredictorRequest): RankingPredictor<A> => {
    const space = spaceOf(request.space) as SearchSpace<A>;
    const session = { id: `${experimentId}-p${sessions++}`, space: request.space, variant: request.variant, seed: request.seed };
    let version = 0;
    let model: ObjectRef | null = null;
    return {
      async fit(observations) {
        version++;
        const labelled = observations.map((o) => ({ arch: space.format(o.arch), key: o.key, valAcc: o.valAcc }));
        const reply = await rpc.request(SUBJECTS.predictorFit, { session, version, previous: model, observations: await payloads.wrap(labelled) }, FitReply);
        model = reply.model;
      },
      async score(archs) {
        const reply = await rpc.request(SUBJECTS.predictorRank, { session, model, archs: await payloads.wrap(archs.map((a) => space.format(a))) }, RankReply);
        const scores = await payloads.unwrap(reply.scores);
        if (scores.length !== archs.length) throw new Error(`predictor returned ${scores.length} scores for ${archs.length} architectures`);
        return Float32Array.from(scores);
      },
    };
  };
}
