import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, ErrorCode, type NatsConnection, type NatsError } from 'nats';
import { NatsServerProcess, SERVICE_NAMES, freePort, natsAuthorizationConf, type ServiceName } from '@dcl-enas/cluster';
import { STREAMS } from '@dcl-enas/contracts';
import { ROOT, ServiceProcess } from './cluster-harness';

/**
 * Issue 9, security: a nats-server holding the per-service users and least-privilege
 * permissions the Helm chart ships (natsAuthorizationConf), the four services logging in as
 * their users, the orchestrator's API behind a bearer token. A whole experiment runs through
 * them without a single permission violation; an unauthenticated client gets nowhere; a service
 * cannot publish outside its subjects; an HTTP request without the token gets 401; no password
 * or token ever appears in any output.
 */
const secret = () => randomBytes(24).toString('hex');
const passwords = Object.fromEntries(SERVICE_NAMES.map((s) => [s, secret()])) as Record<ServiceName, string>;
const apiToken = secret();
const SECRETS = [...Object.values(passwords), apiToken];

let nats: NatsServerProcess;
let apiPort: number;
const services: ServiceProcess[] = [];
const connections: NatsConnection[] = [];
const api = (path: string) => `http://127.0.0.1:${apiPort}${path}`;
const auth = { authorization: `Bearer ${apiToken}` };

function spawnService(service: ServiceName, env: Record<string, string>): ServiceProcess {
  const child = spawn(process.execPath, ['-r', './tools/register.cjs', 'apps/cli/src/main.ts', 'serve', service, '--nats', nats.url], {
    cwd: ROOT,
    env: {
      ...process.env,
      ENAS_PREDICTOR_ENGINE: 'ridge',
      ENAS_TRIAL_ACK_WAIT_MS: '1500',
      ENAS_TRAINER_TIME_SCALE: '0.0005',
      ENAS_REQUEST_TIMEOUT_MS: '10000',
      // the most verbose level: whatever a service can log, it logs here
      ENAS_LOG_LEVEL: 'trace',
      // small enough that rank requests carry their candidates by reference (the enas-blobs object store)
      ENAS_MAX_MESSAGE_BYTES: '16384',
      NATS_USER: service,
      NATS_PASSWORD: passwords[service],
      ENAS_HTTP_PORT: service === 'orchestrator' ? String(apiPort) : '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const p = new ServiceProcess(service, child);
  services.push(p);
  return p;
}

async function serve(service: ServiceName, env: Record<string, string> = {}): Promise<ServiceProcess> {
  const p = spawnService(service, env);
  await p.ready(90_000, () => nats.output);
  return p;
}

async function natsAs(user: ServiceName | null, password?: string): Promise<NatsConnection> {
  const nc = await connect({ servers: nats.url, maxReconnectAttempts: 0, reconnect: false, ...(user ? { user, pass: password ?? passwords[user], inboxPrefix: `_INBOX_${user}` } : {}) });
  connections.push(nc);
  return nc;
}

const violations = (kind: 'Publish' | 'Subscription') => nats.output.split('\n').filter((l) => l.includes(`] `) && l.includes(` - ${kind} Violation - `));

async function submit(spec: Record<string, unknown>): Promise<string> {
  const res = await fetch(api('/experiments'), { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ apiVersion: 'enas/v1', kind: 'Experiment', ...spec }) });
  const body = (await res.json()) as { id: string };
  expect(res.status, JSON.stringify(body)).toBe(201);
  return body.id;
}

async function waitStatus(id: string, done: (status: string) => boolean, timeoutMs = 120_000): Promise<{ status: string; queriesDone: number }> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const x = (await (await fetch(api(`/experiments/${id}`), { headers: auth })).json()) as { status: string; queriesDone: number };
    if (done(x.status)) return x;
    if (Date.now() > end) throw new Error(`experiment ${id} stuck at ${JSON.stringify(x)}\n${services.map((s) => s.output.split('\n').slice(-8).join('\n')).join('\n')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  nats = await NatsServerProcess.start({ config: natsAuthorizationConf((s) => JSON.stringify(passwords[s])) });
  apiPort = await freePort();
  await Promise.all([serve('orchestrator', { ENAS_API_TOKEN: apiToken }), serve('encoder'), serve('predictor'), serve('trainer')]);
}, 180_000);

afterAll(async () => {
  await Promise.all(connections.map((c) => c.close().catch(() => undefined)));
  await Promise.all(services.map((s) => s.kill('SIGKILL')));
  await nats?.dispose();
});

describe('NATS users with least-privilege permissions', () => {
  it('run a whole experiment (predictor, encoder, by-reference payloads, stop) without a single permission violation', async () => {
    const id = await submit({ space: 'nb201', dataset: 'cifar10', strategy: 'dcl-enas', seed: 3, queries: 30, batchSize: 2 });
    const stopped = await submit({ space: 'nb201', dataset: 'cifar10', strategy: 'rea', seed: 1, queries: 4000, batchSize: 4 });
    expect((await waitStatus(id, (s) => s !== 'running' && s !== 'queued')).status).toBe('completed');
    expect((await fetch(api(`/experiments/${stopped}/stop`), { method: 'POST', headers: auth })).status).toBe(200);
    expect((await waitStatus(stopped, (s) => s === 'stopped')).status).toBe('stopped');
    const predictor = services.find((s) => s.name === 'predictor')!;
    expect(predictor.count('predictor fitted') + predictor.count('ranked')).toBeGreaterThan(0);
    expect(violations('Publish')).toEqual([]);
    expect(violations('Subscription')).toEqual([]);
    expect(nats.output).not.toMatch(/Authorization Violation/);
  }, 180_000);

  it('refuse a client without credentials, and one with a wrong password', async () => {
    const refused = async (p: Promise<unknown>) => {
      const e = (await p.then(() => null, (error: unknown) => error)) as NatsError | null;
      expect(e).not.toBeNull();
      expect(e!.code).toBe(ErrorCode.AuthorizationViolation);
    };
    await refused(natsAs(null));
    await refused(natsAs('trainer', 'not-the-password'));
    await refused(natsAs('trainer', passwords.predictor));
  });

  it("let no service publish on another's subjects: nothing reaches the streams", async () => {
    const orchestrator = await natsAs('orchestrator');
    const jsm = await orchestrator.jetstreamManager();
    const count = async (stream: string) => (await jsm.streams.info(stream)).state.messages;
    const before = { events: await count(STREAMS.events), trials: await count(STREAMS.trials) };
    const forbidden: Record<ServiceName, string[]> = {
      trainer: ['enas.v1.events.x1.created', 'enas.v1.events.x1.ended', 'enas.v1.events.x1.stop', 'enas.v1.events.x1.proposed.0', 'enas.v1.trials.x1.0', 'enas.v1.predictor.fit', '$JS.API.STREAM.DELETE.ENAS_EVENTS', '$JS.API.STREAM.PURGE.ENAS_EVENTS', '$KV.enas-experiments.x1', '$JS.API.STREAM.MSG.GET.ENAS_EVENTS', '$JS.API.DIRECT.GET.ENAS_EVENTS', '$JS.API.CONSUMER.CREATE.ENAS_EVENTS', '$JS.API.STREAM.MSG.GET.ENAS_TRIALS', '$JS.API.STREAM.MSG.DELETE.ENAS_TRIALS'],
      predictor: ['enas.v1.events.x1.result.0', 'enas.v1.trials.x1.0', '$JS.API.STREAM.DELETE.ENAS_TRIALS', '$O.enas-encoders.C.x'],
      encoder: ['enas.v1.events.x1.result.0', 'enas.v1.predictor.rank', 'enas.v1.trials.x1.0', '$O.enas-models.C.x'],
      orchestrator: ['$JS.ACK.ENAS_TRIALS.enas-trainers.1.1.1.1.1.1', '$JS.API.STREAM.DELETE.ENAS_EVENTS', '$JS.API.STREAM.PURGE.ENAS_EVENTS', '$JS.API.CONSUMER.DELETE.ENAS_TRIALS.enas-trainers'],
    };
    const expected: string[] = [];
    for (const [service, subjects] of Object.entries(forbidden) as [ServiceName, string[]][]) {
      const nc = await natsAs(service);
      for (const subject of subjects) {
        nc.publish(subject, new TextEncoder().encode('{}'));
        expected.push(subject);
      }
      await nc.flush();
    }
    // subscribing to another service's requests or replies is refused too
    const spy = await natsAs('trainer');
    spy.subscribe('enas.*.predictor.rank');
    spy.subscribe('_INBOX_orchestrator.>');
    await spy.flush();
    await expect.poll(() => violations('Publish').length, { timeout: 5000 }).toBeGreaterThanOrEqual(expected.length);
    for (const subject of expected) expect(violations('Publish').some((l) => l.includes(`"${subject}"`)), subject).toBe(true);
    await expect.poll(() => violations('Subscription').length, { timeout: 5000 }).toBe(2);
    expect({ events: await count(STREAMS.events), trials: await count(STREAMS.trials) }).toEqual(before);

    // the same check sees an allowed publish land: a trainer's result event is stored
    const trainer = await natsAs('trainer');
    await trainer.jetstream().publish('enas.v1.events.x1.result.0', new TextEncoder().encode('{}'));
    expect(await count(STREAMS.events)).toBe(before.events + 1);
  });
});

describe('the HTTP API', () => {
  it('answers 401 without the bearer token or with a wrong one, and serves health endpoints without it', async () => {
    const without = await fetch(api('/experiments'));
    expect(without.status).toBe(401);
    expect(without.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(((await without.json()) as { error: string }).error).toMatch(/missing bearer token/);
    expect((await fetch(api('/experiments'), { headers: { authorization: `Bearer ${secret()}` } })).status).toBe(401);
    expect((await fetch(api('/experiments'), { headers: { authorization: `Basic ${apiToken}` } })).status).toBe(401);
    expect((await fetch(api('/experiments'), { headers: { authorization: `Bearer ${apiToken.slice(0, -1)}` } })).status).toBe(401);
    expect((await fetch(api('/experiments/anything/stop'), { method: 'POST' })).status).toBe(401);
    expect((await fetch(api('/schema/experiment'))).status).toBe(401);

    const listed = async () => ((await (await fetch(api('/experiments'), { headers: auth })).json()) as unknown[]).length;
    const n = await listed();
    const post = await fetch(api('/experiments'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ apiVersion: 'enas/v1', kind: 'Experiment', space: 'nb201', dataset: 'cifar10', strategy: 'rea', queries: 5 }) });
    expect(post.status).toBe(401);
    expect(await listed()).toBe(n);

    expect((await fetch(api('/experiments'), { headers: auth })).status).toBe(200);
    expect((await fetch(api('/healthz'))).status).toBe(200);
    expect((await fetch(api('/readyz'))).status).toBe(200);
  });

  it('refuses a body over the spec size limit with 413, and an unknown field with 400 naming it', async () => {
    const big = await fetch(api('/experiments'), { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ apiVersion: 'enas/v1', pad: 'x'.repeat(70_000) }) });
    expect(big.status).toBe(413);
    const yaml = await fetch(api('/experiments'), { method: 'POST', headers: { ...auth, 'content-type': 'application/yaml' }, body: `apiVersion: enas/v1\n#${'x'.repeat(70_000)}\n` });
    expect(yaml.status).toBe(413);
    const unknown = await fetch(api('/experiments'), { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ apiVersion: 'enas/v1', kind: 'Experiment', space: 'nb201', dataset: 'cifar10', strategy: 'rea', queries: 5, colour: 'red' }) });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(await unknown.json())).toMatch(/Unrecognized key: \\"colour\\"/);
  });

  it('the CLI sends ENAS_API_TOKEN, and without it says so in one line (exit 2)', () => {
    const cli = (env: Record<string, string>) => spawnSync(process.execPath, ['-r', './tools/register.cjs', 'apps/cli/src/main.ts', 'submit', 'examples/nb201-rea.yaml', '--api', api('')], { cwd: ROOT, env: { ...process.env, ENAS_API_TOKEN: '', ...env }, encoding: 'utf8' });
    const ok = cli({ ENAS_API_TOKEN: apiToken });
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout.trim()).toMatch(/^[A-Za-z0-9_-]+$/);
    const refused = cli({});
    expect(refused.status).toBe(2);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/HTTP 401.*ENAS_API_TOKEN/);
  });
});

describe('secrets', () => {
  it('never appear in any output: the services at trace level, nats-server, and refused configurations', async () => {
    // A configuration problem next to a password and a token: exit 2, one line per problem, neither secret echoed.
    const bad = spawnService('orchestrator', { ENAS_API_TOKEN: 'short', ENAS_HTTP_PORT: 'eighty', NATS_URL: `nats://trainer:${passwords.trainer}@127.0.0.1:4222` });
    expect(await bad.exited).toBe(2);
    expect(bad.output).toMatch(/ENAS_API_TOKEN is not valid/);
    const badUrl = spawnSync(process.execPath, ['-r', './tools/register.cjs', 'apps/cli/src/main.ts', 'serve', 'trainer', '--nats', `nats://trainer:${passwords.trainer}@127.0.0.1:1`], { cwd: ROOT, env: { ...process.env, NATS_USER: '', NATS_PASSWORD: '' }, encoding: 'utf8' });
    expect(badUrl.status).toBe(2);
    expect(badUrl.stderr).toMatch(/holds credentials/);
    const outputs = [...services.map((s) => [s.name, s.output] as const), ['nats-server', nats.output] as const, ['serve --nats', badUrl.stdout + badUrl.stderr] as const];
    expect(outputs.reduce((n, [, o]) => n + o.length, 0)).toBeGreaterThan(10_000);
    for (const [name, output] of outputs) for (const s of SECRETS) expect(output.includes(s), `${name} output holds a secret`).toBe(false);
  });
});
