import { readFileSync, readdirSync } from 'node:fs';
import { ClientProxyFactory, Transport } from '@nestjs/microservices';
import { Rng } from '@dcl-enas/common';
import { RpcClient } from '@dcl-enas/cluster';
import { FitReply, RankReply, SUBJECTS, type ExperimentSpec } from '@dcl-enas/contracts';
import { auditLog, foldLog, type LogAudit } from '@dcl-enas/search';
import { nb201Space } from '@dcl-enas/spaces';
import type { ConfigOverrides } from '@dcl-enas/predictor';
import { Cluster, embedded } from './cluster-harness';

/**
 * The load run of issue 9 (item 5), shared by the short test (cluster-load.test.ts) and the
 * benchmark (tools/bench/load.ts): many experiments submitted at once to one orchestrator, with
 * tabular trainers, a predictor (ridge engine) and an encoder, each a real process. Measures
 * trials per second (counted from the event logs), the latency of ranking 1,000 candidates
 * through the predictor's queue group while the load runs (a probe client, one request at a
 * time), and the resident memory of every process; then audits every event log and compares
 * every experiment with its embedded search.
 */

export type LoadSpec = Pick<ExperimentSpec, 'space' | 'dataset' | 'strategy' | 'seed' | 'queries' | 'batchSize'>;

export interface LoadOptions {
  readonly experiments: readonly LoadSpec[];
  readonly trainers: number;
  /** Trials in flight per trainer process (ENAS_TRAINER_CONCURRENCY). */
  readonly trainerConcurrency: number;
  /** ENAS_TRAINER_TIME_SCALE: 0 = table lookup only. */
  readonly trainerTimeScale: number;
  /** Pause between two probe rank requests. */
  readonly probeGapMs: number;
  readonly timeoutMs: number;
  /** Rank with the graph network of libs/predictor patched by this (ENAS_GNN_CONFIG); unset = the ridge engine. */
  readonly gnn?: ConfigOverrides;
  readonly log?: (line: string) => void;
}

export interface MemoryFigures {
  readonly process: string;
  readonly pid: number;
  /** Peak resident set (VmHWM), MiB. */
  readonly peakMiB: number;
  /** Resident set at the end (VmRSS), MiB. */
  readonly endMiB: number;
}

export interface LoadExperiment {
  readonly spec: LoadSpec;
  readonly status: string;
  readonly trials: number;
  readonly sameAsEmbedded: boolean;
  readonly audit: LogAudit;
  readonly ended: number;
}

export interface LoadReport {
  readonly experiments: LoadExperiment[];
  readonly seconds: number;
  readonly trials: number;
  readonly trialsPerSecond: number;
  /** Probe: ranking 1,000 candidates, ms. */
  readonly rank: { readonly requests: number; readonly p50: number; readonly p99: number; readonly max: number; readonly mean: number };
  readonly memory: MemoryFigures[];
}

const TERMINAL = new Set(['completed', 'failed', 'stopped']);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** VmHWM and VmRSS of a live process, MiB; null once it is gone. */
function memoryOf(pid: number): { peakMiB: number; endMiB: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { peakMiB: kb('VmHWM') / 1024, endMiB: kb('VmRSS') / 1024 };
  } catch {
    return null;
  }
}

/** The pid of the nats-server listening on `port` (the harness does not expose its child). */
function natsServerPid(port: number): number | null {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (argv[0].endsWith('nats-server') && argv.includes(String(port))) return Number(entry);
    } catch {
      // gone
    }
  }
  return null;
}

function distinctArchs(n: number, seed: number): string[] {
  const rng = Rng.seeded(seed);
  const seen = new Set<string>();
  while (seen.size < n) seen.add(nb201Space.format(nb201Space.sample(rng)));
  return [...seen];
}

export async function runLoad(o: LoadOptions): Promise<LoadReport> {
  const log = o.log ?? (() => undefined);
  const cluster = await Cluster.start();
  const env = {
    ENAS_LOG_LEVEL: 'info',
    ENAS_TRAINER_TIME_SCALE: String(o.trainerTimeScale),
    ENAS_REQUEST_TIMEOUT_MS: '120000',
    ...(o.gnn ? { ENAS_PREDICTOR_ENGINE: 'gnn', ENAS_GNN_CONFIG: JSON.stringify(o.gnn) } : {}),
  };
  const rpc = new RpcClient(ClientProxyFactory.create({ transport: Transport.NATS, options: { servers: [cluster.nats.url], ...cluster.users.login('orchestrator') } }), 120_000);
  try {
    await Promise.all([
      cluster.serve('orchestrator', { ...env, ENAS_MAX_RUNNING_EXPERIMENTS: String(Math.max(16, o.experiments.length)) }),
      cluster.serve('predictor', env),
      cluster.serve('encoder', env),
      ...Array.from({ length: o.trainers }, () => cluster.serve('trainer', { ...env, ENAS_TRAINER_CONCURRENCY: String(o.trainerConcurrency) })),
    ]);
    const processes = [
      ...cluster.services.map((s, i) => ({ name: s.name === 'trainer' ? `trainer ${cluster.services.slice(0, i + 1).filter((x) => x.name === 'trainer').length}` : s.name, pid: s.child.pid! })),
      { name: 'nats-server', pid: natsServerPid(cluster.nats.port) ?? -1 },
    ];

    // The probe's model: fitted once before the load starts, so that only ranking is timed.
    const rng = Rng.seeded(5);
    const labelled = distinctArchs(100, 4).map((arch, i) => ({ arch, key: nb201Space.key(nb201Space.parse(arch)), valAcc: 60 + (i % 17) + rng.float() }));
    const session = { id: `load-probe-${Date.now()}`, space: 'nb201', variant: 'dcl', seed: 0 };
    const { model } = await rpc.request(SUBJECTS.predictorFit, { session, version: 1, previous: null, observations: { inline: labelled } }, FitReply);
    const pools = Array.from({ length: 5 }, (_, i) => distinctArchs(1000, 100 + i));
    for (let i = 0; i < 5; i++) await rpc.request(SUBJECTS.predictorRank, { session, model, archs: { inline: pools[i] } }, RankReply); // warm-up

    const started = performance.now();
    const ids = await Promise.all(o.experiments.map((s) => cluster.submit(s)));
    log(`load: ${ids.length} experiments submitted`);
    let running = true;
    const times: number[] = [];
    const probe = (async () => {
      for (let i = 0; running; i++) {
        const t = performance.now();
        const reply = await rpc.request(SUBJECTS.predictorRank, { session, model, archs: { inline: pools[i % pools.length] } }, RankReply);
        if (!('inline' in reply.scores) || reply.scores.inline.length !== 1000) throw new Error('expected 1,000 scores inline');
        times.push(performance.now() - t);
        await sleep(o.probeGapMs);
      }
    })();
    let seconds = 0;
    try {
      for (let lastLog = 0; ; ) {
        const details = await Promise.all(ids.map((id) => cluster.detail(id)));
        if (details.every((d) => d && TERMINAL.has(d.status))) {
          seconds = (performance.now() - started) / 1000;
          break;
        }
        const elapsed = performance.now() - started;
        if (elapsed > o.timeoutMs) throw new Error(`the experiments did not end within ${o.timeoutMs} ms\n${cluster.logs()}`);
        if (elapsed - lastLog > 10_000) {
          lastLog = elapsed;
          log(`load: ${(elapsed / 1000).toFixed(0)} s, ${details.reduce((s, d) => s + (d?.queriesDone ?? 0), 0)} trials, ${times.length} probe ranks`);
        }
        await sleep(200);
      }
    } finally {
      running = false;
      await probe;
    }
    const memory: MemoryFigures[] = processes.map((p) => ({ process: p.name, pid: p.pid, ...(memoryOf(p.pid) ?? { peakMiB: NaN, endMiB: NaN }) }));

    const experiments: LoadExperiment[] = [];
    for (const [i, spec] of o.experiments.entries()) {
      const events = await cluster.events(ids[i]);
      const folded = foldLog(events);
      const detail = await cluster.detail(ids[i]);
      const expected = await embedded(spec, o.gnn);
      experiments.push({
        spec,
        status: detail?.status ?? 'unknown',
        trials: new Set(events.flatMap((e) => (e.type === 'result' ? [e.key] : []))).size,
        sameAsEmbedded: JSON.stringify(folded.trajectory) === JSON.stringify(expected.trajectory) && detail?.best?.key === expected.best.key,
        audit: auditLog(events),
        ended: events.filter((e) => e.type === 'ended').length,
      });
    }
    const trials = experiments.reduce((s, e) => s + e.trials, 0);
    const sorted = [...times].sort((a, b) => a - b);
    const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
    return {
      experiments,
      seconds,
      trials,
      trialsPerSecond: trials / seconds,
      rank: { requests: sorted.length, p50: q(0.5), p99: q(0.99), max: sorted[sorted.length - 1], mean: sorted.reduce((s, t) => s + t, 0) / sorted.length },
      memory,
    };
  } finally {
    await rpc.close();
    await cluster.dispose();
  }
}

/** 20 experiments by default: rea, random and dcl-enas (ridge ranker) in turn over the three NB201 datasets. */
export function loadMix(n: number, queries: number, dclQueries: number, batchSize: number): LoadSpec[] {
  const strategies = ['rea', 'random', 'dcl-enas'];
  const datasets = ['cifar10', 'cifar100', 'imagenet16-120'];
  return Array.from({ length: n }, (_, i) => {
    const strategy = strategies[i % strategies.length];
    return { space: 'nb201', dataset: datasets[Math.floor(i / 3) % datasets.length], strategy, seed: 200 + i, queries: strategy === 'dcl-enas' ? dclQueries : queries, batchSize };
  });
}
