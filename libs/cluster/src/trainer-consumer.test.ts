import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, nanos, type NatsConnection } from 'nats';
import { CONSUMERS, STREAMS } from '@dcl-enas/contracts';
import { NatsServerProcess } from './nats-server-process';
import { DEFAULT_TRIAL_ACK_WAIT_MS, createTrainerConsumer, ensureJetStream, ensureTrainerConsumer, trainerConsumerConfig } from './jetstream-resources';
import { inboxPrefix, natsAuthorizationConf } from './nats-permissions';

/**
 * The trainers' consumer `enas-trainers` has one definition (trainerConsumerConfig): the
 * orchestrator creates it at start-up (createTrainerConsumer), so that KEDA has its lag to read
 * before any trainer runs, and a trainer binds to it (ensureTrainerConsumer). Both run here as
 * their own NATS users under the permissions the chart ships (natsAuthorizationConf).
 */
let server: NatsServerProcess;
const connections: NatsConnection[] = [];
const PASSWORD = 'consumer-test';

async function as(user: 'orchestrator' | 'trainer'): Promise<NatsConnection> {
  const nc = await connect({ servers: server.url, user, pass: PASSWORD, inboxPrefix: inboxPrefix(user), maxReconnectAttempts: 0, reconnect: false });
  connections.push(nc);
  return nc;
}

const consumerInfo = async (nc: NatsConnection) => (await nc.jetstreamManager()).consumers.info(STREAMS.trials, CONSUMERS.trainers);

beforeAll(async () => {
  server = await NatsServerProcess.start({ config: natsAuthorizationConf(() => JSON.stringify(PASSWORD), ['orchestrator', 'trainer']) });
  await ensureJetStream(await as('orchestrator'), { replicas: 1, maxMessageBytes: 262144 });
});

afterAll(async () => {
  await Promise.all(connections.map((nc) => nc.close().catch(() => undefined)));
  await server?.dispose();
});

describe('the trainers\' consumer', () => {
  it('the orchestrator creates it when missing, with the trainers\' configuration and their default ack wait', async () => {
    const orchestrator = await as('orchestrator');
    await expect(consumerInfo(orchestrator)).rejects.toThrow(/consumer not found/);
    expect(await createTrainerConsumer(orchestrator)).toBe(true);
    expect((await consumerInfo(orchestrator)).config).toMatchObject(trainerConsumerConfig(DEFAULT_TRIAL_ACK_WAIT_MS));
    // again (a restart): it is there, nothing to do
    expect(await createTrainerConsumer(orchestrator)).toBe(false);
  });

  it('a trainer binds to it and sets its own ack wait; an orchestrator restart leaves that as it is', async () => {
    const trainer = await as('trainer');
    await ensureTrainerConsumer(trainer, 1500);
    expect((await consumerInfo(trainer)).config).toMatchObject(trainerConsumerConfig(1500));
    expect(await createTrainerConsumer(await as('orchestrator'))).toBe(false);
    expect((await consumerInfo(trainer)).config.ack_wait).toBe(nanos(1500));
    // the trainer pulls from it
    const consumer = await trainer.jetstream().consumers.get(STREAMS.trials, CONSUMERS.trainers);
    expect(await consumer.next({ expires: 1000 })).toBeNull();
  });

  it('neither side needs more than the shipped permissions', () => {
    expect(server.output).not.toMatch(/Violation/);
  });
});
