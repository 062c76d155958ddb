import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from 'nats';
import { Rng } from '@dcl-enas/common';
import { NatsServerProcess, ObjectStores, Payloads, connectNats, createLogger, ensureJetStream, type RpcClient } from '@dcl-enas/cluster';
import { inProcessPredictors, ridgeEngine } from '@dcl-enas/predictor-engines';
import { nb201Space } from '@dcl-enas/spaces';
import { spaceByName } from '@dcl-enas/experiments';
import { PredictorHost } from './predictor-host';

let server: NatsServerProcess;
let nc: NatsConnection;

beforeAll(async () => {
  server = await NatsServerProcess.start();
  nc = await connectNats({ servers: [server.url], auth: { kind: 'none' }, tls: null }, 'predictor-host-test');
  await ensureJetStream(nc, { replicas: 1, maxMessageBytes: 262144 });
});
afterAll(async () => {
  await nc?.close();
  await server?.dispose();
});

/** The encoder service's part, done here through the same engine (the predictor host asks it only on a store miss). */
const encoderRpc = {
  async request() {
    const stores = new ObjectStores(nc);
    const bytes = await ridgeEngine.pretrain(nb201Space, { space: 'nb201', variant: 'dcl', seed: 0 });
    return { encoder: await stores.put('enas-encoders', 'ridge-nb201-s0', bytes!), cached: false, seconds: 0 };
  },
} as unknown as RpcClient;

describe('predictor host', () => {
  it('any replica continues a session: scores equal the in-process predictor, repeated fits come from the store', async () => {
    const replica = () => {
      const stores = new ObjectStores(nc);
      return new PredictorHost(ridgeEngine, stores, new Payloads(stores, 262144), encoderRpc, 4, createLogger('test', 'silent'));
    };
    const [a, b] = [replica(), replica()];
    const rng = Rng.seeded(3);
    const archs = Array.from({ length: 40 }, () => nb201Space.sample(rng));
    const labelled = archs.slice(0, 25).map((arch, i) => ({ arch: nb201Space.format(arch), key: nb201Space.key(arch), valAcc: 50 + ((i * 7) % 13) }));
    const session = { id: 'sess-1', space: 'nb201', variant: 'dcl', seed: 0 };

    const fit1 = await a.fit({ session, version: 1, previous: null, observations: { inline: labelled.slice(0, 15) } });
    const fit2 = await b.fit({ session, version: 2, previous: fit1.model, observations: { inline: labelled } });
    expect(fit2.cached).toBe(false);
    expect((await a.fit({ session, version: 2, previous: fit1.model, observations: { inline: labelled } })).cached).toBe(true);

    const candidates = archs.map((x) => nb201Space.format(x));
    const fromA = await a.rank({ session, model: fit2.model, archs: { inline: candidates } });
    const fromB = await b.rank({ session, model: fit2.model, archs: { inline: candidates } });
    expect(fromA.scores).toEqual(fromB.scores);

    const local = inProcessPredictors(ridgeEngine, spaceByName)<unknown>({ space: 'nb201', variant: 'dcl', seed: 0 });
    const parsed = labelled.map((o) => ({ ...o, arch: nb201Space.parse(o.arch) }));
    await local.fit(parsed.slice(0, 15));
    await local.fit(parsed);
    const expected = Array.from(await local.score(archs));
    expect('inline' in fromA.scores && fromA.scores.inline).toEqual(expected);
  });
});
