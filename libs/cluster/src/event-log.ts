import { type ConsumerMessages, type JetStreamClient, type JetStreamManager, type NatsConnection } from 'nats';
import { ExperimentEvent, MSG_IDS, STREAMS, SUBJECTS, decode, eventSubject, type ResultEvent, type TrialRequest } from '@dcl-enas/contracts';
import { resultMismatch } from '@dcl-enas/search';
import { decodeJson, encodeJson } from './codec';
import type { DeadLetters } from './dead-letter';

export interface LoggedEvent {
  readonly seq: number;
  readonly event: ExperimentEvent;
  /** When JetStream stored it (ISO 8601). */
  readonly at?: string;
}

function msgIdOf(id: string, e: ExperimentEvent): string | undefined {
  switch (e.type) {
    case 'created':
      return MSG_IDS.created(id);
    case 'proposed':
      return MSG_IDS.proposed(id, e.batch);
    // Results are not de-duplicated on purpose: the log shows every training that finished.
    case 'result':
      return undefined;
    case 'stop':
      return MSG_IDS.stop(id);
    case 'ended':
      return MSG_IDS.ended(id);
  }
}

/** Most result events read for one trial: a party flooding a trial's subject cannot make readers loop for ever. */
const MAX_RESULTS_PER_TRIAL = 64;

/**
 * The event stored in a message, or why it is not one: its payload must be an event, stored on
 * that event's own subject (eventSubject), so a result subject holds only results.
 */
function eventOf(experimentId: string, subject: string, data: Uint8Array): { event: ExperimentEvent } | { problem: string } {
  let event: ExperimentEvent;
  try {
    event = decode(ExperimentEvent, decodeJson(data), `event ${subject}`);
  } catch (e) {
    return { problem: (e as Error).message };
  }
  const own = eventSubject(experimentId, event);
  return own === subject ? { event } : { problem: `a ${event.type} event on ${subject}: refused, its own subject is ${own}` };
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
    const msgID = msgIdOf(experimentId, event);
    const ack = await this.js.publish(eventSubject(experimentId, event), encodeJson(event), msgID ? { msgID } : undefined);
    return ack.seq;
  }

  /** Whether the trial's genuine result (its key and token, TrialLedger's rule) has been stored. */
  async hasResult(trial: TrialRequest): Promise<boolean> {
    return (await this.resultsOf(trial.experimentId, trial.index)).some((r) => resultMismatch(trial, r) === null);
  }

  /** The result events stored on trial `index`'s subject, oldest first (at most MAX_RESULTS_PER_TRIAL). */
  private async resultsOf(experimentId: string, index: number): Promise<ResultEvent[]> {
    const subject = SUBJECTS.eventResult(experimentId, index);
    const out: ResultEvent[] = [];
    for (let seq = 1, n = 0; n < MAX_RESULTS_PER_TRIAL; n++) {
      // STREAM.MSG.GET takes next_by_subj (nats-server 2.9+); the client's type names only seq and last_by_subj
      const request = { seq, next_by_subj: subject } as unknown as { seq: number };
      const m = await this.jsm.streams.getMessage(STREAMS.events, request).catch((e: Error) => {
        if (/no message found|404/i.test(e.message)) return null;
        throw e;
      });
      if (!m) break;
      const read = eventOf(experimentId, subject, m.data);
      if ('event' in read && read.event.type === 'result') out.push(read.event);
      seq = m.seq + 1;
    }
    return out;
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
        const read = eventOf(experimentId, m.subject, m.data);
        if ('problem' in read) {
          await this.dead?.send(m.subject, m.data, read.problem);
          if (++delivered >= stored || m.info.pending === 0) markCaughtUp();
          continue;
        }
        onEvent({ seq: m.seq, event: read.event, at: new Date(Math.floor(m.info.timestampNanos / 1e6)).toISOString() });
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
