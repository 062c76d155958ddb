import { z } from 'zod';
import { ObjectRef, payload } from './refs';
import { TOKEN_PATTERN } from './subjects';
import { archKey, archText, shortName, trialToken } from './limits';
import { EcgSettings, Objective, SpecSpace, TrialSettings } from './experiment-spec';

/**
 * One trial, with everything its runner needs (no runner reads the event log): on the trial
 * queue (stream ENAS_TRIALS, subject enas.v1.trials.<experiment>.<index>), or in a trial Job's
 * environment. `token` is the trial's secret, which the result must carry.
 */
export const TrialRequest = z
  .object({
    experimentId: z.string().regex(TOKEN_PATTERN),
    index: z.number().int().nonnegative(),
    /** The spec's space: a trainer needs a declared space's definition to read the architecture. */
    space: SpecSpace,
    dataset: shortName(),
    arch: archText(),
    key: archKey(),
    token: trialToken(),
    /** Space ecg: the spec's training settings. */
    ecg: EcgSettings.optional(),
    /** Score the test set only if the trial's valAcc beats this (the best so far at dispatch); null: always. */
    testAbove: z.number().finite().nullable().optional(),
    /** A trial command's settings and objective (docs/trials.md): the runner needs nothing else. */
    trial: TrialSettings.optional(),
    objective: Objective.optional(),
  })
  .strict();
export type TrialRequest = z.infer<typeof TrialRequest>;

/** Identifies one predictor's history: every fit of a session continues the session's previous state. */
export const PredictorSession = z
  .object({
    id: z.string().regex(TOKEN_PATTERN),
    /** The spec's space: a built-in name, or a declared space's definition (the services know no declared space by name). */
    space: SpecSpace,
    variant: shortName(),
    seed: z.number().int(),
  })
  .strict();
export type PredictorSession = z.infer<typeof PredictorSession>;

export const LabelledArch = z.object({ arch: archText(), key: archKey(), valAcc: z.number().finite() }).strict();
export type LabelledArch = z.infer<typeof LabelledArch>;

/** enas.v1.predictor.fit: fit version `version` of the session on every label so far. */
export const FitRequest = z
  .object({
    session: PredictorSession,
    version: z.number().int().positive(),
    /** State after fit `version - 1`; null for the first fit. */
    previous: ObjectRef.nullable(),
    observations: payload(z.array(LabelledArch)),
  })
  .strict();
export type FitRequest = z.infer<typeof FitRequest>;

export const FitReply = z.object({ model: ObjectRef, cached: z.boolean(), seconds: z.number().nonnegative() }).strict();
export type FitReply = z.infer<typeof FitReply>;

/** enas.v1.predictor.rank: scores of `archs` under a fitted state (null: the unfitted predictor). */
export const RankRequest = z
  .object({
    session: PredictorSession,
    model: ObjectRef.nullable(),
    archs: payload(z.array(archText()).min(1)),
  })
  .strict();
export type RankRequest = z.infer<typeof RankRequest>;

export const RankReply = z.object({ scores: payload(z.array(z.number())), seconds: z.number().nonnegative() }).strict();
export type RankReply = z.infer<typeof RankReply>;

/** enas.v1.encoder.pretrain: the stage-1 encoder for a space and configuration, trained once and cached. */
export const PretrainRequest = z
  .object({ space: SpecSpace, engine: shortName(), variant: shortName(), seed: z.number().int() })
  .strict();
export type PretrainRequest = z.infer<typeof PretrainRequest>;

export const PretrainReply = z.object({ encoder: ObjectRef.nullable(), cached: z.boolean(), seconds: z.number().nonnegative() }).strict();
export type PretrainReply = z.infer<typeof PretrainReply>;

/** What lands on enas.v1.deadletter.<service>: a message no service could accept, and why. */
export const DeadLetter = z
  .object({
    service: z.string(),
    subject: z.string(),
    reason: z.string(),
    size: z.number().int().nonnegative(),
    /** The start of the payload as text, for diagnosis. */
    preview: z.string(),
    at: z.iso.datetime(),
  })
  .strict();
export type DeadLetter = z.infer<typeof DeadLetter>;

/** enas.v1.answered: is trial `index` of the experiment answered (or its experiment over), so that nobody need train it? */
export const AnsweredRequest = z.object({ experimentId: z.string().regex(TOKEN_PATTERN), index: z.number().int().nonnegative() }).strict();
export type AnsweredRequest = z.infer<typeof AnsweredRequest>;
export const AnsweredReply = z.object({ answered: z.boolean() }).strict();
export type AnsweredReply = z.infer<typeof AnsweredReply>;
