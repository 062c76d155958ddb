import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AckPolicy, connect, nanos, type NatsConnection } from 'nats';
import { NatsServerProcess, SERVICE_NAMES, freePort, natsAuthorizationConf, trainerConsumerConfig, type ServiceName } from '@dcl-enas/cluster';
import { CONSUMERS, STREAMS, SUBJECTS } from '@dcl-enas/contracts';
import { ROOT, ServiceProcess } from './cluster-harness';

/**
 * KEDA scales the trainers from zero on the lag of the durable consumer `enas-trainers`
 * (helm/dcl-enas/templates/keda.yaml). On a fresh install no trainer runs, so the orchestrator
 * creates that consumer at start-up: here only the orchestrator runs (as its own NATS user, under
 * the shipped permissions), and the lag is read the way KEDA's nats-jetstream scaler reads it,
 * from the monitoring endpoint `/jsz?acc=$G&consumers=true&config=true`, num_pending +
 * num_ack_pending of the consumer. A trainer started afterwards binds to the same consumer
 * (its own ack wait, no config conflict) and takes the trials.
 */
const passwords = Object.fromEntries(SERVICE_NAMES.map((s) => [s, randomBytes(18).toString('hex')])) as Record<ServiceName, string>;
const observerPassword = randomBytes(18).toString('hex');
const TRAINER_ACK_WAIT_MS = 1500;

let nats: NatsServerProcess;
let monitorPort: number;
let apiPort: number;
let observer: NatsConnection;
const services: ServiceProcess[] = [];

async function serve(service: 'orchestrator' | 'trainer'): Promise<ServiceProcess> {
  const child = spawn(process.execPath, ['-r', './tools/register.cjs', 'apps/cli/src/main.ts', 'serve', service, '--nats', nats.url], {
    cwd: ROOT,
    env: {
      ...process.env,
      ENAS_TRIAL_ACK_WAIT_MS: String(TRAINER_ACK_WAIT_MS),
      ENAS_TRAINER_TIME_SCALE: '0.0005',
      ENAS_REQUEST_TIMEOUT_MS: '5000',
      ENAS_LOG_LEVEL: 'debug',
      ENAS_API_TOKEN: '',
      NATS_USER: service,
      NATS_PASSWORD: passwords[service],
      ENAS_HTTP_PORT: service === 'orchestrator' ? String(apiPort) : '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const p = new ServiceProcess(service, child);
  services.push(p);
  await p.ready(90_000, () => nats.output);
  return p;
}

interface KedaView {
  streamFound: boolean;
  consumerFound: boolean;
  /** What KEDA's nats-jetstream scaler scales on: num_pending + num_ack_pending (the stream's last sequence when the consumer is missing). */
  lag: number;
  numPending: number;
  numAckPending: number;
}

/** The monitoring request of KEDA's nats-jetstream scaler, and its lag rule (getMaxMsgLag). */
async function kedaView(): Promise<KedaView> {
  const res = await fetch(`http://127.0.0.1:${monitorPort}/jsz?acc=$G&consumers=true&config=true`);
  expect(res.status).toBe(200);
  type Consumer = { name: string; num_pending: number; num_ack_pending: number };
  type Stream = { name: string; state: { last_seq: number }; consumer_detail?: Consumer[] };
  const body = (await res.json()) as { account_details?: { name: string; stream_detail?: Stream[] }[] };
  const stream = body.account_details?.find((a) => a.name === '$G')?.stream_detail?.find((s) => s.name === STREAMS.trials);
  const consumer = stream?.consumer_detail?.find((c) => c.name === CONSUMERS.trainers);
  return {
    streamFound: stream !== undefined,
    consumerFound: consumer !== undefined,
    lag: consumer ? consumer.num_pending + consumer.num_ack_pending : (stream?.state.last_seq ?? 0),
    numPending: consumer?.num_pending ?? 0,
    numAckPending: consumer?.num_ack_pending ?? 0,
  };
}

async function submit(spec: Record<string, unknown>): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${apiPort}/experiments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ apiVersion: 'enas/v1', kind: 'Experiment', ...spec }) });
  const body = (await res.json()) as { id: string };
  expect(res.status, JSON.stringify(body)).toBe(201);
  return body.id;
}

async function status(id: string): Promise<{ status: string; queriesDone: number }> {
  return (await (await fetch(`http://127.0.0.1:${apiPort}/experiments/${id}`)).json()) as { status: string; queriesDone: number };
}

const violations = () => nats.output.split('\n').filter((l) => / - (Publish|Subscription) Violation - /.test(l));

beforeAll(async () => {
  monitorPort = await freePort();
  apiPort = await freePort();
  const observerUser = `    {
      user: "observer"
      password: ${JSON.stringify(observerPassword)}
      permissions: { publish: { allow: [">"] }, subscribe: { allow: [">"] } }
    }`;
  // the monitoring port KEDA reads, as the chart's bundled server has it (http_port 8222)
  const config = `${natsAuthorizationConf((s) => JSON.stringify(passwords[s]), SERVICE_NAMES, [observerUser])}http: "127.0.0.1:${monitorPort}"\n`;
  nats = await NatsServerProcess.start({ config });
  observer = await connect({ servers: nats.url, user: 'observer', pass: observerPassword, maxReconnectAttempts: 0, reconnect: false });
}, 60_000);

afterAll(async () => {
  await Promise.all(services.map((s) => s.kill('SIGKILL')));
  await observer?.close().catch(() => undefined);
  await nats?.dispose();
});

describe('the trainers\' consumer on a fresh install (KEDA scales trainers from zero)', () => {
  it('exists once the orchestrator alone has started, with the configuration the trainers use', async () => {
    expect((await kedaView()).streamFound).toBe(false);
    await serve('orchestrator');
    expect(await kedaView()).toEqual({ streamFound: true, consumerFound: true, lag: 0, numPending: 0, numAckPending: 0 });
    const jsm = await observer.jetstreamManager();
    const info = await jsm.consumers.info(STREAMS.trials, CONSUMERS.trainers);
    // one definition for both sides; the orchestrator, which does not know the trainers' setting, uses its default ack wait
    const shared = trainerConsumerConfig(30_000);
    expect(shared).toMatchObject({ durable_name: CONSUMERS.trainers, ack_policy: AckPolicy.Explicit, filter_subject: SUBJECTS.allTrials });
    expect(info.config).toMatchObject(shared);
    expect(violations()).toEqual([]);
  }, 120_000);

  it('shows the submitted trials as lag while no trainer runs', async () => {
    const id = await submit({ space: 'nb201', dataset: 'cifar10', strategy: 'rea', seed: 2, queries: 12, batchSize: 4 });
    await expect.poll(async () => (await kedaView()).numPending, { timeout: 30_000, interval: 100 }).toBeGreaterThan(0);
    // nothing takes them: the backlog stays, and KEDA's activation threshold ("0") is exceeded
    await new Promise((r) => setTimeout(r, 1000));
    const view = await kedaView();
    expect(view.numAckPending).toBe(0);
    expect(view.lag).toBeGreaterThan(0);
    expect((await status(id)).queriesDone).toBe(0);
    expect(violations()).toEqual([]);
  }, 60_000);

  it('a trainer started afterwards binds to it with its own ack wait and works the backlog off', async () => {
    const jsm = await observer.jetstreamManager();
    const trainer = await serve('trainer');
    const info = await jsm.consumers.info(STREAMS.trials, CONSUMERS.trainers);
    expect(info.config.ack_wait).toBe(nanos(TRAINER_ACK_WAIT_MS));
    expect(info.config).toMatchObject({ ...trainerConsumerConfig(TRAINER_ACK_WAIT_MS) });
    const [id] = ((await (await fetch(`http://127.0.0.1:${apiPort}/experiments`)).json()) as { id: string }[]).map((e) => e.id);
    const end = Date.now() + 90_000;
    while ((await status(id!)).status !== 'completed') {
      if (Date.now() > end) throw new Error(`experiment ${id} did not complete: ${JSON.stringify(await status(id!))}\n${services.map((s) => s.output.split('\n').slice(-10).join('\n')).join('\n')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await status(id!)).queriesDone).toBe(12);
    await expect.poll(async () => (await kedaView()).lag, { timeout: 10_000 }).toBe(0);
    expect(trainer.output).not.toMatch(/consumer.*(already in use|conflict|exists)/i);
    expect(violations()).toEqual([]);
  }, 120_000);
});
