import type { NatsConnection } from 'nats';
import { ClientProxyFactory, Transport } from '@nestjs/microservices';
import type { INestApplication } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { createServer } from 'node:net';
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
import { StartupError, closeIfStartFails } from './run-service';

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
  const nc = await connectNats(config.nats, `enas-${config.service}`, (reason) => logger.warn({ reason }, 'NATS not reachable yet, still trying')).catch((e: Error) => {
    const why = (e as { code?: string }).code === 'SERVER_OPT_NA' ? 'TLS is on here but the server does not offer it' : oneLine(e);
    throw new StartupError(`NATS refused the connection to ${config.nats.servers.join(',')}: ${why} (${connectHint(config)})`);
  });
  // Until the service has started, a failure closes the connection so that the process can end (runService).
  closeIfStartFails(() => nc.close());
  readiness.watchNats(nc);
  await ensureJetStream(nc, { replicas: config.jsReplicas, maxMessageBytes: config.maxMessageBytes }).catch(async (e: Error) => {
    await nc.close().catch(() => undefined);
    throw new StartupError(`JetStream refused the streams, KV bucket or object stores: ${oneLine(e)} (ENAS_JS_REPLICAS=${config.jsReplicas} needs a NATS cluster of at least that many servers; ENAS_MAX_MESSAGE_BYTES=${config.maxMessageBytes})`);
  });
  readiness.set('jetstream', null);
  const stores = new ObjectStores(nc);
  return { config, logger, nc, dead: new DeadLetters(nc, config.service, logger), stores, payloads: new Payloads(stores, config.maxMessageBytes), readiness, metrics: createMetricsRegistry() };
}

function oneLine(e: Error): string {
  return (e.message || String(e)).split('\n')[0].replace(/^'(.*)'$/, '$1');
}

/** A taken port as one line (NestJS would log its own stack trace for it). */
async function portFree(host: string, port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'EADDRINUSE' || e.code === 'EACCES' ? new StartupError(`ENAS_HTTP_PORT=${port}: cannot listen on ${host}:${port} (${e.code}): choose another port (0 picks a free one)`) : e));
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

/** Which settings a refused connection points at (never their values). */
function connectHint(config: CommonConfig): string {
  const auth = { none: 'no credentials set', creds: 'check NATS_CREDS_FILE', nkey: 'check NATS_NKEY_SEED_FILE', user: 'check NATS_USER/NATS_PASSWORD', token: 'check NATS_TOKEN' }[config.nats.auth.kind];
  const tls = config.nats.tls ? 'NATS_TLS_CA_FILE, NATS_TLS_CERT_FILE/NATS_TLS_KEY_FILE for TLS' : 'TLS is off: set NATS_TLS_CA_FILE if the server requires TLS';
  return `${auth}; ${tls}; docs/security.md`;
}

/** A request/reply client over NestJS's NATS ClientProxy, with the configured timeout. */
export function rpcClient(ctx: ServiceContext): RpcClient {
  const client = ClientProxyFactory.create({ transport: Transport.NATS, options: natsConnectionOptions(ctx.config.nats, `enas-${ctx.config.service}-rpc`) });
  closeIfStartFails(() => client.close());
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
  closeIfStartFails(() => app.close());
  await portFree(ctx.config.httpHost, ctx.config.httpPort);
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
