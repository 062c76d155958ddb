import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from 'nats';
import { BUCKETS, CONSUMERS, STREAMS, type ExperimentEvent } from '@dcl-enas/contracts';
import { NatsServerProcess } from './nats-server-process';
import { connectNats } from './nats-connection';
import { ensureJetStream, ensureTrainerConsumer } from './jetstream-resources';
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
const T1 = '1'.repeat(32);
const T2 = '2'.repeat(32);
const FORGED = 'f'.repeat(32);

describe('event log', () => {
  it('appends, de-duplicates proposals by message id, reads back in order and follows live events', async () => {
    const log = await EventLog.open(nc, null);
    const proposed: ExperimentEvent = { type: 'proposed', batch: 0, trials: [{ index: 0, arch: 'a', key: 'ka', token: T1 }] };
    await log.append('x1', proposed);
    await log.append('x1', proposed);
    await log.append('x2', { type: 'stop', reason: 'other experiment', at: at() });
    const result = (token: string): ExperimentEvent => ({ type: 'result', index: 0, key: 'ka', token, outcome: { valAcc: 1, testAcc: null, trainSeconds: null }, trainer: 't', attempt: 1, at: at() });
    const request = { experimentId: 'x1', index: 0, space: 'nb201', dataset: 'cifar10', arch: 'a', key: 'ka', token: T1 };
    await log.append('x1', result(FORGED));
    expect(await log.hasResult(request)).toBe(false);
    await log.append('x1', result(T1));
    expect((await log.readAll('x1')).map((e) => e.event.type)).toEqual(['proposed', 'result', 'result']);
    expect(await log.hasResult(request)).toBe(true);
    expect(await log.hasResult({ ...request, index: 1 })).toBe(false);
    expect(await log.readAll('nothing-here')).toEqual([]);

    const seen: string[] = [];
    const follower = await log.follow('x1', (e) => seen.push(e.event.type));
    await follower.caughtUp;
    await log.append('x1', { type: 'ended', status: 'completed', at: at() });
    await expect.poll(() => seen).toEqual(['proposed', 'result', 'result', 'ended']);
    await follower.stop();
  });

  it('drops an event stored on the subject of another type (a stop on a result subject)', async () => {
    const log = await EventLog.open(nc, null);
    const js = nc.jetstream();
    const encode = (e: unknown) => new TextEncoder().encode(JSON.stringify(e));
    await js.publish('enas.v1.events.x3.result.0', encode({ type: 'stop', reason: 'forged', at: at() }));
    await js.publish('enas.v1.events.x3.result.0', encode({ type: 'ended', status: 'completed', at: at() }));
    await js.publish('enas.v1.events.x3.result.5', encode({ type: 'result', index: 4, key: 'k', token: T1, outcome: null, trainer: 't', attempt: 1, at: at() }));
    await log.append('x3', { type: 'stop', reason: 'genuine', at: at() });
    expect((await log.readAll('x3')).map((e) => e.event)).toEqual([{ type: 'stop', reason: 'genuine', at: expect.any(String) }]);
  });
});

describe('trial queue', () => {
  it('re-queues after a restart only the trials neither queued nor done', async () => {
    const log = await EventLog.open(nc, null);
    const queue = await TrialQueue.open(nc, log);
    const trial = (index: number) => ({ experimentId: 'q1', index, space: 'nb201', dataset: 'cifar10', arch: `a${index}`, key: `k${index}`, token: T2 });
    await queue.dispatch([trial(0), trial(1)], false);
    const done = (index: number, token: string): ExperimentEvent => ({ type: 'result', index, key: `k${index}`, token, outcome: { valAcc: 1, testAcc: null, trainSeconds: null }, trainer: 't', attempt: 1, at: at() });
    await log.append('q1', done(2, T2));
    // a forged result does not keep trial 3 from being queued again
    await log.append('q1', done(3, FORGED));
    await queue.dispatch([trial(0), trial(1), trial(2), trial(3)], true);
    const jsm = await nc.jetstreamManager();
    const queued = async () => Object.keys((await jsm.streams.info('ENAS_TRIALS', { subjects_filter: 'enas.v1.trials.q1.>' })).state.subjects ?? {}).sort();
    expect(await queued()).toEqual(['enas.v1.trials.q1.0', 'enas.v1.trials.q1.1', 'enas.v1.trials.q1.3']); // 2 is done
    await queue.settle('q1', [1, 2]);
    expect(await queued()).toEqual(['enas.v1.trials.q1.0', 'enas.v1.trials.q1.3']);
    expect(await queue.withdraw('q1')).toBe(2);
  });

  it("taking answered trials off and withdrawing an experiment's trials leave the others' trials to the trainers", async () => {
    const log = await EventLog.open(nc, null);
    const queue = await TrialQueue.open(nc, log);
    await ensureTrainerConsumer(nc, 5000);
    const consumer = await nc.jetstream().consumers.get(STREAMS.trials, CONSUMERS.trainers);
    const trial = (experimentId: string, index: number) => ({ experimentId, index, space: 'nb201', dataset: 'cifar10', arch: `a${index}`, key: `k${index}`, token: T2 });
    await queue.dispatch([trial('w1', 0), trial('w1', 1), trial('w2', 0), trial('w1', 2)], false);
    const held = (await consumer.next({ expires: 2000 }))!;
    expect(held.subject).toBe('enas.v1.trials.w1.0');
    await queue.settle('w1', [0]); // answered while its trainer still holds it
    expect(await queue.withdraw('w2')).toBe(1);
    held.ack();
    const next = await consumer.next({ expires: 2000 });
    expect(next?.subject).toBe('enas.v1.trials.w1.1');
    next!.ack();
    expect((await consumer.next({ expires: 2000 }))?.subject).toBe('enas.v1.trials.w1.2');
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
