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
  /** A pod of the Job exists that has not finished (Pending, Running or Unknown). */
  activePod: boolean;
  /**
   * Why the Job has no pod: its newest FailedCreate event, when the Job has not finished, no pod
   * of it is active, and the event is not older than its newest pod.
   */
  refusal?: PodCreateRefusal;
}

/** The Job controller could not create the Job's pod: what the API server said, and what that means. */
export interface PodCreateRefusal {
  /**
   * `quota`: a ResourceQuota is full; the Job controller tries again with its back-off, the trial
   * waits. `config`: the pod names a ServiceAccount or PriorityClass that does not exist, or lacks
   * a request or limit a quota needs; it cannot start as it is. `other`: anything else (a webhook,
   * a LimitRange, PodSecurity): the pending timeout decides.
   */
  kind: 'quota' | 'config' | 'other';
  /** The API server's message, e.g. `pods "x-4fs9b" is forbidden: exceeded quota: ...` (the event's prefixes removed). */
  message: string;
  /** For `quota`: the resources one pod asks more of than the quota's limit (it cannot start until the quota is raised). */
  beyondLimit?: string[];
  /** For `config`: what to fix. */
  hint?: string;
}

/** What a FailedCreate event, from the Job controller (or from the launcher's own create call), means. */
export function classifyPodCreateRefusal(eventMessage: string): PodCreateRefusal {
  const message = eventMessage.replace(/^\(combined from similar events\): /, '').replace(/^Error creating: /, '');
  const quota = /is forbidden: exceeded quota: [^,]+, requested: (.*), used: (.*), limited: (.*)$/.exec(message);
  if (quota) {
    const requested = resourceList(quota[1]!);
    const limited = resourceList(quota[3]!);
    const beyondLimit = Object.keys(requested).filter((name) => limited[name] !== undefined && requested[name]! > limited[name]!);
    return { kind: 'quota', message, beyondLimit };
  }
  for (const [pattern, hint] of CONFIGURATION_ERRORS) if (pattern.test(message)) return { kind: 'config', message, hint };
  return { kind: 'other', message };
}

const CONFIGURATION_ERRORS: readonly [RegExp, string][] = [
  [/is forbidden: error looking up service account /, "create the ServiceAccount, or set the trial template's serviceAccountName to one that exists"],
  [/is forbidden: no PriorityClass with name /, "create the PriorityClass, or set the trial template's priorityClassName to one that exists"],
  [/is forbidden: failed quota: [^:]+: must specify /, "a ResourceQuota in the namespace needs these requests or limits: set them in the trial template's resources"],
];

const SUFFIX: Record<string, number> = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** A Kubernetes quantity as a number ("500m" 0.5, "4Gi" 4294967296, "1e3" 1000); NaN when it is not one. */
export function quantityValue(text: string): number {
  const match = /^([+-]?[0-9.]+)(.*)$/.exec(text.trim());
  if (!match) return NaN;
  const [, number, suffix] = match as unknown as [string, string, string];
  if (/^[eE][+-]?\d+$/.test(suffix)) return Number(number) * 10 ** Number(suffix.slice(1));
  const factor = SUFFIX[suffix];
  return factor === undefined ? NaN : Number(number) * factor;
}

/** "a=1,b=4Gi" as the quota admission prints a resource list. */
function resourceList(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of text.split(',')) {
    const at = part.lastIndexOf('=');
    if (at > 0) out[part.slice(0, at).trim()] = quantityValue(part.slice(at + 1));
  }
  return out;
}

/** The newest FailedCreate event about a Job (of this uid, when the events name one): its message and time. */
export function newestFailedCreate(events: readonly CoreV1Event[], jobUid: string | undefined): { message: string; at: number } | undefined {
  let newest: { message: string; at: number } | undefined;
  for (const event of events) {
    if (event.reason !== 'FailedCreate') continue;
    if (jobUid !== undefined && event.involvedObject?.uid && event.involvedObject.uid !== jobUid) continue;
    const at = new Date(event.lastTimestamp ?? event.eventTime ?? event.metadata?.creationTimestamp ?? 0).getTime();
    if (!newest || at >= newest.at) newest = { message: event.message ?? '', at };
  }
  return newest;
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

/**
 * Reads a Job and the pods it owns (matched by the Job's uid), and the newest FailedCreate event
 * about the Job when the caller has read one (event timestamps are whole seconds in Kubernetes: an
 * event of the same second as the newest pod counts as newer).
 */
export function observeJob(job: V1Job, allPods: readonly V1Pod[], failedCreate?: { message: string; at: number }): JobObservation {
  const uid = job.metadata?.uid;
  const pods = allPods
    .filter((pod) => pod.metadata?.ownerReferences?.some((owner) => owner.uid === uid))
    .sort((a, b) => created(a) - created(b));
  const newest = pods.at(-1);
  const failed = pods.filter((pod) => pod.status?.phase === 'Failed').at(-1);

  const activePod = pods.some((pod) => !['Succeeded', 'Failed'].includes(pod.status?.phase ?? 'Pending'));
  const observation: JobObservation = { running: newest?.status?.phase === 'Running', activePod };
  if (newest?.metadata?.name) observation.podName = newest.metadata.name;
  if (newest && newest.status?.phase !== 'Running' && (newest.status?.phase ?? 'Pending') === 'Pending') {
    observation.waitingReason = pendingReason(newest);
  }
  if (failed) observation.lastFailure = podFailure(failed);

  const complete = jobCondition(job, 'Complete');
  const jobFailed = jobCondition(job, 'Failed');
  if (complete) observation.finished = { succeeded: true };
  else if (jobFailed) observation.finished = { succeeded: false, reason: jobFailed.reason, message: jobFailed.message };
  const newestCreated = newest ? Math.floor(created(newest) / 1000) * 1000 : Number.NEGATIVE_INFINITY;
  if (!observation.finished && !activePod && failedCreate && failedCreate.at >= newestCreated) {
    observation.refusal = classifyPodCreateRefusal(failedCreate.message);
  }
  return observation;
}

/** Events as short lines for a status display, newest last: "Warning FailedScheduling: 0/3 nodes ...". */
export function eventLines(events: readonly CoreV1Event[], max = 5): string[] {
  return events.slice(-max).map((event) => {
    const count = (event.count ?? 1) > 1 ? ` (x${event.count})` : '';
    return `${event.type ?? 'Normal'} ${event.reason ?? ''}${count}: ${event.message ?? ''}`.trim();
  });
}
