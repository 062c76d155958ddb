import { z } from 'zod';
import { ExperimentSpec } from './experiment-spec';
import { LIMITS, archKey, archText, trialToken } from './limits';
import { SUBJECTS } from './subjects';

const index = z.number().int().nonnegative();
const percent = z.number().finite();

/** The predictor's score of a proposed architecture, and which fit (cycle) of the predictor gave it. */
export const Prediction = z.object({ score: z.number().finite(), fit: z.number().int().positive() }).strict();
export type Prediction = z.infer<typeof Prediction>;

/** `token`: the trial's secret, which its result must carry; only the orchestrator reads the log that records it. */
export const ProposedTrial = z.object({ index, arch: archText(), key: archKey(), token: trialToken(), prediction: Prediction.optional() }).strict();
export type ProposedTrial = z.infer<typeof ProposedTrial>;

export const TrialOutcome = z
  .object({
    /** The search signal, higher is better: validation accuracy, or a trial command's objective metric (negated for goal minimize). */
    valAcc: percent,
    testAcc: percent.nullable(),
    trainSeconds: z.number().nonnegative().nullable(),
    /** Everything a trial command reported (docs/trials.md), the objective metric as reported. */
    metrics: z.record(z.string().max(64), z.number().finite()).optional(),
    /** Stopped by the early-stopping rule: valAcc is its last intermediate value. */
    earlyStopped: z.literal(true).optional(),
  })
  .strict();
export type TrialOutcome = z.infer<typeof TrialOutcome>;

export const ExperimentStatus = z.enum(['queued', 'running', 'completed', 'stopped', 'failed']);
export type ExperimentStatus = z.infer<typeof ExperimentStatus>;

/**
 * One entry of an experiment's append-only event log (stream ENAS_EVENTS). The orchestrator
 * writes created, proposed, stop and ended; trainers write result, on the result subjects only
 * (eventSubject). Replaying the log in order rebuilds the experiment.
 */
export const ExperimentEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('created'), experimentId: z.string(), spec: ExperimentSpec, at: z.iso.datetime() }).strict(),
  z.object({ type: z.literal('proposed'), batch: index, trials: z.array(ProposedTrial).min(1).max(LIMITS.batchTrials) }).strict(),
  z
    .object({
      type: z.literal('result'),
      index,
      key: archKey(),
      /** The trial's secret from its request: a result without it is refused. */
      token: trialToken(),
      /** Null when training failed; then `error` says why. */
      outcome: TrialOutcome.nullable(),
      error: z.string().optional(),
      trainer: z.string(),
      /** Delivery attempt of the trial that produced this result (1 = first). */
      attempt: z.number().int().positive(),
      at: z.iso.datetime(),
    })
    .strict(),
  z.object({ type: z.literal('stop'), reason: z.string(), at: z.iso.datetime() }).strict(),
  z
    .object({
      type: z.literal('ended'),
      status: z.enum(['completed', 'stopped', 'failed']),
      reason: z.string().optional(),
      at: z.iso.datetime(),
    })
    .strict(),
]);
export type ExperimentEvent = z.infer<typeof ExperimentEvent>;
export type ResultEvent = Extract<ExperimentEvent, { type: 'result' }>;
export type ProposedEvent = Extract<ExperimentEvent, { type: 'proposed' }>;

/**
 * The one subject each event is stored on: its experiment, its type and (result, proposed) its
 * index. Readers drop an event found on any other subject, so that a party allowed to publish
 * only results cannot pass off another type of event (docs/security.md).
 */
export function eventSubject(experimentId: string, e: ExperimentEvent): string {
  switch (e.type) {
    case 'created':
      return SUBJECTS.eventCreated(experimentId);
    case 'proposed':
      return SUBJECTS.eventProposed(experimentId, e.batch);
    case 'result':
      return SUBJECTS.eventResult(experimentId, e.index);
    case 'stop':
      return SUBJECTS.eventStopRequested(experimentId);
    case 'ended':
      return SUBJECTS.eventEnded(experimentId);
  }
}

/** Message ids for JetStream de-duplication: the same logical event published twice is stored once. */
export const MSG_IDS = {
  created: (id: string) => `${id}:created`,
  proposed: (id: string, batch: number) => `${id}:proposed:${batch}`,
  result: (id: string, key: string) => `${id}:result:${key}`,
  stop: (id: string) => `${id}:stop`,
  ended: (id: string) => `${id}:ended`,
  trial: (id: string, key: string) => `${id}:trial:${key}`,
};
