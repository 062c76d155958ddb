import { FitReply, RankReply, SUBJECTS, type ObjectRef, type SpecSpace } from '@dcl-enas/contracts';
import type { PredictorProvider, PredictorRequest, RankingPredictor } from '@dcl-enas/search';
import type { SearchSpace } from '@dcl-enas/spaces';
import type { Payloads } from './blobs';
import type { RpcClient } from './rpc';

/**
 * Cluster mode's PredictorProvider: each predictor a session on the predictor service. Fits
 * are numbered, so a replayed experiment's fits hit the stored states instead of training again,
 * and any replica can answer (the state travels by reference through the object store).
 */
export function remotePredictors(rpc: RpcClient, payloads: Payloads, experimentId: string, experiment: { readonly space: SearchSpace<unknown>; readonly specSpace: SpecSpace }): PredictorProvider {
  let sessions = 0;
  return <A>(request: PredictorRequest): RankingPredictor<A> => {
    if (request.space !== experiment.space.name) throw new Error(`experiment ${experimentId} searches ${experiment.space.name}, a predictor was asked for ${request.space}`);
    const space = experiment.space as SearchSpace<A>;
    // the session names the spec's space: a declared one travels whole, the services know only built-in names
    const session = { id: `${experimentId}-p${sessions++}`, space: experiment.specSpace, variant: request.variant, seed: request.seed };
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
