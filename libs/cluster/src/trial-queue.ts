import type { JetStreamClient, JetStreamManager, NatsConnection } from 'nats';
import { MSG_IDS, STREAMS, SUBJECTS, type TrialRequest } from '@dcl-enas/contracts';
import type { TrialLauncher } from '@dcl-enas/search';
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
    let removed = 0;
    for (const subject of await this.queued(experimentId)) removed += await this.remove(subject);
    return removed;
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
    const queued = new Set(await this.queued(experimentId));
    for (const i of indices) {
      const subject = SUBJECTS.trial(experimentId, i);
      if (queued.has(subject)) await this.remove(subject);
    }
  }

  private async queued(experimentId: string): Promise<string[]> {
    const info = await this.jsm.streams.info(STREAMS.trials, { subjects_filter: SUBJECTS.trialsOf(experimentId) });
    return Object.keys(info.state.subjects ?? {});
  }

  /**
   * Deletes a subject's messages one by one. Not a purge with a subject filter: on nats-server
   * 2.9 that moves the trainers' consumer past every message not yet delivered, of any subject,
   * so other trials would never reach a trainer.
   */
  private async remove(subject: string): Promise<number> {
    let removed = 0;
    for (;;) {
      const m = await this.jsm.streams.getMessage(STREAMS.trials, { last_by_subj: subject }).catch((e: Error) => {
        if (/no message found|404/i.test(e.message)) return null;
        throw e;
      });
      if (!m) return removed;
      if (await this.jsm.streams.deleteMessage(STREAMS.trials, m.seq, false).catch((e: Error) => (/no message found|404/i.test(e.message) ? false : Promise.reject(e)))) removed++;
    }
  }
}
