import type { CoreV1Event, V1Job, V1Pod } from './k8s-client';
import { TRAINER_CONTAINER } from './job-builder';

/** What a trial's Job and its pods say right now. */
export interface JobObservation {
  /** Set once the Job has a Complete or Failed condition. */
  finished?: { succeeded: boolean; reason?: string; message?: string };
  /** The newest pod of the Job. */
  podName?: string;
  running: boolean;
  /** Why the newest pod is not running yet, e.g. "Unschedulable: 0/3 nodes are available: ...". */
  waitingReason?: string;
  /** The newest pod that failed, from its container's termination state. */
  lastFailure?: PodFailure;
}

export interface PodFailure {
  podName: string;
  exitCode?: number;
  reason?: string;
  /** The termination message the trainer wrote (or its last log lines). */
  message?: string;
}

const STUCK_WAITING = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'ErrImageNeverPull',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
]);

function created(pod: V1Pod): number {
  return new Date(pod.metadata?.creationTimestamp ?? 0).getTime();
}

function jobCondition(job: V1Job, type: string) {
  return job.status?.conditions?.find((condition) => condition.type === type && condition.status === 'True');
}

function trainerStatus(pod: V1Pod) {
  const statuses = pod.status?.containerStatuses ?? [];
  return statuses.find((status) => status.name === TRAINER_CONTAINER) ?? statuses[0];
}

function withMessage(reason: string, message: string | undefined): string {
  return message ? `${reason}: ${message}` : reason;
}

/** Why a pending pod is not running: scheduling first, then image pulls and container setup. */
export function pendingReason(pod: V1Pod): string {
  const scheduled = pod.status?.conditions?.find((condition) => condition.type === 'PodScheduled');
  if (scheduled?.status === 'False') return withMessage(scheduled.reason ?? 'Unschedulable', scheduled.message);
  const waiting = trainerStatus(pod)?.state?.waiting;
  if (waiting?.reason) return withMessage(waiting.reason, STUCK_WAITING.has(waiting.reason) ? waiting.message : undefined);
  return scheduled?.status === 'True' ? 'ContainerCreating' : 'Scheduling';
}

export function podFailure(pod: V1Pod): PodFailure {
  const terminated = trainerStatus(pod)?.state?.terminated;
  const message = terminated?.message?.trim() || pod.status?.message;
  return {
    podName: pod.metadata?.name ?? '',
    ...(terminated?.exitCode === undefined ? {} : { exitCode: terminated.exitCode }),
    ...(terminated?.reason || pod.status?.reason ? { reason: terminated?.reason ?? pod.status?.reason } : {}),
    ...(message ? { message } : {}),
  };
}

/** Reads a Job and the pods it owns (matched by the Job's uid). */
export function observeJob(job: V1Job, allPods: readonly V1Pod[]): JobObservation {
  const uid = job.metadata?.uid;
  const pods = allPods
    .filter((pod) => pod.metadata?.ownerReferences?.some((owner) => owner.uid === uid))
    .sort((a, b) => created(a) - created(b));
  const newest = pods.at(-1);
  const failed = pods.filter((pod) => pod.status?.phase === 'Failed').at(-1);

  const observation: JobObservation = { running: newest?.status?.phase === 'Running' };
  if (newest?.metadata?.name) observation.podName = newest.metadata.name;
  if (newest && newest.status?.phase !== 'Running' && (newest.status?.phase ?? 'Pending') === 'Pending') {
    observation.waitingReason = pendingReason(newest);
  }
  if (failed) observation.lastFailure = podFailure(failed);

  const complete = jobCondition(job, 'Complete');
  const jobFailed = jobCondition(job, 'Failed');
  if (complete) observation.finished = { succeeded: true };
  else if (jobFailed) observation.finished = { succeeded: false, reason: jobFailed.reason, message: jobFailed.message };
  return observation;
}

/** Events as short lines for a status display, newest last: "Warning FailedScheduling: 0/3 nodes ...". */
export function eventLines(events: readonly CoreV1Event[], max = 5): string[] {
  return events.slice(-max).map((event) => {
    const count = (event.count ?? 1) > 1 ? ` (x${event.count})` : '';
    return `${event.type ?? 'Normal'} ${event.reason ?? ''}${count}: ${event.message ?? ''}`.trim();
  });
}
