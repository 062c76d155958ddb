/**
 * Cluster benchmark (issue 5): trials per second through the JetStream work queue with 1 and 4
 * tabular trainers, and the latency of ranking 1,000 candidates through the predictor service.
 * Starts its own nats-server and services (real processes through `enas serve`).
 *
 *   npm run -s tool -- tools/bench/cluster-throughput.ts [--trials 2000] [--ranks 200] [--out docs/results/cluster.md]
 */
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { ClientProxyFactory, Transport } from '@nestjs/microservices';
import { Rng } from '@dcl-enas/common';
import { EventLog, NatsServerProcess, RpcClient, TrialQueue, connectNats, ensureJetStream } from '@dcl-enas/cluster';
import { FitReply, RankReply, SUBJECTS } from '@dcl-enas/contracts';
import { nb201Space } from '@dcl-enas/spaces';

const ROOT = join(__dirname, '..', '..');
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const TRIALS = Number(arg('trials', '2000'));
const RANKS = Number(arg('ranks', '200'));
const GNN_RANKS = Number(arg('gnn-ranks', '100'));
const OUT = arg('out', '');

/** The TensorFlow.js backend the GNN services chose (they log it at start-up). */
let tfBackend = 'not logged';

async function serve(natsUrl: string, service: string, env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-r', './tools/register.cjs', 'apps/cli/src/main.ts', 'serve', service, '--nats', natsUrl], {
    cwd: ROOT,
    env: { ...process.env, ENAS_HTTP_PORT: '0', ENAS_LOG_LEVEL: 'info', ENAS_PREDICTOR_ENGINE: 'ridge', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr!.on('data', (d: Buffer) => {
    process.stderr.write(d);
    const backend = /tfjs backend: (\S+)/.exec(d.toString())?.[1];
    if (backend) tfBackend = backend;
  });
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${service} not ready in 60 s`)), 60_000);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes(`"msg":"${service} ready"`)) {
        clearTimeout(t);
        resolve();
      }
    });
  });
  return child;
}

const kill = async (c: ChildProcess) => {
  if (c.exitCode !== null) return;
  await new Promise((r) => {
    c.once('exit', r);
    c.kill('SIGTERM');
  });
};

function distinctArchs(n: number, seed: number): string[] {
  const rng = Rng.seeded(seed);
  const seen = new Map<string, string>();
  while (seen.size < n) {
    const a = nb201Space.sample(rng);
    seen.set(nb201Space.key(a), nb201Space.format(a));
  }
  return [...seen.values()];
}

async function throughput(natsUrl: string, log: EventLog, queue: TrialQueue, trainers: number, timeScale: number, trials: number): Promise<number> {
  const procs = await Promise.all(Array.from({ length: trainers }, () => serve(natsUrl, 'trainer', { ENAS_TRAINER_TIME_SCALE: String(timeScale) })));
  try {
    const run = async (id: string, n: number, seed: number) => {
      const archs = distinctArchs(n, seed);
      let results = 0;
      let done!: () => void;
      const all = new Promise<void>((r) => (done = r));
      const follower = await log.follow(id, (e) => {
        if (e.event.type === 'result' && ++results === n) done();
      });
      await follower.caughtUp;
      const started = performance.now();
      await queue.dispatch(
        archs.map((arch, index) => ({ experimentId: id, index, space: 'nb201', dataset: 'cifar10', arch, key: nb201Space.key(nb201Space.parse(arch)), token: randomBytes(16).toString('hex') })),
        false,
      );
      await all;
      const seconds = (performance.now() - started) / 1000;
      await follower.stop();
      return n / seconds;
    };
    await run(`bench-warm-${trainers}-${Date.now()}`, 20 * trainers, 1); // every trainer loads the table
    return await run(`bench-${trainers}-${String(timeScale).replace(".", "_")}-${Date.now()}`, trials, 2);
  } finally {
    await Promise.all(procs.map(kill));
  }
}

interface RankFigures {
  readonly engine: string;
  readonly variant: string;
  readonly ranks: number;
  readonly fitSeconds: number;
  readonly p50: number;
  readonly p99: number;
  readonly mean: number;
}

/**
 * Latency of ranking 1,000 candidates, one request at a time. The GNN is measured with the
 * no-pretrain variant: it scores with the same network as dcl (default sizes) but skips the
 * minutes of stage-1 pre-training, which ranking latency does not depend on.
 */
async function rankLatency(natsUrl: string, engine: 'ridge' | 'gnn', ranks: number): Promise<RankFigures> {
  const variant = engine === 'gnn' ? 'no-pretrain' : 'dcl';
  const env = { ENAS_PREDICTOR_ENGINE: engine, ENAS_REQUEST_TIMEOUT_MS: '600000' };
  const procs = await Promise.all([serve(natsUrl, 'predictor', env), serve(natsUrl, 'encoder', env)]);
  const rpc = new RpcClient(ClientProxyFactory.create({ transport: Transport.NATS, options: { servers: [natsUrl] } }), 600_000);
  try {
    const rng = Rng.seeded(5);
    const labelled = distinctArchs(100, 4).map((arch, i) => ({ arch, key: nb201Space.key(nb201Space.parse(arch)), valAcc: 60 + (i % 17) + rng.float() }));
    const session = { id: `bench-rank-${engine}-${Date.now()}`, space: 'nb201', variant, seed: 0 };
    const fitStarted = performance.now();
    const { model } = await rpc.request(SUBJECTS.predictorFit, { session, version: 1, previous: null, observations: { inline: labelled } }, FitReply);
    const fitSeconds = (performance.now() - fitStarted) / 1000;
    const pools = Array.from({ length: 5 }, (_, i) => distinctArchs(1000, 100 + i));
    const times: number[] = [];
    for (let i = 0; i < ranks + 10; i++) {
      const started = performance.now();
      const reply = await rpc.request(SUBJECTS.predictorRank, { session, model, archs: { inline: pools[i % pools.length] } }, RankReply);
      const ms = performance.now() - started;
      if (!('inline' in reply.scores) || reply.scores.inline.length !== 1000) throw new Error('expected 1,000 scores inline');
      if (i >= 10) times.push(ms); // the first ones load the model and warm up
    }
    times.sort((a, b) => a - b);
    const q = (p: number) => times[Math.min(times.length - 1, Math.ceil(p * times.length) - 1)];
    return { engine, variant, ranks, fitSeconds, p50: q(0.5), p99: q(0.99), mean: times.reduce((s, t) => s + t, 0) / times.length };
  } finally {
    await rpc.close();
    await Promise.all(procs.map(kill));
  }
}

async function main(): Promise<void> {
  const loadBefore = loadavg()[0];
  const server = await NatsServerProcess.start();
  const nc = await connectNats({ servers: [server.url], auth: { kind: 'none' }, tls: null }, 'bench');
  try {
    await ensureJetStream(nc, { replicas: 1, maxMessageBytes: 262144 });
    const log = await EventLog.open(nc, null);
    const queue = await TrialQueue.open(nc, log);
    const rows: { trainers: number; timeScale: number; trials: number; perSecond: number }[] = [];
    for (const [trainers, timeScale, trials] of [
      [1, 0, TRIALS],
      [4, 0, TRIALS],
      [1, 0.0005, Math.max(50, Math.round(TRIALS / 20))],
      [4, 0.0005, Math.max(50, Math.round(TRIALS / 20))],
    ] as const) {
      const perSecond = await throughput(server.url, log, queue, trainers, timeScale, trials);
      rows.push({ trainers, timeScale, trials, perSecond });
      process.stderr.write(`${trainers} trainer(s), time scale ${timeScale}: ${perSecond.toFixed(1)} trials/s over ${trials} trials\n`);
    }
    const rank: RankFigures[] = [];
    for (const [engine, n] of [['ridge', RANKS], ['gnn', GNN_RANKS]] as const) {
      const r = await rankLatency(server.url, engine, n);
      rank.push(r);
      process.stderr.write(`rank 1,000 candidates (${engine}): p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms\n`);
    }
    const result = { date: new Date().toISOString(), load: [loadBefore, loadavg()[0]] as const, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version, rows, rank, tfBackend };
    process.stdout.write(JSON.stringify(result) + '\n');
    if (OUT) writeFileSync(OUT, report(result));
  } finally {
    await nc.close();
    await server.dispose();
  }
}

function ratio(r: { rows: { trainers: number; timeScale: number; perSecond: number }[] }, timeScale: number): string {
  const rate = (n: number) => r.rows.find((x) => x.trainers === n && x.timeScale === timeScale)!.perSecond;
  return `${(rate(4) / rate(1)).toFixed(2)} times`;
}

function report(r: { tfBackend: string; date: string; load: readonly [number, number]; cpus: number; cpuModel: string; node: string; rows: { trainers: number; timeScale: number; trials: number; perSecond: number }[]; rank: RankFigures[] }): string {
  const command = `npm run -s tool -- tools/bench/cluster-throughput.ts --trials ${TRIALS} --ranks ${RANKS} --gnn-ranks ${GNN_RANKS} --out ${OUT}`;
  const rows = r.rows.map((x) => `| ${x.trainers} | ${x.timeScale === 0 ? 'none (lookup only)' : `x${x.timeScale} (about 55 ms per trial)`} | ${x.trials} | ${x.perSecond.toFixed(1)} |`);
  return [
    '# Cluster mode: throughput and ranking latency',
    '',
    `Measured ${r.date.slice(0, 10)} on this development machine (${r.cpus} cores, ${r.cpuModel}, shared with other work: load average ${r.load[0].toFixed(1)} at the start, ${r.load[1].toFixed(1)} at the end; Node ${r.node}), one local nats-server 2.9 with JetStream on file storage; every service a separate process started with \`enas serve\`.`,
    '',
    '```sh',
    command,
    '```',
    '',
    '## Trials per second through the work queue',
    '',
    'NB201 CIFAR-10 trials published to `ENAS_TRIALS`; the clock runs from the first publish until the last result is stored in the event log. Each trial: a trainer fetches it, checks that the experiment has not ended and that no result is stored yet, evaluates it (table lookup), stores the result in `ENAS_EVENTS`, then acknowledges. With a time scale, each trial also takes its recorded 12-epoch training time times the scale (`ENAS_TRAINER_TIME_SCALE`), as a stand-in for real GPU training.',
    '',
    '| Trainers | Simulated training time | Trials | Trials per second |',
    '| ---: | --- | ---: | ---: |',
    ...rows,
    '',
    `Without simulated training time the figure is the queue round trip itself, bound by the machine's ${r.cpus} cores (trainers, nats-server and the benchmark share them): four trainers give ${ratio(r, 0)} the rate of one. With training time the trainers overlap: four give ${ratio(r, 0.0005)} the rate of one.`,
    '',
    '## Ranking 1,000 candidates',
    '',
    'One predictor service fitted on 100 labelled NB201 cells, then requests `enas.v1.predictor.rank` with 1,000 cells each (inline, about 100 KB), one at a time, timed at the client (NestJS ClientProxy over NATS, request to reply, validation and (de)serialisation included; the first ten are warm-up and not counted). `ridge` is the ridge-regression engine; `gnn` is the graph network of libs/predictor at its default size, measured with the `no-pretrain` variant, which scores with the same network as `dcl` but skips stage-1 pre-training (ranking latency does not depend on it).',
    '',
    '| Engine | Variant | Fit on 100 labels | Requests | p50 | p99 | mean |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ...r.rank.map((x) => `| ${x.engine} | ${x.variant} | ${x.fitSeconds.toFixed(1)} s | ${x.ranks} | ${x.p50.toFixed(1)} ms | ${x.p99.toFixed(1)} ms | ${x.mean.toFixed(1)} ms |`),
    '',
    `TensorFlow.js backend of the GNN services: ${r.tfBackend}.`,
    '',
    'Equivalence with embedded mode at full size (the default GNN, 100 queries): [cluster-equivalence.md](cluster-equivalence.md).',
    '',
  ].join('\n');
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
