import { QUEUE_GROUPS } from '@dcl-enas/contracts';
import { Histogram } from 'prom-client';
import { SECONDS_BUCKETS, onShutdown, openServiceContext, predictorHostConfig, startRpcService, timed } from '@dcl-enas/cluster';
import { engineByName, engineNames } from '@dcl-enas/predictor-engines';
import { EncoderController } from './encoder.controller';
import { EncoderHost } from './encoder-host';

/** The encoder service: stage-1 pre-training in the queue group enas-encoder, plus health endpoints. */
export async function serveEncoder(natsUrl?: string): Promise<void> {
  const config = predictorHostConfig('encoder', process.env, natsUrl, engineNames());
  const engine = engineByName(config.engine, { config: config.engineConfig });
  const ctx = await openServiceContext(config);
  const host = new EncoderHost(engine, ctx.stores, ctx.logger);
  host.pretrain = timed(new Histogram({ name: 'enas_encoder_pretrain_seconds', help: 'Seconds to answer a stage-1 pre-training request (cached encoders answer at once)', buckets: SECONDS_BUCKETS, registers: [ctx.metrics] }), host.pretrain.bind(host));
  const app = await startRpcService(ctx, { controller: EncoderController, host, queue: QUEUE_GROUPS.encoder });
  ctx.logger.info({ engine: engine.name, queue: QUEUE_GROUPS.encoder }, 'encoder ready');
  onShutdown(ctx, async () => {
    await app.close();
  });
}
