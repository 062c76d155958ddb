import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, nkeyAuthenticator, nkeys, type ConnectionOptions, type NatsConnection } from 'nats';
import { Rng, resolveDataDir } from '@dcl-enas/common';
import { EventLog, NatsServerProcess, SERVICE_NAMES, freePort, inboxPrefix, natsAuthorizationConf, type ServiceName } from '@dcl-enas/cluster';
import { ExperimentDetail, decode, type ExperimentEvent, type ExperimentSpec } from '@dcl-enas/contracts';
import { problemFor, spaceByName } from '@dcl-enas/experiments';
import { inProcessPredictors, ridgeEngine } from '@dcl-enas/predictor-engines';
import { inProcessPredictors as gnnInProcess, type ConfigOverrides } from '@dcl-enas/predictor';
import { createStrategy, searchWithEvaluator, type EvaluatorSearchOutcome } from '@dcl-enas/search';

export const ROOT = join(__dirname, '..', '..', '..');

/** Environment every service gets in the tests: fast engine, short ack wait, simulated GPU time. */
const TEST_ENV = {
  ENAS_PREDICTOR_ENGINE: 'ridge',
  ENAS_TRIAL_ACK_WAIT_MS: '1500',
  ENAS_TRAINER_TIME_SCALE: '0.0005',
  ENAS_REQUEST_TIMEOUT_MS: '5000',
  ENAS_LOG_LEVEL: 'debug',
};

export class ServiceProcess {
  output = '';
  readonly exited: Promise<number | null>;
  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    child.stdout!.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (this.output += d.toString()));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  /** Lines of its JSON log with this message. */
  count(msg: string): number {
    return this.output.split('\n').filter((l) => l.includes(`"msg":"${msg}"`)).length;
  }

  /** Resolves at its "<name> ready" log line; rejects if it exits first or takes longer than `timeoutMs`. */
  ready(timeoutMs = 90_000, context: () => string = () => ''): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name} did not become ready in ${timeoutMs / 1000} s:\n${this.output}\n${context()}`)), timeoutMs);
      const check = () => {
        if (this.output.includes(`"msg":"${this.name} ready"`)) {
          clearTimeout(timer);
          resolve();
        }
      };
      this.child.stdout!.on('data', check);
      check();
      this.child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${this.name} exited with ${code} before it was ready:\n${this.output}`));
      });
    });
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill(signal);
    await this.exited;
  }
}

/**
 * How the services log in to nats-server: as the per-service users with the permissions the
 * chart ships (natsAuthorizationConf), by password or by NKey; `none` only where a test is about
 * something else than NATS (there is no such test in the cluster suites).
 */
export type ClusterAuth = 'passwords' | 'nkeys' | 'none';

/** The generated per-service users, and an observer (all subjects) for the tests' own reads. */
class ClusterUsers {
  private readonly passwords = Object.fromEntries(SERVICE_NAMES.map((s) => [s, randomBytes(18).toString('hex')])) as Record<ServiceName, string>;
  private readonly nkeys = Object.fromEntries(SERVICE_NAMES.map((s) => [s, nkeys.createUser()])) as Record<ServiceName, ReturnType<typeof nkeys.createUser>>;
  private readonly observerPassword = randomBytes(18).toString('hex');
  private readonly dir = mkdtempSync(join(tmpdir(), 'enas-cluster-users-'));

  constructor(readonly auth: ClusterAuth) {}

  config(): string | undefined {
    if (this.auth === 'none') return undefined;
    const observer = `    {
      user: "observer"
      password: ${JSON.stringify(this.observerPassword)}
      permissions: { publish: { allow: [">"] }, subscribe: { allow: [">"] } }
    }`;
    return natsAuthorizationConf((s) => (this.auth === 'nkeys' ? { nkey: this.nkeys[s].getPublicKey() } : JSON.stringify(this.passwords[s])), SERVICE_NAMES, [observer]);
  }

  /** The environment a service logs in with. */
  env(service: ServiceName): Record<string, string> {
    if (this.auth === 'none') return { NATS_USER: '', NATS_PASSWORD: '' };
    if (this.auth === 'passwords') return { NATS_USER: service, NATS_PASSWORD: this.passwords[service] };
    const file = join(this.dir, `${service}.nk`);
    writeFileSync(file, this.nkeys[service].getSeed(), { mode: 0o600 });
    return { NATS_USER: '', NATS_PASSWORD: '', NATS_NKEY_SEED_FILE: file };
  }

  /** Client options of a service's user (a test acting as that service), or of the observer. */
  login(as: ServiceName | 'observer'): Partial<ConnectionOptions> {
    if (this.auth === 'none') return {};
    if (as === 'observer') return { user: 'observer', pass: this.observerPassword };
    const inbox = { inboxPrefix: inboxPrefix(as) };
    return this.auth === 'passwords' ? { user: as, pass: this.passwords[as], ...inbox } : { authenticator: nkeyAuthenticator(this.nkeys[as].getSeed()), ...inbox };
  }
}

/**
 * A nats-server and the services around it, each a real child process started through `enas
 * serve`, logging in as their own users under the shipped least-privilege permissions.
 */
export class Cluster {
  readonly services: ServiceProcess[] = [];
  private nc: NatsConnection | null = null;

  private constructor(
    readonly nats: NatsServerProcess,
    readonly apiPort: number,
    readonly users: ClusterUsers,
  ) {}

  static async start(auth: ClusterAuth = 'passwords'): Promise<Cluster> {
    const users = new ClusterUsers(auth);
    const config = users.config();
    return new Cluster(await NatsServerProcess.start(config === undefined ? {} : { config }), await freePort(), users);
  }

  /** Publish and subscribe permission violations nats-server has logged. */
  violations(): string[] {
    return this.nats.output.split('\n').filter((l) => / - (Publish|Subscription) Violation - /.test(l));
  }

  /** A connection as one service's user (the test acting as that service). */
  async connectAs(service: ServiceName): Promise<NatsConnection> {
    return connect({ servers: this.nats.url, maxReconnectAttempts: 0, reconnect: false, ...this.users.login(service) });
  }

  get api(): string {
    return `http://127.0.0.1:${this.apiPort}`;
  }

  async serve(service: 'orchestrator' | 'trainer' | 'predictor' | 'encoder', env: Record<string, string> = {}): Promise<ServiceProcess> {
    // A restarted orchestrator takes its fixed API port again; another process of a test running
    // beside this one (nx runs projects in parallel) may hold it for a moment: try again then.
    for (let attempt = 1; ; attempt++) {
      const child = spawn(process.execPath, ['-r', './tools/register.cjs', 'apps/cli/src/main.ts', 'serve', service, '--nats', this.nats.url], {
        cwd: ROOT,
        env: { ...process.env, ...TEST_ENV, ...this.users.env(service), ENAS_HTTP_PORT: service === 'orchestrator' ? String(this.apiPort) : '0', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const p = new ServiceProcess(service, child);
      this.services.push(p);
      try {
        await p.ready(60_000);
        return p;
      } catch (error) {
        if (attempt >= 10 || !p.output.includes('EADDRINUSE')) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  async connection(): Promise<NatsConnection> {
    this.nc ??= await connect({ servers: this.nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 200, ...this.users.login('observer') });
    return this.nc;
  }

  async events(id: string): Promise<ExperimentEvent[]> {
    const log = await EventLog.open(await this.connection(), null);
    return (await log.readAll(id)).map((e) => e.event);
  }

  async submit(spec: Partial<ExperimentSpec>): Promise<string> {
    const res = await fetch(`${this.api}/experiments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ apiVersion: 'enas/v1', kind: 'Experiment', ...spec }) });
    const body = (await res.json()) as { id: string };
    if (res.status !== 201) throw new Error(`submit failed (${res.status}): ${JSON.stringify(body)}`);
    return body.id;
  }

  /** The experiment, or null while the orchestrator is unreachable (killed, restarting). */
  async detail(id: string): Promise<ExperimentDetail | null> {
    try {
      const res = await fetch(`${this.api}/experiments/${id}`);
      return res.ok ? decode(ExperimentDetail, await res.json(), 'detail') : null;
    } catch {
      return null;
    }
  }

  async waitFor(id: string, done: (x: ExperimentDetail) => boolean, timeoutMs = 60_000): Promise<ExperimentDetail> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const x = await this.detail(id);
      if (x && done(x)) return x;
      if (Date.now() > end) throw new Error(`experiment ${id} did not get there in ${timeoutMs} ms; last seen ${JSON.stringify(x && { status: x.status, done: x.queriesDone })}\n${this.logs()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  logs(): string {
    return this.services.map((s) => `--- ${s.name} (pid ${s.child.pid})\n${s.output.split('\n').slice(-15).join('\n')}`).join('\n');
  }

  async dispose(): Promise<void> {
    await Promise.all(this.services.map((s) => s.kill('SIGKILL')));
    await this.nc?.close();
    await this.nats.dispose();
  }
}

/** A small GNN for tests: the services get it through ENAS_GNN_CONFIG, the embedded run directly. */
export const SMALL_GNN: ConfigOverrides = {
  encoder: { hidden: 16, layers: 2 },
  pretrain: { epochs: 1, sampleSize: 256, batchSize: 64 },
  finetune: { epochs: 4, refreshEpochs: 2, patience: 4, batchSize: 32, headHidden: 8, minEpochs: 2 },
};

/**
 * The same experiment through the embedded loop (`enas search`), with the predictor in-process:
 * the ridge engine, or the GNN (libs/predictor's embedded predictors) with `gnn` patches.
 */
export async function embedded(
  spec: Pick<ExperimentSpec, 'space' | 'dataset' | 'strategy' | 'seed' | 'queries' | 'batchSize' | 'ecg'>,
  gnn?: ConfigOverrides,
): Promise<EvaluatorSearchOutcome> {
  const problem = problemFor(spec.space);
  const { evaluator } = await problem.open(spec.dataset, { dataDir: resolveDataDir(), ...(spec.ecg ? { ecg: spec.ecg } : {}) });
  const strategy = createStrategy(spec.strategy, {
    space: evaluator.space,
    rng: Rng.seeded(spec.seed),
    seed: spec.seed,
    budget: spec.queries,
    predictors: gnn ? gnnInProcess(evaluator.space, { config: gnn, cacheDir: null, pretrainSeed: 0 }) : inProcessPredictors(ridgeEngine, spaceByName),
    nInit: problem.nInit,
  });
  return searchWithEvaluator({ evaluator, dataset: spec.dataset, strategy, queries: spec.queries, batchSize: spec.batchSize });
}
