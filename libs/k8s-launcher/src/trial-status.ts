export type TrialPhase = 'Queued' | 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Stopped';

export const TERMINAL_PHASES: ReadonlySet<TrialPhase> = new Set(['Succeeded', 'Failed', 'Stopped']);

/** One trial as the launcher sees it; what `enas status` shows per trial in cluster mode. */
export interface TrialStatus {
  experimentId: string;
  trialId: string;
  phase: TrialPhase;
  /** 1 for the first Job; a stuck trial retried by policy gets a new Job and the next number. */
  attempt: number;
  jobName?: string;
  podName?: string;
  /**
   * Why the trial is queued, pending or failed, e.g. "QuotaExceeded: ..." (a ResourceQuota refused
   * its Job, or its Job's pod: it waits, it is not failed for it),
   * "Unschedulable: 0/3 nodes are available: 3 Insufficient nvidia.com/gpu.",
   * "FailedCreate: ..." (its pod cannot be created: a missing ServiceAccount or PriorityClass fails it),
   * "PendingTimeout: ...", "BackoffLimitExceeded: ...".
   */
  reason?: string;
  /** The trainer's termination message (or its last log lines) when a pod failed. */
  message?: string;
  exitCode?: number;
  /** Kubernetes events about the stuck pod (or the Job), newest last. */
  events: string[];
  /** True when the Job existed before this launcher started (found by label, not created). */
  adopted: boolean;
  /** Seconds since the trial's current pod (or Job, before it has a pod) started waiting; set while Pending (not while it waits for quota). */
  pendingSeconds?: number;
  updatedAt: string;
}

export interface LauncherSummary {
  maxConcurrentJobs: number;
  /** Trials with a Job being created or not yet finished (what the limits count), those waiting for quota included. */
  active: number;
  /** Trials with no Job yet (waiting for a slot, or backing off after a refused Job creation). */
  queued: number;
  byPhase: Record<TrialPhase, number>;
  /** Times a watch failed and was restarted from its last resourceVersion. */
  watchRestarts: number;
}
