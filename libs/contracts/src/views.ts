import { z } from 'zod';
import { ExperimentSpec } from './experiment-spec';
import { ExperimentStatus } from './events';

export const BestSoFar = z
  .object({ arch: z.string(), key: z.string(), valAcc: z.number(), testAcc: z.number().nullable() })
  .strict();
export type BestSoFar = z.infer<typeof BestSoFar>;

export const TrajectoryPoint = z.object({ query: z.number().int().positive(), bestValAcc: z.number(), bestTestAcc: z.number().nullable() }).strict();
export type TrajectoryPoint = z.infer<typeof TrajectoryPoint>;

/** The KV snapshot of an experiment (bucket enas-experiments) and the API's summary. */
export const ExperimentSnapshot = z
  .object({
    id: z.string(),
    spec: ExperimentSpec,
    status: ExperimentStatus,
    queriesDone: z.number().int().nonnegative(),
    best: BestSoFar.nullable(),
    simulatedGpuSeconds: z.number().nullable(),
    reason: z.string().optional(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    /** Sequence (in ENAS_EVENTS) of the last event folded into this snapshot. */
    lastSeq: z.number().int().nonnegative(),
  })
  .strict();
export type ExperimentSnapshot = z.infer<typeof ExperimentSnapshot>;

/** GET /experiments/:id: the snapshot plus the trajectory (best so far after each query). */
export const ExperimentDetail = ExperimentSnapshot.extend({ trajectory: z.array(TrajectoryPoint) });
export type ExperimentDetail = z.infer<typeof ExperimentDetail>;

/** The server-sent events of GET /experiments/:id/events (the SSE `event` field is `type`). */
export const ProgressEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('state'), experiment: ExperimentSnapshot }),
  z.object({ type: z.literal('trial'), query: z.number().int(), arch: z.string(), valAcc: z.number(), best: BestSoFar }),
  z.object({ type: z.literal('status'), status: ExperimentStatus, reason: z.string().optional() }),
]);
export type ProgressEvent = z.infer<typeof ProgressEvent>;
