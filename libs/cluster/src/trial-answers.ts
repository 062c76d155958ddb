import type { NatsConnection, Subscription } from 'nats';
import { AnsweredReply, AnsweredRequest, SUBJECTS, anyVersion, decode, type TrialRequest } from '@dcl-enas/contracts';
import { decodeJson, encodeJson } from './codec';
import type { Logger } from './logger';

/**
 * The orchestrator's answer to "is this trial answered?" (enas.v1.answered), from its own
 * ledgers. A trainer asks before training a trial handed to it again: the trial's first trainer
 * may have stored the result and died before acknowledging it, and only the orchestrator may
 * read the log that says so.
 */
export function answerTrialQuestions(nc: NatsConnection, answered: (experimentId: string, index: number) => boolean, logger: Logger): Subscription {
  return nc.subscribe(anyVersion(SUBJECTS.trialAnswered), {
    callback: (error, m) => {
      if (error) return;
      try {
        const q = decode(AnsweredRequest, decodeJson(m.data), m.subject);
        m.respond(encodeJson({ answered: answered(q.experimentId, q.index) } satisfies AnsweredReply));
      } catch (e) {
        logger.warn({ subject: m.subject, err: (e as Error).message }, 'question about a trial refused');
      }
    },
  });
}

/** Whether the orchestrator says the trial is answered; false when it cannot say (down, slow): then the trial is trained. */
export async function trialAnswered(nc: NatsConnection, trial: TrialRequest, timeoutMs: number): Promise<boolean> {
  try {
    const reply = await nc.request(SUBJECTS.trialAnswered, encodeJson({ experimentId: trial.experimentId, index: trial.index } satisfies AnsweredRequest), { timeout: timeoutMs });
    return decode(AnsweredReply, decodeJson(reply.data), 'answer').answered;
  } catch {
    return false;
  }
}
