import type { JetStreamClient, NatsConnection } from 'nats';
import { MSG_IDS, STREAMS, SUBJECTS, type TrialRequest } from '@dcl-enas/contracts';
import type { TrialDispatcher } from '@dcl-enas/experiments';
import { encodeJson } from './codec';
import type { EventLog } from './event-log';

/** The orchestrator's side of the work queue (stream ENAS_TRIALS). */
export class TrialQueue implements TrialDispatcher {
  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly log: EventLog,
  ) {}

  static async open(nc: NatsConnection, log: EventLog): Promise<TrialQueue> {
    return new TrialQueue(nc, nc.jetstream(), log);
  }

  /**
   * Queues trials. After a restart (`resumed`) a trial is queued again only if it is neither
   * still in the queue (waiting or with a trainer) nor already has a result. The queue is
   * checked before the log: a trainer stores the result before it acknowledges, so a trial
   * gone from the queue without a result in the log was really lost.
   */
  async dispatch(trials: readonly TrialRequest[], resumed: boolean): Promise<void> {
    for (const t of trials) {
      const subject = SUBJECTS.trial(t.experimentId, t.index);
      if (resumed) {
        if (await this.log.hasSubject(STREAMS.trials, subject)) continue;
        if (await this.log.hasResult(t.experimentId, t.index)) continue;
      }
      await this.js.publish(subject, encodeJson(t), { msgID: MSG_IDS.trial(t.experimentId, t.key) });
    }
  }

  /** Withdraws an experiment's waiting trials (on stop). */
  async withdraw(experimentId: string): Promise<number> {
    const jsm = await this.nc.jetstreamManager();
    const r = await jsm.streams.purge(STREAMS.trials, { filter: SUBJECTS.trialsOf(experimentId) });
    return r.purged;
  }
}
