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
    /** Trials that failed without ending the experiment (up to trial.maxFailedTrials), with why; the last 100. */
    failedTrials: z
      .array(z.object({ index: z.number().int().nonnegative(), arch: z.string(), reason: z.string() }).strict())
      .max(100)
      .optional(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    /** Sequence (in ENAS_EVENTS) of the last event folded into this snapshot. */
    lastSeq: z.number().int().nonnegative(),
  })
  .strict();
export type ExperimentSnapshot = z.infer<typeof ExperimentSnapshot>;

/** A trial as the Kubernetes launcher sees it (ENAS_TRIAL_LAUNCHER=kubernetes; libs/k8s-launcher TrialStatus). */
export const LauncherTrialView = z
  .object({
    trialId: z.string(),
    phase: z.enum(['Queued', 'Pending', 'Running', 'Succeeded', 'Failed', 'Stopped']),
    attempt: z.number().int().positive(),
    jobName: z.string().optional(),
    podName: z.string().optional(),
    /** Why it waits or failed: "Unschedulable: 0/3 nodes are available: ...", "PendingTimeout: ...", "QuotaExceeded: ...". */
    reason: z.string().optional(),
    /** The trainer's termination message. */
    message: z.string().optional(),
    exitCode: z.number().int().optional(),
    /** Kubernetes events about a stuck pod (or its Job), oldest first. */
    events: z.array(z.string()),
    /** The Job existed before this orchestrator started and was adopted, not created. */
    adopted: z.boolean(),
    pendingSeconds: z.number().int().nonnegative().optional(),
    updatedAt: z.iso.datetime(),
  })
  .strict();
export type LauncherTrialView = z.infer<typeof LauncherTrialView>;

/** The experiment's trial Jobs, in GET /experiments/:id when trials run as Kubernetes Jobs. */
export const LauncherView = z
  .object({
    kind: z.literal('kubernetes'),
    namespace: z.string(),
    /** Trial Jobs alive at once, all experiments together (ENAS_K8S_MAX_CONCURRENT_JOBS). */
    maxConcurrentJobs: z.number().int().positive(),
    /** This experiment's limit (its trial template's maxConcurrentTrials), when it is registered. */
    maxConcurrentTrials: z.number().int().positive().nullable(),
    /** Trials of this experiment by phase. */
    phases: z.object({ Queued: z.number(), Pending: z.number(), Running: z.number(), Succeeded: z.number(), Failed: z.number(), Stopped: z.number() }).strict(),
    /** Trials whose Job was adopted after an orchestrator restart. */
    adopted: z.number().int().nonnegative(),
    /** The trials worth a look: pending, running, failed, and queued ones with a reason; at most 50. */
    trials: z.array(LauncherTrialView),
    /** Such trials left out of `trials` beyond the first 50. */
    omitted: z.number().int().nonnegative(),
  })
  .strict();
export type LauncherView = z.infer<typeof LauncherView>;

/** GET /experiments/:id: the snapshot plus the trajectory (best so far after each query), and its trial Jobs in launcher mode kubernetes. */
export const ExperimentDetail = ExperimentSnapshot.extend({ trajectory: z.array(TrajectoryPoint), launcher: LauncherView.optional() });
export type ExperimentDetail = z.infer<typeof ExperimentDetail>;

/** The server-sent events of GET /experiments/:id/events (the SSE `event` field is `type`). */
export const ProgressEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('state'), experiment: ExperimentSnapshot }),
  z.object({ type: z.literal('trial'), query: z.number().int(), arch: z.string(), valAcc: z.number(), best: BestSoFar }),
  z.object({ type: z.literal('failed'), index: z.number().int(), arch: z.string(), reason: z.string() }),
  z.object({ type: z.literal('status'), status: ExperimentStatus, reason: z.string().optional() }),
]);
export type ProgressEvent = z.infer<typeof ProgressEvent>;
