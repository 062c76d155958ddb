import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from 'nats';
import { NatsServerProcess, ObjectStores, connectNats, createLogger, ensureJetStream } from '@dcl-enas/cluster';
import { ridgeEngine } from '@dcl-enas/predictor-engines';
import { EncoderHost } from './encoder-host';

let server: NatsServerProcess;
let nc: NatsConnection;

beforeAll(async () => {
  server = await NatsServerProcess.start();
  nc = await connectNats({ servers: [server.url], auth: { kind: 'none' }, tls: null }, 'encoder-host-test');
  await ensureJetStream(nc, { replicas: 1, maxMessageBytes: 262144 });
});
afterAll(async () => {
  await nc?.close();
  await server?.dispose();
});

describe('encoder host', () => {
  it('pre-trains once per space and configuration, also across replicas and concurrent requests', async () => {
    const host = () => new EncoderHost(ridgeEngine, new ObjectStores(nc), createLogger('test', 'silent'));
    const request = { space: 'nb201', engine: 'ridge', variant: 'dcl', seed: 1 };
    const a = host();
    const [first, concurrent] = await Promise.all([a.pretrain(request), a.pretrain(request)]);
    expect(first.cached).toBe(false);
    expect(concurrent).toBe(first);
    const again = await host().pretrain(request);
    expect(again).toMatchObject({ cached: true, encoder: first.encoder });
    const stored = await new ObjectStores(nc).get(first.encoder!);
    expect(Buffer.from(stored).equals(Buffer.from((await ridgeEngine.pretrain((await import('@dcl-enas/spaces')).nb201Space, request))!))).toBe(true);
    expect(await host().pretrain({ ...request, variant: 'no-pretrain' })).toEqual({ encoder: null, cached: true, seconds: 0 });
  });

  it('refuses a request for another engine with the fix', async () => {
    await expect(new EncoderHost(ridgeEngine, new ObjectStores(nc), createLogger('test', 'silent')).pretrain({ space: 'nb201', engine: 'gnn', variant: 'dcl', seed: 0 })).rejects.toThrow(/runs engine ridge, the request asks for gnn: set the same ENAS_PREDICTOR_ENGINE/);
  });
});
