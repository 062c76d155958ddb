import { NestFactory } from '@nestjs/core';
import { Module, type INestApplication, type Type } from '@nestjs/common';
import { HealthModule } from './health.module';
import { natsConnectionOptions } from './nats-connection';
import { listenHttp, type ServiceContext } from './service-context';
import { ValidatingNatsServer } from './validating-nats-server';

/** What an RPC service's controller injects: the host answering its requests, and the service's DeadLetters. */
export const RPC_HOST = Symbol('RpcHost');
export const DEAD_LETTERS = Symbol('DeadLetters');

@Module({})
class RpcServiceModule {}

export interface RpcServiceOptions {
  /** The controller with the @MessagePattern handlers; it injects RPC_HOST and DEAD_LETTERS. */
  readonly controller: Type<unknown>;
  /** Provided as RPC_HOST. */
  readonly host: object;
  /** The NATS queue group the service's replicas share. */
  readonly queue: string;
}

/**
 * Starts a request/reply service (encoder, predictor): a NestJS app whose controller answers in
 * the queue group over a ValidatingNatsServer (connection `enas-<service>-rpc`, refused requests
 * to the dead letters), plus the health and metrics endpoints on the HTTP port.
 */
export async function startRpcService(ctx: ServiceContext, options: RpcServiceOptions): Promise<INestApplication> {
  const app = await NestFactory.create(
    {
      module: RpcServiceModule,
      imports: [HealthModule.register(ctx.readiness)],
      controllers: [options.controller],
      providers: [
        { provide: RPC_HOST, useValue: options.host },
        { provide: DEAD_LETTERS, useValue: ctx.dead },
      ],
    },
    { logger: ['error', 'warn'] },
  );
  const server = new ValidatingNatsServer({ ...natsConnectionOptions(ctx.config.nats, `enas-${ctx.config.service}-rpc`), queue: options.queue }, ctx.config.maxMessageBytes);
  server.useDeadLetters(ctx.dead);
  app.connectMicroservice({ strategy: server });
  await app.startAllMicroservices();
  await listenHttp(app, ctx);
  return app;
}
