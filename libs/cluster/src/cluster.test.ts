import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from 'nats';
import { BUCKETS, type ExperimentEvent } from '@dcl-enas/contracts';
import { NatsServerProcess } from './nats-server-process';
import { connectNats } from './nats-connection';
import { ensureJetStream } from './jetstream-resources';
import { EventLog } from './event-log';
import { TrialQueue } from './trial-queue';
import { ObjectStores, Payloads } from './blobs';
import { ConfigError, orchestratorConfig, trainerConfig } from './config';

let server: NatsServerProcess;
let nc: NatsConnection;

beforeAll(async () => {
  server = await NatsServerProcess.start();
  nc = await connectNats({ servers: [server.url], auth: { kind: 'none' }, tls: null }, 'cluster-test');
  await ensureJetStream(nc, { replicas: 1, maxMessageBytes: 262144 });
});

afterAll(async () => {
  await nc?.close();
  await server?.dispose();
});

const at = () => new Date().toISOString();

describe('event log', () => {
  it('appends, de-duplicates proposals by message id, reads back in order and follows live events', async () => {
    const log = await EventLog.open(nc, null);
    const proposed: ExperimentEvent = { type: 'proposed', batch: 0, trials: [{ index: 0, arch: 'a', key: 'ka' }] };
    await log.append('x1', proposed);
    await log.append('x1', proposed);
    await log.append('x2', { type: 'stop', reason: 'other experiment', at: at() });
    const result: ExperimentEvent = { type: 'result', index: 0, key: 'ka', outcome: { valAcc: 1, testAcc: null, trainSeconds: null }, trainer: 't', attempt: 1, at: at() };
    await log.append('x1', result);
    expect((await log.readAll('x1')).map((e) => e.event.type)).toEqual(['proposed', 'result']);
    expect(await log.hasResult('x1', 0)).toBe(true);
    expect(await log.hasResult('x1', 1)).toBe(false);
    expect(await log.readAll('nothing-here')).toEqual([]);

    const seen: string[] = [];
    const follower = await log.follow('x1', (e) => seen.push(e.event.type));
    await follower.caughtUp;
    await log.append('x1', { type: 'ended', status: 'completed', at: at() });
    await expect.poll(() => seen).toEqual(['proposed', 'result', 'ended']);
    await follower.stop();
  });
});

describe('trial queue', () => {
  it('re-queues after a restart only the trials neither queued nor done', async () => {
    const log = await EventLog.open(nc, null);
    const queue = await TrialQueue.open(nc, log);
    const trial = (index: number) => ({ experimentId: 'q1', index, space: 'nb201', dataset: 'cifar10', arch: `a${index}`, key: `k${index}` });
    await queue.dispatch([trial(0), trial(1)], false);
    await log.append('q1', { type: 'result', index: 2, key: 'k2', outcome: { valAcc: 1, testAcc: null, trainSeconds: null }, trainer: 't', attempt: 1, at: at() });
    await queue.dispatch([trial(0), trial(1), trial(2), trial(3)], true);
    const jsm = await nc.jetstreamManager();
    expect((await jsm.streams.info('ENAS_TRIALS')).state.messages).toBe(3); // 0, 1 once each, 3 new; 2 is done
    expect(await queue.withdraw('q1')).toBe(3);
  });
});

describe('payloads', () => {
  it('sends small fields inline and large ones by reference', async () => {
    const payloads = new Payloads(new ObjectStores(nc), 32 * 1024);
    const small = await payloads.wrap([1, 2, 3]);
    expect(small).toEqual({ inline: [1, 2, 3] });
    const big = Array.from({ length: 20000 }, (_, i) => `arch-${i}`);
    const wrapped = await payloads.wrap(big);
    expect('ref' in wrapped && wrapped.ref.bucket).toBe(BUCKETS.blobs);
    expect(await payloads.unwrap(wrapped)).toEqual(big);
  });
});

describe('configuration', () => {
  it('reports every bad setting, one line each', () => {
    const env = { NATS_URL: 'http://x', ENAS_HTTP_PORT: 'eighty', NATS_USER: 'u', ENAS_TRIAL_ACK_WAIT_MS: '5', NATS_TLS_CA_FILE: '/no/such/ca.pem' };
    let error: ConfigError | null = null;
    try {
      trainerConfig(env);
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems).toHaveLength(5);
    expect(error!.problems.join('\n')).toMatch(/NATS_URL: "http:\/\/x"[\s\S]*NATS_USER and NATS_PASSWORD[\s\S]*NATS_TLS_CA_FILE=\/no\/such\/ca.pem[\s\S]*ENAS_HTTP_PORT=eighty[\s\S]*ENAS_TRIAL_ACK_WAIT_MS=5/);
    expect(orchestratorConfig({}, 'nats://h:1')).toMatchObject({ httpPort: 8080, nats: { servers: ['nats://h:1'] }, maxRunningExperiments: 16 });
  });
});
