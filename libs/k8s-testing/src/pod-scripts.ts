import type { V1Job } from './k8s-client';

/** What one pod of a Job does on the stand-in API server (there is no kubelet; the script plays it). */
export type PodScript =
  /** Scheduled after `startMs`, runs `runMs`, exits 0. */
  | { kind: 'succeed'; startMs?: number; runMs?: number }
  /** Runs `runMs`, then the container exits with `exitCode` having written `message` to its termination log. */
  | { kind: 'fail'; startMs?: number; runMs?: number; exitCode: number; message: string; /** The kubelet's reason, e.g. OOMKilled (default Error). */ reason?: string }
  /** Never scheduled: PodScheduled=False/Unschedulable and a FailedScheduling event. */
  | { kind: 'unschedulable'; message?: string }
  /** Scheduled, but the image cannot be pulled: ErrImagePull, then ImagePullBackOff, with events. */
  | { kind: 'image-pull-error'; backOffAfterMs?: number }
  /** Runs until deleted. */
  | { kind: 'run-until-deleted'; startMs?: number }
  /** Runs until the test ends it with `KubeApiStandin.endPod` (the test plays the kubelet, e.g. runs the real trainer). */
  | { kind: 'external'; startMs?: number };

/** Chooses the script of pod number `podIndex` (0 for the first pod, 1 for its first retry...) of a Job. */
export type PodBehaviour = (job: V1Job, podIndex: number) => PodScript;

export const DEFAULT_UNSCHEDULABLE =
  '0/3 nodes are available: 3 Insufficient nvidia.com/gpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.';

/** Picks a script by the trial id annotation of the Job; trials not in the table get `otherwise`. */
export function behaviourByTrial(table: Record<string, PodScript | ((podIndex: number) => PodScript)>, otherwise: PodScript): PodBehaviour {
  return (job, podIndex) => {
    const trialId = job.metadata?.annotations?.['dcl-enas.io/trial-id'];
    const entry = trialId === undefined ? undefined : table[trialId];
    if (entry === undefined) return otherwise;
    return typeof entry === 'function' ? entry(podIndex) : entry;
  };
}
