import { QUEUE_GROUPS } from '@dcl-enas/contracts';
import { Histogram } from 'prom-client';
import { SECONDS_BUCKETS, onShutdown, openServiceContext, predictorHostConfig, rpcClient, startRpcService, timed } from '@dcl-enas/cluster';
import { engineByName, engineNames } from '@dcl-enas/predictor-engines';
import { PredictorController } from './predictor.controller';
import { PredictorHost } from './predictor-host';

/** The predictor service: fit and rank in the queue group enas-predictor, plus health endpoints. */
export async function servePredictor(natsUrl?: string): Promise<void> {
  const config = predictorHostConfig('predictor', process.env, natsUrl, engineNames());
  const engine = engineByName(config.engine, { config: config.engineConfig });
  const ctx = await openServiceContext(config);
  const encoderRpc = rpcClient(ctx);
  const host = new PredictorHost(engine, ctx.stores, ctx.payloads, encoderRpc, config.modelCache, ctx.logger);
  const registers = [ctx.metrics];
  host.rank = timed(new Histogram({ name: 'enas_predictor_rank_seconds', help: 'Seconds to rank one batch of architectures (request to reply)', buckets: SECONDS_BUCKETS, registers }), host.rank.bind(host));
  host.fit = timed(new Histogram({ name: 'enas_predictor_fit_seconds', help: 'Seconds to fit (or refresh) a predictor on the labels so far', buckets: SECONDS_BUCKETS, registers }), host.fit.bind(host));
  const app = await startRpcService(ctx, { controller: PredictorController, host, queue: QUEUE_GROUPS.predictor });
  ctx.logger.info({ engine: engine.name, queue: QUEUE_GROUPS.predictor }, 'predictor ready');
  onShutdown(ctx, async () => {
    await app.close();
    await encoderRpc.close();
  });
}
