import type { JetStreamClient, JetStreamManager, NatsConnection } from 'nats';
import { MSG_IDS, STREAMS, SUBJECTS, type TrialRequest } from '@dcl-enas/contracts';
import type { TrialLauncher } from '@dcl-enas/experiments';
import { encodeJson } from './codec';
import type { EventLog } from './event-log';

/** The orchestrator's side of the work queue (stream ENAS_TRIALS). */
export class TrialQueue implements TrialLauncher {
  private constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly log: EventLog,
  ) {}

  static async open(nc: NatsConnection, log: EventLog): Promise<TrialQueue> {
    return new TrialQueue(nc.jetstream(), await nc.jetstreamManager(), log);
  }

  /**
   * Queues trials. After a restart (`resumed`) a trial is queued again only if it is neither
   * still in the queue (waiting or with a trainer) nor already has its genuine result. The queue
   * is checked before the log: a trainer stores the result before it acknowledges, so a trial
   * gone from the queue without a result in the log was really lost.
   */
  async dispatch(trials: readonly TrialRequest[], resumed: boolean): Promise<void> {
    for (const t of trials) {
      const subject = SUBJECTS.trial(t.experimentId, t.index);
      if (resumed) {
        if (await this.log.hasSubject(STREAMS.trials, subject)) continue;
        if (await this.log.hasResult(t)) continue;
      }
      await this.js.publish(subject, encodeJson(t), { msgID: MSG_IDS.trial(t.experimentId, t.key) });
    }
  }

  /** Withdraws an experiment's waiting trials (on stop). */
  async withdraw(experimentId: string): Promise<number> {
    const r = await this.jsm.streams.purge(STREAMS.trials, { filter: SUBJECTS.trialsOf(experimentId) });
    return r.purged;
  }

  /** After completion: what is left in the queue are copies of answered trials, which no trainer should train. */
  async finished(experimentId: string): Promise<void> {
    await this.withdraw(experimentId);
  }

  /**
   * Takes answered trials off the queue (a trainer that stored a result and died before its
   * acknowledgement would otherwise train it again; trainers cannot read the log to check).
   */
  async settle(experimentId: string, indices: readonly number[]): Promise<void> {
    if (indices.length === 0) return;
    const info = await this.jsm.streams.info(STREAMS.trials, { subjects_filter: SUBJECTS.trialsOf(experimentId) });
    const queued = new Set(Object.keys(info.state.subjects ?? {}));
    for (const i of indices) {
      const subject = SUBJECTS.trial(experimentId, i);
      if (queued.has(subject)) await this.jsm.streams.purge(STREAMS.trials, { filter: subject });
    }
  }
}
