import { NestFactory } from '@nestjs/core';
import { Module } from '@nestjs/common';
import { QUEUE_GROUPS } from '@dcl-enas/contracts';
import { Histogram } from 'prom-client';
import { HealthModule, SECONDS_BUCKETS, ValidatingNatsServer, listenHttp, natsConnectionOptions, onShutdown, openServiceContext, predictorHostConfig, rpcClient, timed } from '@dcl-enas/cluster';
import { engineByName, engineNames } from '@dcl-enas/predictor-engines';
import { DEAD_LETTERS, HOST, PredictorController } from './predictor.controller';
import { PredictorHost } from './predictor-host';

@Module({})
class PredictorModule {}

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
  const app = await NestFactory.create(
    {
      module: PredictorModule,
      imports: [HealthModule.register(ctx.readiness)],
      controllers: [PredictorController],
      providers: [
        { provide: HOST, useValue: host },
        { provide: DEAD_LETTERS, useValue: ctx.dead },
      ],
    },
    { logger: ['error', 'warn'] },
  );
  const server = new ValidatingNatsServer({ ...natsConnectionOptions(config.nats, 'enas-predictor-rpc'), queue: QUEUE_GROUPS.predictor }, config.maxMessageBytes);
  server.useDeadLetters(ctx.dead);
  app.connectMicroservice({ strategy: server });
  await app.startAllMicroservices();
  await listenHttp(app, ctx);
  ctx.logger.info({ engine: engine.name, queue: QUEUE_GROUPS.predictor }, 'predictor ready');
  onShutdown(ctx, async () => {
    await app.close();
    await encoderRpc.close();
  });
}
