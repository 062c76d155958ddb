/**
 * The platform's cost per trial of a user's trial command run **through trainer workers**
 * (cluster mode), beside the embedded figures of tools/bench/trial-latency.ts. Starts its own
 * nats-server (JetStream, the shipped per-service users and permissions, by password), an
 * orchestrator and trainer workers (`enas serve`, real processes, ENAS_TRIAL_ROOT set), submits
 * experiments with `POST /experiments` and reads the figures afterwards from stream ENAS_EVENTS.
 * No predictor or encoder service runs: strategy `random` never asks one.
 *
 * The same no-op bash command as the embedded tool records its own clock as metrics `t0`/`t1`
 * (microseconds). Per trial (all on this machine's realtime clock):
 *   proposed  = when JetStream stored the `proposed` event (the event carries no time of its own:
 *               its stream timestamp, nanoseconds, nats-server's clock).
 *   published = when this benchmark's observer connection received the trial request the
 *               orchestrator published on the work queue (a plain subscription to
 *               enas.v1.trials.>; the request is gone from the stream once acknowledged).
 *   spawn     = the result's `at` minus `trainSeconds` (the runner's spawn point, as embedded).
 *   at        = the trainer's stamp on the result, before it appends it (ms, taken +0.5).
 *   stored    = when JetStream stored the result event (its stream timestamp).
 * Runs: batchSize 1 with one trainer of one slot (the full cycle orchestrator -> NATS -> trainer
 * -> NATS -> orchestrator, one trial at a time), batchSize 8 with 8 slots (ENAS_TRAINER_CONCURRENCY
 * 8 on one trainer, or --trainers N processes of 8 / N), and batchSize 8 with trials that sleep.
 * Each run follows a warm-up experiment of --warmup queries on the same services (not counted).
 * Just before each, the same spec runs embedded (`enas search --spec`, trial.parallel = batchSize,
 * read from its journal as trial-latency.ts does), so that both runners are seen under one load.
 *
 *   npm run -s tool -- tools/bench/trial-latency-cluster.ts [--queries 200] [--trainers 1] [--sleep 0.5] [--warmup 10] [--out DIR]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { NatsServerProcess, SERVICE_NAMES, freePort, natsAuthorizationConf, type ServiceName } from '@dcl-enas/cluster';
import { ExperimentEvent, STREAMS, SUBJECTS, decode } from '@dcl-enas/contracts';
import { concurrency, flag, ms, p50p99, quantile } from './latency-stats';

const root = resolve(__dirname, '..', '..');
const queries = Number(flag('queries', '200'));
const trainersP8 = Number(flag('trainers', '1'));
const sleepSeconds = Number(flag('sleep', '0.5'));
const warmup = Number(flag('warmup', '10'));
const out = resolve(flag('out', mkdtempSync(join(tmpdir(), 'enas-trial-latency-cluster-'))));
const BATCH = 8;
if (!Number.isInteger(queries) || queries < 2) throw new Error('--queries: an integer of at least 2');
if (!Number.isInteger(trainersP8) || trainersP8 < 1 || BATCH % trainersP8 !== 0) throw new Error(`--trainers: 1, 2, 4 or 8 (processes sharing the ${BATCH} slots)`);
if (!(sleepSeconds >= 0)) throw new Error('--sleep: seconds, 0 to skip the sleeping run');
if (!Number.isInteger(warmup) || warmup < 0) throw new Error('--warmup: an integer of at least 0');

/** The embedded tool's no-op bash command ($EPOCHREALTIME: a builtin, no fork). */
function command(sleep: number): string[] {
  return ['bash', '-c', 't0=$EPOCHREALTIME; ' + (sleep > 0 ? `sleep ${sleep}; ` : '') + 'echo "enas-result {\\"score\\": $RANDOM, \\"t0\\": ${t0/./}, \\"t1\\": ${EPOCHREALTIME/./}}"'];
}

interface Run {
  readonly name: string;
  readonly batch: number;
  readonly trainers: number;
  readonly slots: number;
  readonly sleep: number;
}
const runs: Run[] = [
  { name: 'noop-b1', batch: 1, trainers: 1, slots: 1, sleep: 0 },
  { name: 'noop-b8', batch: BATCH, trainers: trainersP8, slots: BATCH / trainersP8, sleep: 0 },
  ...(sleepSeconds > 0 ? [{ name: 'sleep-b8', batch: BATCH, trainers: trainersP8, slots: BATCH / trainersP8, sleep: sleepSeconds }] : []),
];

const nowMs = () => performance.timeOrigin + performance.now();

/** Every process this benchmark starts, so that none outlives it. */
const children = new Set<ChildProcess>();
/** The services' logs, for the message when something fails. */
const logs = new Map<string, () => string>();
let nats: NatsServerProcess | null = null;
/** Set once cleaning up has begun: nothing new is started after it. */
let stopping = false;

/** Spawns a process of this benchmark in a process group of its own (none once it is stopping). */
function start(file: string, args: readonly string[], options: Parameters<typeof spawn>[2]): ChildProcess {
  if (stopping) throw new Error('stopping: no new process started');
  const child = spawn(file, args, { ...options, detached: true });
  children.add(child);
  return child;
}

/** Signals the child's whole process group (what it started and left in its group too). */
function signal(c: ChildProcess, sig: NodeJS.Signals): void {
  try {
    process.kill(-c.pid!, sig);
  } catch {
    // the group is gone already
  }
}

async function stopChild(c: ChildProcess): Promise<void> {
  if (c.exitCode === null && c.signalCode === null) {
    const exited = new Promise((r) => c.once('exit', r));
    signal(c, 'SIGTERM');
    const timer = setTimeout(() => signal(c, 'SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  children.delete(c);
}

async function cleanup(): Promise<void> {
  stopping = true;
  await Promise.all([...children].map(stopChild));
  await nats?.dispose();
  nats = null;
}
for (const name of ['SIGINT', 'SIGTERM'] as const) {
  process.once(name, () => {
    process.stderr.write(`\n${name}: stopping the processes this benchmark started\n`);
    void cleanup().finally(() => process.exit(130));
  });
}
process.once('exit', () => children.forEach((c) => signal(c, 'SIGKILL')));

const passwords = Object.fromEntries(SERVICE_NAMES.map((s) => [s, randomBytes(18).toString('hex')])) as Record<ServiceName, string>;
const observerPassword = randomBytes(18).toString('hex');

/** `enas serve SERVICE`, resolved at its "SERVICE ready" log line. */
async function serve(service: 'orchestrator' | 'trainer', env: Record<string, string>): Promise<ChildProcess> {
  const child = start(process.execPath, ['-r', './tools/register.cjs', 'apps/cli/src/main.ts', 'serve', service, '--nats', nats!.url], {
    cwd: root,
    env: { ...process.env, ENAS_LOG_LEVEL: 'info', ENAS_HTTP_PORT: '0', NATS_USER: service, NATS_PASSWORD: passwords[service], ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  logs.set(`${service} (pid ${child.pid})`, () => output.split('\n').slice(-12).join('\n'));
  await new Promise<void>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`${service} not ready in 90 s:\n${output}`)), 90_000);
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      output += d.toString();
      if (output.includes(`"msg":"${service} ready"`)) {
        clearTimeout(timer);
        done();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`${service} exited with ${code} before it was ready:\n${output}`));
    });
  });
  child.stdout!.resume();
  child.stderr!.resume();
  return child;
}

interface Stored {
  readonly event: ExperimentEvent;
  /** JetStream's timestamp, ms since the epoch (from nanoseconds) */
  readonly stored: number;
}

/** The experiment's events as stored, with their stream timestamps (an ordered consumer, read to the end). */
async function readEvents(nc: NatsConnection, id: string): Promise<Stored[]> {
  const consumer = await nc.jetstream().consumers.get(STREAMS.events, { filterSubjects: SUBJECTS.events(id) });
  const messages = await consumer.consume();
  const events: Stored[] = [];
  for await (const m of messages) {
    events.push({ event: decode(ExperimentEvent, JSON.parse(new TextDecoder().decode(m.data)), m.subject), stored: m.info.timestampNanos / 1e6 });
    if (m.info.pending === 0) break;
  }
  await messages.close();
  return events;
}

interface Trial {
  readonly index: number;
  readonly batch: number;
  /** NaN for the embedded runner (its journal's `proposed` carries no time) */
  readonly proposed: number;
  readonly published: number;
  readonly spawn: number;
  readonly t0: number;
  readonly t1: number;
  readonly at: number;
  readonly stored: number;
  readonly trainer: string;
}

interface Measured {
  readonly run: Run;
  readonly runner: 'embedded' | 'cluster';
  readonly trials: Trial[];
  readonly failed: number;
  readonly duplicates: number;
  /** per batch: its last result stored -> the next batch's `proposed` stored */
  readonly turnaround: number[];
  readonly wallSeconds: number;
  readonly load: [number, number];
}

/** The trials of a run from its events; `stored` NaN and `published` NaN where the runner has none (embedded). */
function fromEvents(events: readonly Stored[], published: (index: number) => number): Pick<Measured, 'trials' | 'failed' | 'duplicates' | 'turnaround'> {
  const proposedAt = new Map<number, number>();
  const batchOf = new Map<number, number>();
  for (const { event: e, stored } of events) {
    if (e.type !== 'proposed') continue;
    proposedAt.set(e.batch, stored);
    for (const t of e.trials) batchOf.set(t.index, e.batch);
  }
  const trials: Trial[] = [];
  const seen = new Set<number>();
  let failed = 0;
  let duplicates = 0;
  for (const { event: e, stored } of events) {
    if (e.type !== 'result') continue;
    if (seen.has(e.index)) {
      duplicates++;
      continue;
    }
    seen.add(e.index);
    const m = e.outcome?.metrics;
    if (!e.outcome || !m || m['t0'] === undefined || m['t1'] === undefined || e.outcome.trainSeconds === null) {
      failed++;
      continue;
    }
    // `at` is the ISO time cut to the millisecond: the middle of its millisecond, +-0.5 ms
    const at = Date.parse(e.at) + 0.5;
    const batch = batchOf.get(e.index)!;
    trials.push({ index: e.index, batch, proposed: proposedAt.get(batch)!, published: published(e.index), spawn: at - e.outcome.trainSeconds * 1000, t0: m['t0'] / 1000, t1: m['t1'] / 1000, at, stored, trainer: e.trainer });
  }
  trials.sort((a, b) => a.at - b.at || a.index - b.index);
  const lastStored = new Map<number, number>();
  for (const t of trials) lastStored.set(t.batch, Math.max(lastStored.get(t.batch) ?? 0, t.stored));
  const turnaround = [...lastStored.entries()].filter(([b]) => proposedAt.has(b + 1)).map(([b, last]) => proposedAt.get(b + 1)! - last);
  return { trials, failed, duplicates, turnaround };
}

class Session {
  /** when the observer saw each trial request (subject -> ms) */
  readonly published = new Map<string, number>();
  private readonly ended = new Map<string, (status: string, reason?: string) => void>();

  constructor(
    readonly nc: NatsConnection,
    readonly api: string,
  ) {
    nc.subscribe(SUBJECTS.allTrials, { callback: (_e, m) => void (this.published.has(m.subject) || this.published.set(m.subject, nowMs())) });
    nc.subscribe('enas.v1.events.*.ended', {
      callback: (_e, m) => {
        const e = JSON.parse(new TextDecoder().decode(m.data)) as { status: string; reason?: string };
        this.ended.get(m.subject.split('.')[3])?.(e.status, e.reason);
      },
    });
  }

  /** Submits the spec and resolves when its `ended` event is published; throws unless it completed. */
  async experiment(spec: Record<string, unknown>, timeoutMs = 600_000): Promise<{ id: string; wallSeconds: number }> {
    const started = performance.now();
    const res = await fetch(`${this.api}/experiments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spec) });
    const body = (await res.json()) as { id?: string };
    if (res.status !== 201 || !body.id) throw new Error(`POST /experiments: ${res.status} ${JSON.stringify(body)}`);
    const id = body.id;
    const end = await new Promise<{ status: string; reason?: string }>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`experiment ${id} did not end in ${timeoutMs / 1000} s`)), timeoutMs);
      this.ended.set(id, (status, reason) => (clearTimeout(timer), done({ status, reason })));
    });
    const wallSeconds = (performance.now() - started) / 1000;
    if (end.status !== 'completed') throw new Error(`experiment ${id} ${end.status}: ${end.reason ?? ''}`);
    return { id, wallSeconds };
  }
}

function spec(run: Run, name: string, n: number): Record<string, unknown> {
  return {
    apiVersion: 'enas/v1',
    kind: 'Experiment',
    name,
    space: { type: 'cell', name: 'noop-cell', nodes: 4, ops: ['none', 'skip', 'conv3', 'conv1', 'pool'] },
    dataset: 'synthetic',
    strategy: 'random',
    seed: 0,
    queries: n,
    batchSize: run.batch,
    trial: { command: command(run.sleep), parallel: run.batch, maxFailedTrials: n, timeoutSeconds: 60 },
    objective: { metric: 'score', goal: 'maximize' },
  };
}

/** The same spec through `enas search --spec` (one process, as trial-latency.ts runs it, less the npm wrapper), just before the cluster run. */
async function embedded(run: Run): Promise<Measured> {
  const dir = join(out, `embedded-${run.name}`);
  mkdirSync(dir, { recursive: true });
  const specFile = join(dir, 'spec.json');
  writeFileSync(specFile, JSON.stringify(spec(run, `latency-${run.name}`, queries), null, 2) + '\n');
  const before = loadavg()[0];
  const started = performance.now();
  // `npm run -s enas -- search ...` without npm (which would not pass a signal on to it); not
  // spawnSync: this process's event loop keeps serving its NATS and HTTP connections meanwhile
  const child = start(process.execPath, ['-r', './tools/register.cjs', 'apps/cli/src/main.ts', 'search', '--spec', specFile, '--out', join(dir, 'run'), '--json'], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((done) => child.once('exit', done));
  children.delete(child);
  const wallSeconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`embedded ${run.name}: search exited with ${code}: ${stderr.trim().split('\n').pop()}`);
  const events = readFileSync(join(dir, 'run', 'events.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => ({ event: decode(ExperimentEvent, JSON.parse(l), 'journal line'), stored: Number.NaN }));
  return { run, runner: 'embedded', ...fromEvents(events, () => Number.NaN), wallSeconds, load: [before, loadavg()[0]] };
}

async function measure(s: Session, run: Run): Promise<Measured> {
  if (warmup > 0) await s.experiment(spec(run, `warmup-${run.name}`, warmup));
  const before = loadavg()[0];
  const { id, wallSeconds } = await s.experiment(spec(run, `latency-${run.name}`, queries));
  const load: [number, number] = [before, loadavg()[0]];
  const events = await readEvents(s.nc, id);
  return { run, runner: 'cluster', ...fromEvents(events, (index) => s.published.get(SUBJECTS.trial(id, index)) ?? Number.NaN), wallSeconds, load };
}



function report(results: Measured[], meta: { startedAt: Date; uptimeBefore: string; uptimeAfter: string }): string {
  const runner = (m: Measured) => (m.runner === 'embedded' ? `embedded, parallel ${m.run.batch}` : `cluster, ${m.run.trainers} trainer${m.run.trainers > 1 ? 's' : ''} x ${m.run.slots} slot${m.run.slots > 1 ? 's' : ''}`);
  const count = (m: Measured) => `${m.trials.length}${m.failed ? ` (+${m.failed} failed)` : ''}${m.duplicates ? ` (+${m.duplicates} duplicate results)` : ''}`;
  const lines = [
    '| bash no-op | batchSize | trials | proposal -> result | proposal -> trial published | published -> spawn | spawn -> t0 | t1 -> result | result -> stored | result -> next spawn | last stored -> next proposal | result spacing | trials / s | run (s) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const m of results.filter((x) => x.run.sleep === 0)) {
    const t = m.trials;
    const serial = m.run.batch === 1;
    const rate = (t.length - 1) / ((t[t.length - 1].at - t[0].at) / 1000);
    const gap = serial ? p50p99(t.slice(1).map((x, i) => x.spawn - t[i].at)) : '–';
    const spacing = serial ? p50p99(t.slice(1).map((x, i) => x.at - t[i].at)) : '–';
    lines.push(
      `| ${runner(m)} | ${m.run.batch} | ${count(m)} | ${p50p99(t.map((x) => x.at - x.proposed))} | ${p50p99(t.map((x) => x.published - x.proposed))} | ${p50p99(t.map((x) => x.spawn - x.published))} | ${p50p99(t.map((x) => x.t0 - x.spawn))} | ${p50p99(t.map((x) => x.at - x.t1))} | ${p50p99(t.map((x) => x.stored - x.at))} | ${gap} | ${p50p99(m.turnaround)} | ${spacing} | ${rate.toFixed(1)} | ${m.wallSeconds.toFixed(1)} |`,
    );
  }
  lines.push(
    '',
    `| bash, batchSize ${BATCH} | trials | wall, first spawn to last result (s) | trials / s | ideal (slots / sleep) | of ideal | commands running (t0..t1), mean | time with all running | slots occupied (spawn..result), mean | most occupied at once | a batch's requests published over, p50 | a batch's spawns spread over, p50 | last result -> next batch's first spawn, p50 / p99 |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const m of results.filter((x) => x.run.batch > 1)) {
    const t = m.trials;
    const P = m.run.batch;
    const slots = concurrency(t.map((x) => [x.spawn, x.at]), P);
    const commands = m.run.sleep > 0 ? concurrency(t.map((x) => [x.t0, x.t1]), P) : null;
    const wall = (Math.max(...t.map((x) => x.at)) - Math.min(...t.map((x) => x.spawn))) / 1000;
    const rate = t.length / wall;
    const ideal = m.run.sleep > 0 ? P / m.run.sleep : Number.NaN;
    const byBatch = new Map<number, Trial[]>();
    for (const x of t) byBatch.set(x.batch, [...(byBatch.get(x.batch) ?? []), x]);
    const batches = [...byBatch.entries()].sort((x, y) => x[0] - y[0]).map((e) => e[1]);
    const spread = (f: (x: Trial) => number) => batches.map((b) => Math.max(...b.map(f)) - Math.min(...b.map(f)));
    const turnaround = batches.slice(1).map((b, i) => Math.min(...b.map((x) => x.spawn)) - Math.max(...batches[i].map((x) => x.at)));
    const used = new Set(t.map((x) => x.trainer)).size;
    lines.push(
      `| ${m.run.sleep > 0 ? `sleep ${m.run.sleep} s` : 'no-op'}, ${runner(m)}${m.runner === 'cluster' && used !== m.run.trainers ? ` (${used} used)` : ''} | ${count(m)} | ${wall.toFixed(2)} | ${rate.toFixed(2)} | ${Number.isNaN(ideal) ? '–' : ideal.toFixed(0)} | ${Number.isNaN(ideal) ? '–' : `${((100 * rate) / ideal).toFixed(1)} %`} | ${commands ? commands.mean.toFixed(2) : '–'} | ${commands ? `${(100 * commands.full).toFixed(1)} %` : '–'} | ${slots.mean.toFixed(2)} | ${slots.most} | ${m.runner === 'cluster' ? `${ms(quantile(spread((x) => x.published), 0.5))} ms` : '–'} | ${ms(quantile(spread((x) => x.spawn), 0.5))} ms | ${p50p99(turnaround)} ms |`,
    );
  }
  const loads = results.flatMap((r) => r.load);
  lines.push(
    '',
    `Times in ms, p50 / p99 (linear interpolation) over each run's trials; ${queries} queries per run, strategy random, space {type: cell, name: noop-cell, nodes: 4, ops: [none, skip, conv3, conv1, pool]}, dataset synthetic. Each cluster run follows a warm-up experiment of ${warmup} queries on the same services; the embedded run of the same spec (\`enas search --spec\`, trial.parallel = batchSize) runs just before it, while the services wait idle.`,
    `"proposal": when JetStream stored the \`proposed\` event (its stream timestamp); "trial published": when this benchmark's observer connection received the trial request; "stored": when JetStream stored the result; a result's \`at\` (the runner's stamp) +-0.5 ms, the spawn point (\`at\` - \`trainSeconds\`) +-1 ms. "run (s)": embedded, the whole search process; cluster, POST /experiments to its \`ended\` event.`,
    `One nats-server ${/Version:\s+(\S+)/.exec(nats!.output)?.[1] ?? '(version not logged)'} with JetStream (file store), per-service users by password; one orchestrator; trainers as listed (ENAS_TRAINER_CONCURRENCY = slots); every service a process of \`enas serve\`; no predictor or encoder service (strategy random asks none).`,
    `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}; started ${meta.startedAt.toISOString()}.`,
    `uptime before: ${meta.uptimeBefore}`,
    `uptime after:  ${meta.uptimeAfter}`,
    `1-minute load average at the start and end of each measured run: ${Math.min(...loads).toFixed(2)} to ${Math.max(...loads).toFixed(2)}.`,
    `Run and trial directories: ${out}`,
    '',
    `Trial command (argv): ${JSON.stringify(command(0))}${sleepSeconds > 0 ? `; sleeping: ${JSON.stringify(command(sleepSeconds))}` : ''}`,
    '',
    `Reproduce: npm run -s tool -- tools/bench/trial-latency-cluster.ts --queries ${queries} --trainers ${trainersP8} --sleep ${sleepSeconds} --warmup ${warmup}`,
  );
  return lines.join('\n') + '\n';
}

async function main(): Promise<void> {
  mkdirSync(out, { recursive: true });
  const startedAt = new Date();
  const uptimeBefore = spawnSync('uptime', { encoding: 'utf8' }).stdout.trim();
  const observer = `    {\n      user: "observer"\n      password: ${JSON.stringify(observerPassword)}\n      permissions: { publish: { allow: [">"] }, subscribe: { allow: [">"] } }\n    }`;
  nats = await NatsServerProcess.start({ config: natsAuthorizationConf((s) => JSON.stringify(passwords[s]), SERVICE_NAMES, [observer]) });
  const apiPort = await freePort();
  await serve('orchestrator', { ENAS_HTTP_PORT: String(apiPort) });
  const nc = await connect({ servers: nats.url, user: 'observer', pass: observerPassword });
  try {
    const session = new Session(nc, `http://127.0.0.1:${apiPort}`);
    await nc.flush(); // the observer's subscriptions are in place before anything is published
    const results: Measured[] = [];
    let trainers = null as { key: string; procs: ChildProcess[] } | null;
    for (const run of runs) {
      const key = `${run.trainers}x${run.slots}`;
      if (trainers?.key !== key) {
        await Promise.all(trainers?.procs.map(stopChild) ?? []);
        const env: Record<string, string> = { ENAS_TRIAL_ROOT: join(out, `trainers-${key}`), ENAS_TRAINER_CONCURRENCY: String(run.slots) };
        trainers = { key, procs: await Promise.all(Array.from({ length: run.trainers }, () => serve('trainer', env))) };
      }
      process.stderr.write(`${run.name}: ${queries} trials, batchSize ${run.batch}: embedded...`);
      const e = await embedded(run);
      process.stderr.write(` ${e.wallSeconds.toFixed(1)} s (load ${e.load[0].toFixed(2)} -> ${e.load[1].toFixed(2)}); cluster, ${key} trainer slots...`);
      const m = await measure(session, run);
      process.stderr.write(` ${m.wallSeconds.toFixed(1)} s (load ${m.load[0].toFixed(2)} -> ${m.load[1].toFixed(2)})\n`);
      results.push(e, m);
    }
    const uptimeAfter = spawnSync('uptime', { encoding: 'utf8' }).stdout.trim();
    process.stdout.write(report(results, { startedAt, uptimeBefore, uptimeAfter }));
  } finally {
    await nc.close();
    await cleanup();
  }
}

main().catch(async (e: unknown) => {
  if (!stopping) process.stderr.write(`${(e as Error).stack ?? String(e)}\n${[...logs].map(([name, tail]) => `--- ${name}\n${tail()}`).join('\n')}\n`);
  await cleanup();
  process.exit(1);
});
