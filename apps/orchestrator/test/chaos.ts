import { Rng } from '@dcl-enas/common';
import type { ExperimentSpec, ExperimentEvent, TrajectoryPoint } from '@dcl-enas/contracts';
import { auditLog, foldLog, type LogAudit } from '@dcl-enas/search';
import { Cluster, embedded, type ServiceProcess } from './cluster-harness';

/**
 * The chaos run of issue 9 (item 4), shared by the short test (apps/orchestrator/test/
 * cluster-chaos.test.ts) and the benchmark (tools/bench/chaos.ts): several experiments run
 * through the services while, at seeded random moments, one part of the cluster (nats-server,
 * the orchestrator, a trainer, the predictor or the encoder) is killed with SIGKILL and started
 * again after a seeded random pause. Bounded in faults and in time. Afterwards each experiment
 * is compared with its embedded search and its event log audited.
 */

export type ChaosTarget = 'nats' | 'orchestrator' | 'trainer' | 'predictor' | 'encoder';
export const CHAOS_TARGETS: readonly ChaosTarget[] = ['nats', 'orchestrator', 'trainer', 'predictor', 'encoder'];

export type ChaosSpec = Pick<ExperimentSpec, 'space' | 'dataset' | 'strategy' | 'seed' | 'queries' | 'batchSize'>;

export interface ChaosOptions {
  readonly seed: number;
  readonly experiments: readonly ChaosSpec[];
  /** At most this many faults ... */
  readonly maxFaults: number;
  /** ... injected within this window (from the first submission); no fault starts after it. */
  readonly windowMs: number;
  /** Pause before each fault, uniform in [min, max] ms. */
  readonly gapMs: readonly [number, number];
  /** Time a killed part stays down, uniform in [min, max] ms. */
  readonly downMs: readonly [number, number];
  readonly trainers: number;
  /** Simulated training time: recorded GPU seconds x this (ENAS_TRAINER_TIME_SCALE); 0.002 is about 0.2 s per NB201 trial. */
  readonly trainerTimeScale: number;
  /** Time allowed for every experiment to end after the last fault. */
  readonly settleMs: number;
  readonly log?: (line: string) => void;
}

export interface Fault {
  readonly atMs: number;
  readonly target: ChaosTarget;
  readonly downMs: number;
  /** Trials done over all experiments when it struck. */
  readonly queriesDone: number;
}

export interface ChaosExperiment {
  readonly spec: ChaosSpec;
  readonly id: string;
  readonly status: string;
  readonly sameAsEmbedded: boolean;
  readonly trajectoryFromLog: TrajectoryPoint[];
  readonly expectedTrajectory: TrajectoryPoint[];
  readonly bestKey: string | null;
  readonly expectedBestKey: string;
  readonly audit: LogAudit;
  readonly ended: number;
  readonly events: number;
}

export interface ChaosReport {
  readonly faults: Fault[];
  readonly experiments: ChaosExperiment[];
  readonly seconds: number;
  readonly trials: number;
}

const TERMINAL = new Set(['completed', 'failed', 'stopped']);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Environment of every service in a chaos run: the ridge ranker and a generous redelivery bound (redeliveries are what the faults cause). */
const CHAOS_ENV = { ENAS_TRIAL_MAX_DELIVER: '50', ENAS_LOG_LEVEL: 'info' };

export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const log = o.log ?? (() => undefined);
  const rng = Rng.seeded(o.seed);
  const cluster = await Cluster.start();
  const live = new Map<ChaosTarget, ServiceProcess[]>();
  const serve = async (target: Exclude<ChaosTarget, 'nats'>) => {
    const p = await cluster.serve(target, { ...CHAOS_ENV, ENAS_TRAINER_TIME_SCALE: String(o.trainerTimeScale) });
    live.set(target, [...(live.get(target) ?? []).filter((s) => s.child.exitCode === null && s.child.signalCode === null), p]);
    return p;
  };
  try {
    await Promise.all([serve('orchestrator'), serve('predictor'), serve('encoder'), ...Array.from({ length: o.trainers }, () => serve('trainer'))]);
    const started = Date.now();
    const ids = await Promise.all(o.experiments.map((s) => cluster.submit(s)));
    log(`chaos: ${ids.length} experiments submitted, seed ${o.seed}`);
    const faults: Fault[] = [];
    // Every kind of fault once, in a seeded order, then seeded picks.
    const order = rng.shuffle([...CHAOS_TARGETS]);
    let lastDone = 0;
    const progress = async (): Promise<{ done: number; allEnded: boolean } | null> => {
      const details = await Promise.all(ids.map((id) => cluster.detail(id)));
      if (details.some((d) => d === null)) return null; // orchestrator down or restarting
      return { done: details.reduce((s, d) => s + d!.queriesDone, 0), allEnded: details.every((d) => TERMINAL.has(d!.status)) };
    };
    while (faults.length < o.maxFaults) {
      const gap = rng.int(o.gapMs[0], o.gapMs[1]);
      const target = faults.length < order.length ? order[faults.length] : rng.pick(CHAOS_TARGETS);
      const down = rng.int(o.downMs[0], o.downMs[1]);
      await sleep(gap);
      if (Date.now() - started > o.windowMs) break;
      const p = await progress();
      if (p?.allEnded) break;
      lastDone = p?.done ?? lastDone;
      const fault: Fault = { atMs: Date.now() - started, target, downMs: down, queriesDone: lastDone };
      log(`chaos: fault ${faults.length + 1} at ${(fault.atMs / 1000).toFixed(1)} s (${lastDone} trials done): kill -9 ${target}, down ${down} ms`);
      if (target === 'nats') {
        await cluster.nats.stop('SIGKILL');
        await sleep(down);
        await cluster.nats.startAgain();
      } else {
        const victims = live.get(target) ?? [];
        const victim = victims[rng.below(victims.length)];
        await victim.kill('SIGKILL');
        await sleep(down);
        await serve(target);
      }
      faults.push(fault);
    }
    log(`chaos: ${faults.length} faults injected; waiting for the experiments to end`);
    const details = [];
    for (const id of ids) details.push(await cluster.waitFor(id, (x) => TERMINAL.has(x.status), o.settleMs));
    const seconds = (Date.now() - started) / 1000;

    const experiments: ChaosExperiment[] = [];
    for (const [i, spec] of o.experiments.entries()) {
      const events: ExperimentEvent[] = await cluster.events(ids[i]);
      const expected = await embedded(spec);
      const folded = foldLog(events);
      const detail = details[i];
      const sameAsEmbedded =
        detail.status === 'completed' &&
        JSON.stringify(detail.trajectory) === JSON.stringify(expected.trajectory) &&
        JSON.stringify(folded.trajectory) === JSON.stringify(expected.trajectory) &&
        detail.best?.key === expected.best.key;
      experiments.push({
        spec,
        id: ids[i],
        status: detail.status,
        sameAsEmbedded,
        trajectoryFromLog: folded.trajectory,
        expectedTrajectory: [...expected.trajectory],
        bestKey: detail.best?.key ?? null,
        expectedBestKey: expected.best.key,
        audit: auditLog(events),
        ended: events.filter((e) => e.type === 'ended').length,
        events: events.length,
      });
    }
    const trials = experiments.reduce((s, e) => s + e.trajectoryFromLog.length, 0);
    return { faults, experiments, seconds, trials };
  } catch (e) {
    log(cluster.logs());
    throw e;
  } finally {
    await cluster.dispose();
  }
}

/** One line per experiment for logs and the results page. */
export function describeChaos(r: ChaosReport): string[] {
  return r.experiments.map(
    (e) =>
      `${e.spec.strategy} ${e.spec.dataset} seed ${e.spec.seed} x${e.spec.queries} (batch ${e.spec.batchSize}): ${e.status}, ${e.sameAsEmbedded ? 'same as embedded' : 'DIFFERS from embedded'}; ` +
      `proposed ${e.audit.proposed}, lost ${e.audit.lost.length}, trained twice ${e.audit.trainedTwice.length}, proposed twice ${e.audit.proposedTwice.length}, refused ${e.audit.refused.length}, redelivered ${e.audit.redelivered.length}, ended events ${e.ended}`,
  );
}
