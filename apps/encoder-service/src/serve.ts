import { NestFactory } from '@nestjs/core';
import { Module } from '@nestjs/common';
import { QUEUE_GROUPS } from '@dcl-enas/contracts';
import { Histogram } from 'prom-client';
import { HealthModule, SECONDS_BUCKETS, ValidatingNatsServer, listenHttp, natsConnectionOptions, onShutdown, openServiceContext, predictorHostConfig, timed } from '@dcl-enas/cluster';
import { engineByName, engineNames } from '@dcl-enas/predictor-engines';
import { DEAD_LETTERS, EncoderController, HOST } from './encoder.controller';
import { EncoderHost } from './encoder-host';

@Module({})
class EncoderModule {}

/** The encoder service: stage-1 pre-training in the queue group enas-encoder, plus health endpoints. */
export async function serveEncoder(natsUrl?: string): Promise<void> {
  const config = predictorHostConfig('encoder', process.env, natsUrl, engineNames());
  const engine = engineByName(config.engine, { config: config.engineConfig });
  const ctx = await openServiceContext(config);
  const host = new EncoderHost(engine, ctx.stores, ctx.logger);
  host.pretrain = timed(new Histogram({ name: 'enas_encoder_pretrain_seconds', help: 'Seconds to answer a stage-1 pre-training request (cached encoders answer at once)', buckets: SECONDS_BUCKETS, registers: [ctx.metrics] }), host.pretrain.bind(host));
  const app = await NestFactory.create(
    {
      module: EncoderModule,
      imports: [HealthModule.register(ctx.readiness)],
      controllers: [EncoderController],
      providers: [
        { provide: HOST, useValue: host },
        { provide: DEAD_LETTERS, useValue: ctx.dead },
      ],
    },
    { logger: ['error', 'warn'] },
  );
  const server = new ValidatingNatsServer({ ...natsConnectionOptions(config.nats, 'enas-encoder-rpc'), queue: QUEUE_GROUPS.encoder }, config.maxMessageBytes);
  server.useDeadLetters(ctx.dead);
  app.connectMicroservice({ strategy: server });
  await app.startAllMicroservices();
  await listenHttp(app, ctx);
  ctx.logger.info({ engine: engine.name, queue: QUEUE_GROUPS.encoder }, 'encoder ready');
  onShutdown(ctx, async () => {
    await app.close();
  });
}
