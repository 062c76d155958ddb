/** The protocol version every subject carries; a message for another version is refused with a reason. */
export const PROTOCOL_VERSION = 'v1';

const root = `enas.${PROTOCOL_VERSION}`;

/** Identifiers that become subject tokens: experiment ids, session ids. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export const SUBJECTS = {
  predictorFit: `${root}.predictor.fit`,
  predictorRank: `${root}.predictor.rank`,
  encoderPretrain: `${root}.encoder.pretrain`,
  /** A trainer given a trial again asks the orchestrator whether it is answered already (trainers cannot read the log). */
  trialAnswered: `${root}.answered`,
  /** Every event of one experiment, in order. */
  events: (experimentId: string) => `${root}.events.${token(experimentId)}.>`,
  eventCreated: (experimentId: string) => `${root}.events.${token(experimentId)}.created`,
  eventProposed: (experimentId: string, batch: number) => `${root}.events.${token(experimentId)}.proposed.${batch}`,
  eventResult: (experimentId: string, index: number) => `${root}.events.${token(experimentId)}.result.${index}`,
  eventEnded: (experimentId: string) => `${root}.events.${token(experimentId)}.ended`,
  eventStopRequested: (experimentId: string) => `${root}.events.${token(experimentId)}.stop`,
  allEvents: `${root}.events.>`,
  trial: (experimentId: string, index: number) => `${root}.trials.${token(experimentId)}.${index}`,
  trialsOf: (experimentId: string) => `${root}.trials.${token(experimentId)}.>`,
  allTrials: `${root}.trials.>`,
  deadLetter: (service: string) => `${root}.deadletter.${token(service)}`,
  allDeadLetters: `${root}.deadletter.>`,
} as const;

export const STREAMS = { events: 'ENAS_EVENTS', trials: 'ENAS_TRIALS', deadLetter: 'ENAS_DEADLETTER' } as const;
export const BUCKETS = { experiments: 'enas-experiments', models: 'enas-models', encoders: 'enas-encoders', blobs: 'enas-blobs' } as const;
export const CONSUMERS = { trainers: 'enas-trainers' } as const;
export const QUEUE_GROUPS = { predictor: 'enas-predictor', encoder: 'enas-encoder' } as const;

/** The pattern a service subscribes to: any version, so that it can refuse unknown versions with a reason. */
export function anyVersion(subject: string): string {
  return subject.replace(/^enas\.v\d+\./, 'enas.*.');
}

/** The version token of an `enas.<version>.` subject, or null when the subject is not one of ours. */
export function subjectVersion(subject: string): string | null {
  return /^enas\.([^.]+)\./.exec(subject)?.[1] ?? null;
}

function token(value: string): string {
  if (!TOKEN_PATTERN.test(value)) throw new Error(`"${value}" cannot be a subject token: use letters, digits, "-" and "_" only (at most 64)`);
  return value;
}
