import type { NatsConnection } from 'nats';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { CONSUMERS, STREAMS } from '@dcl-enas/contracts';
import type { TrainFn } from './trial-worker';

/**
 * Prometheus metrics of one service process (GET /metrics on its HTTP port), with Node.js
 * process metrics. Which service a series comes from is the scrape's target labels (job, pod),
 * as Prometheus recommends, not a label set here. Names are listed in docs/configuration.md
 * and drawn by k8s/grafana/dcl-enas-dashboard.json.
 */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** Seconds buckets from 1 ms to about 10 min, for RPCs and training alike. */
export const SECONDS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

/** Times every call of `f` into `histogram` (failed calls too). */
export function timed<A extends unknown[], R>(histogram: Histogram, f: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    const end = histogram.startTimer();
    try {
      return await f(...args);
    } finally {
      end();
    }
  };
}

/** The work queue as JetStream sees it: trials waiting, trials with a trainer, trainer pulls waiting. */
export interface QueueDepth {
  /**
   * False until a trainer has pulled from the work-queue consumer (the orchestrator creates the
   * consumer at start-up, for KEDA, so its existence says nothing about trainers).
   */
  readonly trainerSeen: boolean;
  readonly waiting: number;
  readonly withTrainers: number;
  readonly idlePulls: number;
}

export async function trialQueueDepth(nc: NatsConnection): Promise<QueueDepth> {
  const jsm = await nc.jetstreamManager();
  try {
    const info = await jsm.consumers.info(STREAMS.trials, CONSUMERS.trainers);
    const trainerSeen = info.delivered.consumer_seq > 0 || info.num_waiting > 0 || info.num_ack_pending > 0;
    return { trainerSeen, waiting: info.num_pending, withTrainers: info.num_ack_pending, idlePulls: info.num_waiting };
  } catch (e) {
    if (!/not found|404/i.test((e as Error).message)) throw e;
    const stream = await jsm.streams.info(STREAMS.trials);
    return { trainerSeen: false, waiting: stream.state.messages, withTrainers: 0, idlePulls: 0 };
  }
}

/** Why trials may be waiting, in words, for the dashboard's stuck reasons; null when trainers are at work. */
export function describeQueue(q: QueueDepth): string | null {
  if (!q.trainerSeen) return `no trainer has pulled from the work queue yet (${q.waiting} trials waiting in ${STREAMS.trials}); start one: enas serve trainer`;
  if (q.withTrainers === 0 && q.idlePulls === 0 && q.waiting > 0) return `no trainer is taking trials from the work queue (${q.waiting} waiting); are the trainers running?`;
  if (q.waiting > 0) return `${q.waiting} trials wait in the work queue, ${q.withTrainers} are with trainers`;
  return null;
}

/** `enas_trial_queue_depth{queue="waiting"|"with_trainers"}`, read from JetStream at each scrape. */
export function registerQueueDepth(registry: Registry, nc: NatsConnection): void {
  new Gauge({
    name: 'enas_trial_queue_depth',
    help: 'Trials in the JetStream work queue: waiting for a trainer, or delivered to one and not yet acknowledged',
    labelNames: ['queue'],
    registers: [registry],
    async collect() {
      try {
        const q = await trialQueueDepth(nc);
        this.set({ queue: 'waiting' }, q.waiting);
        this.set({ queue: 'with_trainers' }, q.withTrainers);
      } catch {
        // NATS unreachable: the scrape still answers, without fresh values
      }
    },
  });
}

/** A trainer's TrainFn that also records training seconds, outcomes and trials in progress. */
export function instrumentTrainer(registry: Registry, train: TrainFn): TrainFn {
  const seconds = new Histogram({ name: 'enas_trainer_training_seconds', help: 'Wall seconds to train (or look up) one trial', buckets: SECONDS_BUCKETS, registers: [registry] });
  const gpu = new Counter({ name: 'enas_trainer_recorded_gpu_seconds_total', help: 'Training seconds recorded by the benchmark for the trials trained (simulated GPU time)', registers: [registry] });
  const trials = new Counter({ name: 'enas_trainer_trials_total', help: 'Trials this trainer finished, by outcome', labelNames: ['outcome'], registers: [registry] });
  const inProgress = new Gauge({ name: 'enas_trainer_trials_in_progress', help: 'Trials being trained now', registers: [registry] });
  trials.inc({ outcome: 'succeeded' }, 0);
  trials.inc({ outcome: 'failed' }, 0);
  return async (trial, keepAlive) => {
    const end = seconds.startTimer();
    inProgress.inc();
    try {
      const outcome = await train(trial, keepAlive);
      trials.inc({ outcome: 'succeeded' });
      if (outcome.trainSeconds !== null) gpu.inc(outcome.trainSeconds);
      return outcome;
    } catch (e) {
      trials.inc({ outcome: 'failed' });
      throw e;
    } finally {
      inProgress.dec();
      end();
    }
  };
}
