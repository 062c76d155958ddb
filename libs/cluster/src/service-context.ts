import type { NatsConnection } from 'nats';
import { ClientProxyFactory, Transport } from '@nestjs/microservices';
import type { INestApplication } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import type { CommonConfig } from './config';
import { connectNats, natsConnectionOptions } from './nats-connection';
import { createLogger, type Logger } from './logger';
import { DeadLetters } from './dead-letter';
import { ObjectStores, Payloads } from './blobs';
import { Readiness } from './readiness';
import { ensureJetStream } from './jetstream-resources';
import { RpcClient } from './rpc';
import { createMetricsRegistry } from './metrics';

/** What every service shares: its configuration, logger, NATS connection and JetStream helpers. */
export interface ServiceContext<C extends CommonConfig = CommonConfig> {
  readonly config: C;
  readonly logger: Logger;
  readonly nc: NatsConnection;
  readonly dead: DeadLetters;
  readonly stores: ObjectStores;
  readonly payloads: Payloads;
  readonly readiness: Readiness;
  /** Prometheus metrics of this process, served at GET /metrics. */
  readonly metrics: Registry;
}

/** Connects (waiting for NATS if it is not up yet) and makes sure the JetStream resources exist. */
export async function openServiceContext<C extends CommonConfig>(config: C): Promise<ServiceContext<C>> {
  const logger = createLogger(config.service, config.logLevel);
  const readiness = new Readiness();
  readiness.set('jetstream', 'resources not checked yet');
  logger.info({ servers: config.nats.servers, auth: config.nats.auth.kind, tls: config.nats.tls !== null }, 'connecting to NATS');
  const nc = await connectNats(config.nats, `enas-${config.service}`);
  readiness.watchNats(nc);
  await ensureJetStream(nc, { replicas: config.jsReplicas, maxMessageBytes: config.maxMessageBytes });
  readiness.set('jetstream', null);
  const stores = new ObjectStores(nc);
  return { config, logger, nc, dead: new DeadLetters(nc, config.service, logger), stores, payloads: new Payloads(stores, config.maxMessageBytes), readiness, metrics: createMetricsRegistry() };
}

/** A request/reply client over NestJS's NATS ClientProxy, with the configured timeout. */
export function rpcClient(ctx: ServiceContext): RpcClient {
  const client = ClientProxyFactory.create({ transport: Transport.NATS, options: natsConnectionOptions(ctx.config.nats, `enas-${ctx.config.service}-rpc`) });
  return new RpcClient(client, ctx.config.requestTimeoutMs);
}

/** Starts the HTTP listener, with GET /metrics (Prometheus text), and logs where it listens (ENAS_HTTP_PORT=0 picks a free port). */
export async function listenHttp(app: INestApplication, ctx: ServiceContext): Promise<number> {
  app.getHttpAdapter().get('/metrics', (_req: unknown, res: ServerResponse) => {
    ctx.metrics.metrics().then(
      (text) => res.writeHead(200, { 'content-type': ctx.metrics.contentType }).end(text),
      (e: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${e.message}\n`),
    );
  });
  await app.listen(ctx.config.httpPort, ctx.config.httpHost);
  const address = app.getHttpServer().address() as { port: number };
  ctx.logger.info({ port: address.port, host: ctx.config.httpHost }, 'http listening');
  return address.port;
}

/** Graceful shutdown on SIGTERM/SIGINT: `stop` first, then close the app and drain NATS, exit 0. */
export function onShutdown(ctx: ServiceContext, stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) return;
    stopping = true;
    ctx.logger.info({ signal }, 'shutting down');
    void (async () => {
      try {
        await stop();
        await ctx.nc.drain();
      } catch (e) {
        ctx.logger.error({ err: (e as Error).message }, 'error during shutdown');
      }
      process.exit(0);
    })();
  };
  process.once('SIGTERM', () => handler('SIGTERM'));
  process.once('SIGINT', () => handler('SIGINT'));
}
