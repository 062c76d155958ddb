import { type ConsumerMessages, type JetStreamClient, type JetStreamManager, type NatsConnection } from 'nats';
import { ExperimentEvent, MSG_IDS, STREAMS, SUBJECTS, decode } from '@dcl-enas/contracts';
import { decodeJson, encodeJson } from './codec';
import type { DeadLetters } from './dead-letter';

export interface LoggedEvent {
  readonly seq: number;
  readonly event: ExperimentEvent;
  /** When JetStream stored it (ISO 8601). */
  readonly at?: string;
}

function subjectOf(id: string, e: ExperimentEvent): { subject: string; msgID?: string } {
  switch (e.type) {
    case 'created':
      return { subject: SUBJECTS.eventCreated(id), msgID: MSG_IDS.created(id) };
    case 'proposed':
      return { subject: SUBJECTS.eventProposed(id, e.batch), msgID: MSG_IDS.proposed(id, e.batch) };
    // Results are not de-duplicated on purpose: the log shows every training that finished.
    case 'result':
      return { subject: SUBJECTS.eventResult(id, e.index) };
    case 'stop':
      return { subject: SUBJECTS.eventStopRequested(id), msgID: MSG_IDS.stop(id) };
    case 'ended':
      return { subject: SUBJECTS.eventEnded(id), msgID: MSG_IDS.ended(id) };
  }
}

/** The experiments' append-only event logs in stream ENAS_EVENTS. */
export class EventLog {
  private constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly dead: DeadLetters | null,
  ) {}

  static async open(nc: NatsConnection, dead: DeadLetters | null): Promise<EventLog> {
    return new EventLog(nc.jetstream(), await nc.jetstreamManager(), dead);
  }

  /** Stores the event (returns once JetStream has it); publishing the same event twice stores it once. */
  async append(experimentId: string, event: ExperimentEvent): Promise<number> {
    const { subject, msgID } = subjectOf(experimentId, event);
    const ack = await this.js.publish(subject, encodeJson(event), msgID ? { msgID } : undefined);
    return ack.seq;
  }

  /** Whether a result for trial `index` has been stored. */
  async hasResult(experimentId: string, index: number): Promise<boolean> {
    return this.hasSubject(STREAMS.events, SUBJECTS.eventResult(experimentId, index));
  }

  /** Whether the experiment has ended (completed, stopped or failed). */
  async hasEnded(experimentId: string): Promise<boolean> {
    return this.hasSubject(STREAMS.events, SUBJECTS.eventEnded(experimentId));
  }

  async hasSubject(stream: string, subject: string): Promise<boolean> {
    try {
      await this.jsm.streams.getMessage(stream, { last_by_subj: subject });
      return true;
    } catch (e) {
      if (/no message found|404/i.test(String((e as Error).message))) return false;
      throw e;
    }
  }

  /** Every event of one experiment so far, in order. */
  async readAll(experimentId: string): Promise<LoggedEvent[]> {
    const out: LoggedEvent[] = [];
    const follower = await this.follow(experimentId, (e) => out.push(e));
    await follower.caughtUp;
    await follower.stop();
    return out;
  }

  /**
   * Delivers the experiment's events from the start, in order, then live ones as
   * they are stored (an ordered consumer: it survives reconnects and server restarts).
   * `caughtUp` resolves once everything stored at the call has been delivered.
   */
  async follow(experimentId: string, onEvent: (e: LoggedEvent) => void): Promise<{ caughtUp: Promise<void>; stop: () => Promise<void> }> {
    const filter = SUBJECTS.events(experimentId);
    const info = await this.jsm.streams.info(STREAMS.events, { subjects_filter: filter });
    const stored = Object.values(info.state.subjects ?? {}).reduce((s, n) => s + n, 0);
    const consumer = await this.js.consumers.get(STREAMS.events, { filterSubjects: filter });
    let delivered = 0;
    let markCaughtUp!: () => void;
    const caughtUp = new Promise<void>((resolve) => (markCaughtUp = resolve));
    if (stored === 0) markCaughtUp();
    const messages: ConsumerMessages = await consumer.consume();
    const loop = (async () => {
      for await (const m of messages) {
        let event: ExperimentEvent;
        try {
          event = decode(ExperimentEvent, decodeJson(m.data), `event ${m.subject}`);
        } catch (e) {
          await this.dead?.send(m.subject, m.data, (e as Error).message);
          if (++delivered >= stored || m.info.pending === 0) markCaughtUp();
          continue;
        }
        onEvent({ seq: m.seq, event, at: new Date(Math.floor(m.info.timestampNanos / 1e6)).toISOString() });
        if (++delivered >= stored || m.info.pending === 0) markCaughtUp();
      }
    })();
    return {
      caughtUp,
      stop: async () => {
        await messages.close();
        await loop.catch(() => undefined);
      },
    };
  }
}
