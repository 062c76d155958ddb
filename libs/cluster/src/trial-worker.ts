import { hostname } from 'node:os';
import type { Consumer, JsMsg, NatsConnection } from 'nats';
import { CONSUMERS, ExperimentEvent, STREAMS, TrialOutcome, TrialRequest, decode } from '@dcl-enas/contracts';
import { decodeJson } from './codec';
import type { DeadLetters } from './dead-letter';
import type { EventLog } from './event-log';
import type { Logger } from './logger';
import { ensureTrainerConsumer } from './jetstream-resources';
import { trialAnswered } from './trial-answers';

/** How long a trainer waits for the orchestrator's word on a trial handed to it again. */
const ASK_TIMEOUT_MS = 2000;

/** Trains (or looks up) one trial; throws a UserError-like error for a trial that cannot be trained. */
export type TrainFn = (trial: TrialRequest, keepAlive: () => void) => Promise<TrialOutcome>;

export interface TrialWorkerOptions {
  readonly concurrency: number;
  readonly ackWaitMs: number;
  readonly maxDeliver: number;
}

/**
 * A trainer's loop over the work queue: take a trial, train it while telling JetStream it is
 * still being worked on, store the result (with the trial's token) in the experiment's log, and
 * only then acknowledge. A trainer that dies leaves the trial unacknowledged, so JetStream hands
 * it to another trainer after the ack wait. Trainers never read the log: the orchestrator takes
 * answered trials and those of ended experiments off the queue (TrialQueue.settle, withdraw).
 */
export class TrialWorker {
  private running = false;
  private readonly inFlight = new Set<JsMsg>();
  private loops: Promise<void>[] = [];
  readonly trainer = `${hostname()}:${process.pid}`;
  trialsDone = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly log: EventLog,
    private readonly dead: DeadLetters,
    private readonly train: TrainFn,
    private readonly options: TrialWorkerOptions,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    await ensureTrainerConsumer(this.nc, this.options.ackWaitMs);
    const consumer = await this.nc.jetstream().consumers.get(STREAMS.trials, CONSUMERS.trainers);
    this.running = true;
    this.loops = Array.from({ length: this.options.concurrency }, () => this.loop(consumer));
  }

  /** Stops taking trials; unfinished ones go back to the queue at once. */
  async stop(): Promise<void> {
    this.running = false;
    for (const m of this.inFlight) m.nak();
    await Promise.race([Promise.all(this.loops), new Promise((r) => setTimeout(r, 2000))]);
  }

  private async loop(consumer: Consumer): Promise<void> {
    while (this.running) {
      let m: JsMsg | null;
      try {
        m = await consumer.next({ expires: 2000 });
      } catch (e) {
        if (!this.running) return;
        this.logger.warn({ err: (e as Error).message }, 'fetching a trial failed; retrying');
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      if (!m || !this.running) {
        m?.nak();
        continue;
      }
      this.inFlight.add(m);
      try {
        await this.handle(m);
      } catch (e) {
        // Not acknowledged: JetStream redelivers it. The error is logged, the loop goes on.
        this.logger.error({ err: (e as Error).message, subject: m.subject }, 'trial not completed; it will be redelivered');
        if (this.running) m.nak(1000);
      } finally {
        this.inFlight.delete(m);
      }
    }
  }

  private async handle(m: JsMsg): Promise<void> {
    let trial: TrialRequest;
    try {
      trial = decode(TrialRequest, decodeJson(m.data), `trial ${m.subject}`);
    } catch (e) {
      await this.dead.send(m.subject, m.data, (e as Error).message);
      m.term();
      return;
    }
    const attempt = m.info.redeliveryCount;
    if (attempt > 1 && (await trialAnswered(this.nc, trial, ASK_TIMEOUT_MS))) {
      this.logger.info({ experiment: trial.experimentId, trial: trial.index, key: trial.key, attempt }, 'trial answered already (the orchestrator says); acknowledging without training');
      await m.ackAck();
      return;
    }
    const base = { type: 'result' as const, index: trial.index, key: trial.key, token: trial.token, trainer: this.trainer, attempt };
    let event: ExperimentEvent;
    if (attempt > this.options.maxDeliver) {
      event = { ...base, outcome: null, error: `delivered ${attempt} times and no trainer finished it (ENAS_TRIAL_MAX_DELIVER=${this.options.maxDeliver})`, at: now() };
    } else {
      const keepAlive = () => m.working();
      const heartbeat = setInterval(keepAlive, Math.max(100, Math.floor(this.options.ackWaitMs / 3)));
      try {
        const outcome = checkedOutcome(await this.train(trial, keepAlive));
        event = typeof outcome === 'string' ? { ...base, outcome: null, error: outcome, at: now() } : { ...base, outcome, at: now() };
      } catch (e) {
        if (!isPermanent(e)) throw e;
        event = { ...base, outcome: null, error: (e as Error).message, at: now() };
      } finally {
        clearInterval(heartbeat);
      }
    }
    if (!this.running) return; // shutting down: the nak in stop() hands it back
    await this.log.append(trial.experimentId, event);
    await m.ackAck();
    this.trialsDone++;
    this.logger.debug({ experiment: trial.experimentId, trial: trial.index, key: trial.key, attempt, valAcc: event.outcome?.valAcc ?? null, error: event.error }, 'trial done');
  }
}

/** The outcome as the log takes it, or why it cannot be one (NaN or Infinity would be stored as null). */
export function checkedOutcome(outcome: TrialOutcome): TrialOutcome | string {
  const r = TrialOutcome.safeParse(outcome);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = issue.path.join('.');
  return `the evaluator gave no valid outcome: ${field} is ${String((outcome as unknown as Record<string, unknown>)[field])} (${issue.message})`;
}

/**
 * Errors about the trial itself (unknown dataset, architecture not in the table, a trial command
 * that failed after its own retries: TrialFailure) are results, not crashes.
 */
function isPermanent(e: unknown): boolean {
  return e instanceof Error && (e.name === 'UserError' || e.name === 'ContractError' || e.name === 'TrialFailure');
}

const now = () => new Date().toISOString();
