import { EventEmitter } from 'node:events';
import type { CoreV1Event, V1Job, V1OwnerReference, V1Pod } from './k8s-client';
import { buildExperimentAnchor, buildTrialJob, ownerReferenceTo } from './job-builder';
import { eventLines, newestFailedCreate, observeJob, type JobObservation, type PodCreateRefusal, type PodFailure } from './job-observation';
import type { KubeClusterApi, WatchedCache } from './kube-api';
import { classifyKubeError } from './kube-errors';
import { ANNOTATIONS, LABELS, MANAGED_SELECTOR, experimentAnchorName, experimentSelector } from './labels';
import type { UserTrial } from './user-trial-pod';
import { parseTrialTemplate, trialTemplateSchema, type TrialTemplate } from './trial-template';
import { TERMINAL_PHASES, type LauncherSummary, type TrialPhase, type TrialStatus } from './trial-status';

/** pino-compatible: launcher messages are structured (object first, then text). */
export interface LauncherLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface LauncherOptions {
  api: KubeClusterApi;
  /** Trials with a live Job across all experiments (the per-experiment limit is in the template). */
  maxConcurrentJobs: number;
  /** How often stuck-pending trials are looked for. */
  pendingCheckIntervalMs?: number;
  /** Back-off of a Job creation refused by quota or by an unavailable API server. */
  createBackoffMs?: { initial: number; max: number };
  /** Pause before a failed watch is restarted (it resumes from its last resourceVersion). */
  watchRestartMs?: number;
  log?: LauncherLog;
  now?: () => number;
}

export interface TrialSubmission {
  experimentId: string;
  trialId: string;
  /** Extra environment variables for this trial's pod. */
  env?: Record<string, string>;
  /** Run the user's image and command instead of the trainer (trial protocol v1). */
  userTrial?: UserTrial;
}

/** What a finished trial pod left (read from the API server, not the watch cache). */
export interface FinishedPod {
  podName: string;
  exitCode: number;
  /** The container's termination message: for a user trial, its result.json (4 KiB at most). */
  terminationMessage: string;
  /** The end of the container's log (LOG_TAIL_LINES_READ lines at most). */
  log: string;
  /** From the container's start to its end. */
  seconds: number;
  /** Pods the Job made (1 + its retries). */
  attempts: number;
  /** The kubelet's reason for the container's end: Completed, Error, OOMKilled... */
  reason?: string;
}

/** Lines of a finished trial's log read back: its enas-result line is looked for among them. */
export const LOG_TAIL_LINES_READ = 500;

/**
 * `quota`: the trial's Job exists but a ResourceQuota refused its pod (FailedCreate); the Job
 * controller tries again with its back-off. Shown as Queued; not timed by the pending policy.
 */
type State = 'queued' | 'creating' | 'quota' | 'pending' | 'running' | 'succeeded' | 'failed' | 'stopped';

/** A trial's TrialStatus fields, less those toStatus derives (phase, pendingSeconds, updatedAt), plus the launcher's own. */
interface TrialRecord extends Omit<TrialStatus, 'phase' | 'pendingSeconds' | 'updatedAt'> {
  state: State;
  env?: Record<string, string>;
  userTrial?: UserTrial;
  notBefore: number;
  createRetries: number;
  pendingSince?: number;
  handlingStuck: boolean;
  updatedAt: number;
  /** From the last observation: a pod of the current Job exists that has not finished. */
  activePod?: boolean;
  /** The newest FailedCreate event of the current Job (and its events as lines), read while it had no active pod. */
  failedCreate?: { jobName: string; message: string; at: number; events: string[] };
  /** A list of the current Job's events is in flight. */
  readingEvents?: boolean;
}

interface ExperimentRecord {
  template?: TrialTemplate;
  anchor?: V1OwnerReference;
  stopped: boolean;
}

const PHASE: Record<State, TrialPhase> = {
  queued: 'Queued',
  creating: 'Queued',
  quota: 'Queued',
  pending: 'Pending',
  running: 'Running',
  succeeded: 'Succeeded',
  failed: 'Failed',
  stopped: 'Stopped',
};
const LIVE: ReadonlySet<State> = new Set(['creating', 'quota', 'pending', 'running']);
/** Tries to delete the Job of a trial whose pod cannot be created (backing off as createBackoffMs says). */
const DELETE_TRIES = 5;
const DEFAULT_TEMPLATE_POLICY = trialTemplateSchema.shape.pending.parse({});

/** A container's end worth naming beside its exit code: OOMKilled, ContainerCannotRun... (not Error or Completed). */
function notableReason(failure: PodFailure): boolean {
  return failure.reason !== undefined && failure.reason !== 'Error' && failure.reason !== 'Completed';
}

/** "; last pod NAME: OOMKilled (exit 137)" for a failed Job whose last pod ended notably. */
function lastPodText(failure: PodFailure): string {
  return notableReason(failure) ? `; last pod ${failure.podName}: ${failure.reason} (exit ${failure.exitCode ?? '?'})` : '';
}

const key = (experimentId: string, trialId: string): string => `${experimentId}\u0000${trialId}`;

function jobOwnerName(pod: V1Pod): string | undefined {
  return pod.metadata?.ownerReferences?.find((owner) => owner.kind === 'Job')?.name;
}

/**
 * Runs trials as Kubernetes Jobs: one Job per trial attempt, at most `maxConcurrentJobs` live
 * at once (and at most the template's `maxConcurrentTrials` per experiment), watched through
 * informers on the launcher's labels. A launcher started next to existing Jobs adopts them.
 */
export class TrialLauncher {
  private readonly api: KubeClusterApi;
  private readonly log: LauncherLog | undefined;
  private readonly now: () => number;
  private readonly trials = new Map<string, TrialRecord>();
  private readonly experiments = new Map<string, ExperimentRecord>();
  private readonly podsByJob = new Map<string, Set<string>>();
  private readonly deletedByUs = new Set<string>();
  private readonly emitter = new EventEmitter();
  private jobs?: WatchedCache<V1Job>;
  private pods?: WatchedCache<V1Pod>;
  private running = false;
  private watchRestarts = 0;
  private pendingTimer?: NodeJS.Timeout;
  private pumpTimer?: NodeJS.Timeout;
  private pumpAt = Number.POSITIVE_INFINITY;

  constructor(private readonly options: LauncherOptions) {
    if (!Number.isInteger(options.maxConcurrentJobs) || options.maxConcurrentJobs < 1) {
      throw new Error(`maxConcurrentJobs must be a positive integer, got ${options.maxConcurrentJobs}`);
    }
    this.api = options.api;
    this.log = options.log;
    this.now = options.now ?? Date.now;
    this.emitter.setMaxListeners(0);
  }

  get namespace(): string {
    return this.api.namespace;
  }

  /** Lists and watches the launcher's Jobs and pods; every Job found is adopted, none recreated. */
  async start(): Promise<void> {
    if (this.running) return;
    // One plain list first: an unreachable API server or a missing permission fails start()
    // with its reason, instead of leaving the informers to retry in the background.
    await this.api.listJobs(MANAGED_SELECTOR);
    this.running = true;
    this.pods = this.api.podInformer(MANAGED_SELECTOR);
    this.jobs = this.api.jobInformer(MANAGED_SELECTOR);
    this.pods.on('add', (pod) => this.onPod(pod, false));
    this.pods.on('update', (pod) => this.onPod(pod, false));
    this.pods.on('delete', (pod) => this.onPod(pod, true));
    this.jobs.on('add', (job) => this.onJob(job));
    this.jobs.on('update', (job) => this.onJob(job));
    this.jobs.on('delete', (job) => this.onJobDeleted(job));
    for (const [name, informer] of [['pods', this.pods], ['jobs', this.jobs]] as const) {
      informer.on('error', (error) => this.restartWatch(name, informer, error));
    }
    // Pods first, so adopted Jobs are read together with their pods.
    await this.pods.start();
    await this.jobs.start();
    const interval = this.options.pendingCheckIntervalMs ?? 5_000;
    this.pendingTimer = setInterval(() => this.checkPending(), interval);
    this.pendingTimer.unref();
    this.log?.info({ namespace: this.namespace, adopted: this.trials.size }, 'trial launcher watching');
    this.pump();
  }

  /** Stops watching. Jobs keep running; a launcher started later adopts them. */
  async stop(): Promise<void> {
    this.running = false;
    clearInterval(this.pendingTimer);
    clearTimeout(this.pumpTimer);
    this.pumpAt = Number.POSITIVE_INFINITY;
    await this.jobs?.stop();
    await this.pods?.stop();
  }

  /**
   * Sets an experiment's trial template and makes sure its anchor Job (the owner of its trial
   * Jobs) exists. Call it before submitting trials, and again after a restart.
   */
  async registerExperiment(experimentId: string, templateInput: unknown): Promise<void> {
    const template = parseTrialTemplate(templateInput);
    const experiment = this.experiment(experimentId);
    experiment.template = template;
    experiment.stopped = false;
    if (!experiment.anchor) {
      const anchor = buildExperimentAnchor(template, experimentId, this.namespace);
      try {
        experiment.anchor = ownerReferenceTo(await this.api.createJob(anchor));
      } catch (error) {
        if (classifyKubeError(error).kind !== 'already-exists') throw error;
        const existing = await this.api.readJob(anchor.metadata!.name!);
        if (!existing) throw error;
        experiment.anchor = ownerReferenceTo(existing);
      }
    }
    this.pump();
  }

  /**
   * Queues a trial. Idempotent: a trial the launcher already knows (queued, live, adopted or
   * finished) keeps its Job and status; nothing is created twice.
   */
  submit(submission: TrialSubmission): TrialStatus {
    if (!this.running) throw new Error('start() the trial launcher before submitting trials');
    const experiment = this.experiments.get(submission.experimentId);
    if (!experiment?.template) {
      throw new Error(`experiment ${submission.experimentId} is not registered: call registerExperiment() with its trial template first`);
    }
    const existing = this.trials.get(key(submission.experimentId, submission.trialId));
    if (existing) return this.toStatus(existing);
    const record: TrialRecord = {
      experimentId: submission.experimentId,
      trialId: submission.trialId,
      attempt: 1,
      state: experiment.stopped ? 'stopped' : 'queued',
      events: [],
      adopted: false,
      ...(submission.env ? { env: submission.env } : {}),
      ...(submission.userTrial ? { userTrial: submission.userTrial } : {}),
      notBefore: 0,
      createRetries: 0,
      handlingStuck: false,
      updatedAt: this.now(),
    };
    this.trials.set(key(record.experimentId, record.trialId), record);
    this.emit(record);
    this.pump();
    return this.toStatus(record);
  }

  /** Forgets queued trials of the experiment and deletes all its Jobs (and their pods). */
  async stopExperiment(experimentId: string): Promise<void> {
    const experiment = this.experiment(experimentId);
    experiment.stopped = true;
    experiment.anchor = undefined;
    for (const record of this.trials.values()) {
      if (record.experimentId !== experimentId || TERMINAL_PHASES.has(PHASE[record.state])) continue;
      if (record.jobName) this.deletedByUs.add(record.jobName);
      this.setState(record, 'stopped', { reason: 'ExperimentStopped' });
    }
    await this.api.deleteJobs(experimentSelector(experimentId));
    this.pump();
  }

  /** The trial template an experiment was registered with (undefined before registerExperiment). */
  templateOf(experimentId: string): TrialTemplate | undefined {
    return this.experiments.get(experimentId)?.template;
  }

  /**
   * After an experiment completed: deletes its anchor Job only (orphaning its trial Jobs, which
   * keep their logs until ttlSecondsAfterFinished). Its trials' statuses stay readable.
   */
  async finishExperiment(experimentId: string): Promise<void> {
    const experiment = this.experiment(experimentId);
    experiment.stopped = true;
    experiment.anchor = undefined;
    const name = experimentAnchorName(experimentId);
    this.deletedByUs.add(name);
    await this.api.deleteJob(name, 'Orphan');
  }

  status(experimentId?: string): TrialStatus[] {
    const out: TrialStatus[] = [];
    for (const record of this.trials.values()) {
      if (experimentId === undefined || record.experimentId === experimentId) out.push(this.toStatus(record));
    }
    return out;
  }

  trialStatus(experimentId: string, trialId: string): TrialStatus | undefined {
    const record = this.trials.get(key(experimentId, trialId));
    return record && this.toStatus(record);
  }

  /**
   * The newest pod of a trial's Job once its container has ended, read from the API server (the
   * watch may not have shown the pod's end yet when the Job's does): exit code, termination
   * message and the end of its log. Undefined while no pod of the Job has ended.
   */
  async finishedPod(experimentId: string, trialId: string): Promise<FinishedPod | undefined> {
    const record = this.trials.get(key(experimentId, trialId));
    const jobName = record?.jobName;
    if (!jobName) return undefined;
    const pods = this.podsOf(jobName);
    const newest = pods.sort((a, b) => new Date(a.metadata?.creationTimestamp ?? 0).getTime() - new Date(b.metadata?.creationTimestamp ?? 0).getTime()).at(-1);
    const podName = newest?.metadata?.name;
    if (!podName) return undefined;
    const pod = await this.api.readPod(podName);
    const status = pod?.status?.containerStatuses?.[0];
    const terminated = status?.state?.terminated;
    if (!pod || !status || !terminated) return undefined;
    const log = await this.api.readPodLog(podName, status.name, LOG_TAIL_LINES_READ);
    const started = terminated.startedAt ? new Date(terminated.startedAt).getTime() : NaN;
    const finished = terminated.finishedAt ? new Date(terminated.finishedAt).getTime() : NaN;
    return {
      podName,
      exitCode: terminated.exitCode,
      terminationMessage: terminated.message ?? '',
      log,
      seconds: Number.isFinite(finished - started) ? Math.max(0, (finished - started) / 1000) : 0,
      attempts: Math.max(1, pods.length),
      ...(terminated.reason ? { reason: terminated.reason } : {}),
    };
  }

  summary(): LauncherSummary {
    const byPhase: Record<TrialPhase, number> = { Queued: 0, Pending: 0, Running: 0, Succeeded: 0, Failed: 0, Stopped: 0 };
    let active = 0;
    let queued = 0;
    for (const record of this.trials.values()) {
      byPhase[PHASE[record.state]]++;
      if (LIVE.has(record.state)) active++;
      if (record.state === 'queued') queued++;
    }
    return { maxConcurrentJobs: this.options.maxConcurrentJobs, active, queued, byPhase, watchRestarts: this.watchRestarts };
  }

  /** Called on every change of a trial's status; returns the unsubscribe function. */
  onStatus(listener: (status: TrialStatus) => void): () => void {
    this.emitter.on('status', listener);
    return () => this.emitter.off('status', listener);
  }

  private experiment(experimentId: string): ExperimentRecord {
    let experiment = this.experiments.get(experimentId);
    if (!experiment) {
      experiment = { stopped: false };
      this.experiments.set(experimentId, experiment);
    }
    return experiment;
  }

  private toStatus(record: TrialRecord): TrialStatus {
    const status: TrialStatus = {
      experimentId: record.experimentId,
      trialId: record.trialId,
      phase: PHASE[record.state],
      attempt: record.attempt,
      events: [...record.events],
      adopted: record.adopted,
      updatedAt: new Date(record.updatedAt).toISOString(),
    };
    if (record.jobName) status.jobName = record.jobName;
    if (record.podName) status.podName = record.podName;
    if (record.reason) status.reason = record.reason;
    if (record.message) status.message = record.message;
    if (record.exitCode !== undefined) status.exitCode = record.exitCode;
    if (record.state === 'pending' && record.pendingSince !== undefined) {
      status.pendingSeconds = Math.max(0, Math.round((this.now() - record.pendingSince) / 1000));
    }
    return status;
  }

  private emit(record: TrialRecord): void {
    record.updatedAt = this.now();
    this.emitter.emit('status', this.toStatus(record));
  }

  private setState(record: TrialRecord, state: State, details: { reason?: string; message?: string; exitCode?: number } = {}): void {
    const changed =
      record.state !== state || record.reason !== details.reason || record.message !== details.message || record.exitCode !== details.exitCode;
    if (state === 'pending' && record.state !== 'pending') record.pendingSince = this.now();
    record.state = state;
    record.reason = details.reason;
    record.message = details.message;
    record.exitCode = details.exitCode;
    if (changed) this.emit(record);
  }

  private activeCounts(): { total: number; byExperiment: Map<string, number> } {
    const byExperiment = new Map<string, number>();
    let total = 0;
    for (const record of this.trials.values()) {
      if (!LIVE.has(record.state)) continue;
      total++;
      byExperiment.set(record.experimentId, (byExperiment.get(record.experimentId) ?? 0) + 1);
    }
    return { total, byExperiment };
  }

  /** Starts queued trials, oldest first, while both limits allow. */
  private pump(): void {
    if (!this.running) return;
    const { total, byExperiment } = this.activeCounts();
    let active = total;
    const now = this.now();
    let nextRetry = Number.POSITIVE_INFINITY;
    // The map keeps insertion order, which is submission (or adoption) order.
    for (const record of this.trials.values()) {
      if (active >= this.options.maxConcurrentJobs) break;
      if (record.state !== 'queued') continue;
      const experiment = this.experiments.get(record.experimentId);
      if (!experiment?.template || !experiment.anchor || experiment.stopped) continue;
      const live = byExperiment.get(record.experimentId) ?? 0;
      if (live >= experiment.template.maxConcurrentTrials) continue;
      if (record.notBefore > now) {
        nextRetry = Math.min(nextRetry, record.notBefore);
        continue;
      }
      active++;
      byExperiment.set(record.experimentId, live + 1);
      record.state = 'creating';
      this.createJob(record, experiment.template, experiment.anchor).catch((error: unknown) => {
        const problem = classifyKubeError(error);
        this.createFailed(record, problem.kind, problem.message);
      });
    }
    if (nextRetry < this.pumpAt) {
      clearTimeout(this.pumpTimer);
      this.pumpAt = nextRetry;
      this.pumpTimer = setTimeout(() => {
        this.pumpAt = Number.POSITIVE_INFINITY;
        this.pump();
      }, Math.max(0, nextRetry - now));
      this.pumpTimer.unref();
    }
  }

  private async createJob(record: TrialRecord, template: TrialTemplate, owner: V1OwnerReference): Promise<void> {
    const job = buildTrialJob(template, {
      experimentId: record.experimentId,
      trialId: record.trialId,
      attempt: record.attempt,
      namespace: this.namespace,
      owner,
      ...(record.env ? { env: record.env } : {}),
      ...(record.userTrial ? { userTrial: record.userTrial } : {}),
    });
    const name = job.metadata!.name!;
    let created: V1Job | undefined;
    try {
      created = await this.api.createJob(job);
    } catch (error) {
      const problem = classifyKubeError(error);
      if (problem.kind === 'already-exists') {
        // Created by an earlier launcher whose watch has not shown it to us yet: adopt it.
        created = await this.api.readJob(name).catch(() => undefined);
        if (created) record.adopted = true;
      }
      if (!created) {
        this.createFailed(record, problem.kind, problem.message);
        return;
      }
    }
    record.createRetries = 0;
    if (record.state === 'stopped') {
      // The experiment was stopped while the request was in flight.
      this.deletedByUs.add(name);
      await this.api.deleteJob(name).catch(() => undefined);
      return;
    }
    if (record.jobName === name) return; // the watch showed the new Job before the response came
    record.jobName = name;
    this.setState(record, 'pending', { reason: 'NoPod: the Job has not created its pod yet' });
    this.refresh(record);
  }

  private createFailed(record: TrialRecord, kind: string, message: string): void {
    if (record.state !== 'creating') return;
    if (kind === 'quota' || kind === 'unavailable') {
      const { initial, max } = this.options.createBackoffMs ?? { initial: 2_000, max: 60_000 };
      const delay = Math.min(max, initial * 2 ** record.createRetries);
      record.createRetries++;
      record.notBefore = this.now() + delay;
      const label = kind === 'quota' ? 'QuotaExceeded' : 'ApiUnavailable';
      this.setState(record, 'queued', { reason: `${label}: ${message} (retry ${record.createRetries} in ${delay} ms)` });
      this.log?.warn({ trial: record.trialId, delayMs: delay }, `job creation refused (${label}); backing off`);
    } else {
      this.setState(record, 'failed', { reason: `CreateFailed: ${kind}: ${message}` });
      this.log?.error({ trial: record.trialId, kind }, `job creation failed: ${message}`);
    }
    this.pump();
  }

  private trialOf(object: V1Job | V1Pod): TrialRecord | undefined {
    const annotations = object.metadata?.annotations ?? {};
    const experimentId = annotations[ANNOTATIONS.experimentId];
    const trialId = annotations[ANNOTATIONS.trialId];
    return experimentId !== undefined && trialId !== undefined ? this.trials.get(key(experimentId, trialId)) : undefined;
  }

  private onJob(job: V1Job): void {
    const labels = job.metadata?.labels ?? {};
    const annotations = job.metadata?.annotations ?? {};
    const experimentId = annotations[ANNOTATIONS.experimentId];
    if (experimentId === undefined || job.metadata?.deletionTimestamp) return;
    if (labels[LABELS.role] === 'experiment') {
      const experiment = this.experiment(experimentId);
      if (!experiment.stopped && job.metadata?.uid) experiment.anchor = ownerReferenceTo(job);
      this.pump();
      return;
    }
    const trialId = annotations[ANNOTATIONS.trialId];
    if (trialId === undefined || labels[LABELS.role] !== 'trial') return;
    const attempt = Number(labels[LABELS.attempt] ?? '1');
    const name = job.metadata!.name!;
    let record = this.trials.get(key(experimentId, trialId));
    if (!record) {
      record = {
        experimentId,
        trialId,
        attempt,
        state: 'pending',
        jobName: name,
        events: [],
        adopted: true,
        notBefore: 0,
        createRetries: 0,
        pendingSince: this.jobCreatedAt(job),
        handlingStuck: false,
        updatedAt: this.now(),
      };
      this.trials.set(key(experimentId, trialId), record);
      this.experiment(experimentId);
    } else if (attempt < record.attempt || this.deletedByUs.has(name)) {
      return; // an earlier attempt being cleaned up
    } else if (attempt > record.attempt || record.jobName === undefined) {
      record.attempt = attempt;
      record.jobName = name;
      if (record.state === 'queued' || record.state === 'creating') {
        // The watch showed the Job before the create call returned: it waits from its creation.
        record.state = 'pending';
        record.pendingSince = this.jobCreatedAt(job);
      }
    }
    if (record.jobName === name) this.refresh(record);
  }

  private jobCreatedAt(job: V1Job): number {
    const created = job.metadata?.creationTimestamp;
    return created ? new Date(created).getTime() : this.now();
  }

  private onJobDeleted(job: V1Job): void {
    const name = job.metadata?.name ?? '';
    if (this.deletedByUs.delete(name)) return;
    if (job.metadata?.labels?.[LABELS.role] === 'experiment') {
      const experimentId = job.metadata.annotations?.[ANNOTATIONS.experimentId];
      const experiment = experimentId === undefined ? undefined : this.experiments.get(experimentId);
      if (experiment?.anchor?.uid === job.metadata.uid) experiment!.anchor = undefined;
      return;
    }
    const record = this.trialOf(job);
    if (!record || record.jobName !== name || !LIVE.has(record.state)) return;
    // Finished trials' Jobs go away with ttlSecondsAfterFinished; a live one was deleted by someone else.
    const last = this.jobs?.get(name, this.namespace) ?? job;
    const observation = observeJob(last, this.podsOf(name));
    if (observation.finished) {
      this.refreshFrom(record, observation);
      return;
    }
    this.setState(record, 'failed', { reason: 'JobDeleted: the Job was deleted before it finished (not by the launcher)' });
    this.pump();
  }

  private onPod(pod: V1Pod, deleted: boolean): void {
    const jobName = jobOwnerName(pod);
    const podName = pod.metadata?.name;
    if (!jobName || !podName) return;
    let names = this.podsByJob.get(jobName);
    if (deleted) {
      names?.delete(podName);
      if (names?.size === 0) this.podsByJob.delete(jobName);
    } else {
      if (!names) this.podsByJob.set(jobName, (names = new Set()));
      names.add(podName);
    }
    const record = this.trialOf(pod);
    if (record?.jobName === jobName) this.refresh(record);
  }

  private podsOf(jobName: string): V1Pod[] {
    const pods: V1Pod[] = [];
    for (const podName of this.podsByJob.get(jobName) ?? []) {
      const pod = this.pods?.get(podName, this.namespace);
      if (pod) pods.push(pod);
    }
    return pods;
  }

  /** Re-reads a live trial's state from the watched Job and pods (and the Job's last FailedCreate event read). */
  private refresh(record: TrialRecord): void {
    if (!record.jobName || !LIVE.has(record.state)) return;
    const job = this.jobs?.get(record.jobName, this.namespace);
    if (!job) return;
    const failedCreate = record.failedCreate?.jobName === record.jobName ? record.failedCreate : undefined;
    this.refreshFrom(record, observeJob(job, this.podsOf(record.jobName), failedCreate));
  }

  private refreshFrom(record: TrialRecord, observation: JobObservation): void {
    record.podName = observation.podName;
    record.activePod = observation.activePod;
    const failure = observation.lastFailure;
    const refusal = observation.refusal;
    if (observation.finished?.succeeded) {
      this.setState(record, 'succeeded');
    } else if (observation.finished) {
      const reason = observation.finished.reason ?? 'Failed';
      const detail = observation.finished.message ? `${reason}: ${observation.finished.message}` : reason;
      this.setState(record, 'failed', {
        reason: `${detail}${failure ? lastPodText(failure) : ''}`,
        message: failure?.message ?? observation.finished.message,
        ...(failure?.exitCode === undefined ? {} : { exitCode: failure.exitCode }),
      });
    } else if (observation.running) {
      this.setState(record, 'running', failure ? { reason: `Retrying: pod ${failure.podName} failed (exit ${failure.exitCode ?? '?'}${notableReason(failure) ? `, ${failure.reason}` : ''})`, message: failure.message } : {});
    } else if (refusal?.kind === 'quota') {
      this.waitForQuota(record, refusal, observation);
    } else if (refusal?.kind === 'config') {
      this.failUncreatable(record, refusal);
    } else {
      this.setState(record, 'pending', {
        reason: refusal ? `FailedCreate: ${refusal.message}` : (observation.waitingReason ?? 'NoPod: the Job has not created its pod yet'),
        ...(failure?.message ? { message: failure.message } : {}),
        ...(failure?.exitCode === undefined ? {} : { exitCode: failure.exitCode }),
      });
    }
    if (!LIVE.has(record.state)) this.pump();
  }

  /**
   * A ResourceQuota refused the Job's pod: the trial waits (Queued, QuotaExceeded) while the Job
   * controller tries again; its pending clock starts once a pod exists. It is not failed for it.
   */
  private waitForQuota(record: TrialRecord, refusal: PodCreateRefusal, observation: JobObservation): void {
    const beyond = refusal.beyondLimit ?? [];
    const detail =
      beyond.length > 0
        ? `one pod asks for more ${beyond.join(', ')} than the quota allows in all: it cannot start until the ResourceQuota is raised or the trial template asks for less`
        : 'waiting for quota; the Job controller retries creating the pod';
    if (record.state !== 'quota') this.log?.warn({ trial: record.trialId, job: record.jobName, refusal: refusal.message }, 'pod creation refused by a ResourceQuota; the trial waits for quota');
    const failure = observation.lastFailure;
    this.setState(record, 'quota', {
      reason: `QuotaExceeded: ${refusal.message} (${detail})`,
      ...(failure?.message ? { message: failure.message } : {}),
      ...(failure?.exitCode === undefined ? {} : { exitCode: failure.exitCode }),
    });
  }

  /**
   * The Job's pod cannot be created as it is (a missing ServiceAccount or PriorityClass, a request
   * a quota needs): the same for every attempt, so the trial fails at once, with what to fix, and
   * its Job is deleted (the Job controller would go on trying).
   */
  private failUncreatable(record: TrialRecord, refusal: PodCreateRefusal): void {
    const jobName = record.jobName!;
    const reason = `FailedCreate: ${refusal.message}; ${refusal.hint}`;
    record.events = record.failedCreate?.jobName === jobName ? record.failedCreate.events : [];
    this.deletedByUs.add(jobName);
    this.setState(record, 'failed', { reason });
    this.log?.error({ trial: record.trialId, job: jobName, events: record.events }, reason);
    void this.deleteJobOfFailedTrial(jobName);
  }

  private async deleteJobOfFailedTrial(jobName: string): Promise<void> {
    const { initial, max } = this.options.createBackoffMs ?? { initial: 2_000, max: 60_000 };
    for (let attempt = 1; ; attempt++) {
      try {
        await this.api.deleteJob(jobName);
        return;
      } catch (error) {
        if (attempt >= DELETE_TRIES || !this.running) {
          this.log?.error({ job: jobName, error: String(error) }, 'could not delete the Job of a trial that cannot start; delete it with kubectl');
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(max, initial * 2 ** attempt)).unref());
      }
    }
  }

  /** Keeps the newest FailedCreate event of the Job from a list of its events. */
  private noteFailedCreate(record: TrialRecord, jobName: string, events: readonly CoreV1Event[]): void {
    const newest = newestFailedCreate(events, this.jobs?.get(jobName, this.namespace)?.metadata?.uid);
    if (newest) record.failedCreate = { jobName, ...newest, events: eventLines(events) };
  }

  /**
   * Lists the events of a live trial's Job that has no pod (the launcher may list events, not
   * watch them): a FailedCreate says why, and whether the trial waits for quota or cannot start.
   */
  private async readJobEvents(record: TrialRecord): Promise<void> {
    const jobName = record.jobName!;
    record.readingEvents = true;
    try {
      const events = await this.api.eventsFor('Job', jobName);
      if (record.jobName !== jobName || record.handlingStuck) return;
      this.noteFailedCreate(record, jobName, events);
      this.refresh(record);
    } catch {
      // Listed again at the next check; the pending timeout still applies meanwhile.
    } finally {
      record.readingEvents = false;
    }
  }

  private checkPending(): void {
    const now = this.now();
    for (const record of this.trials.values()) {
      if ((record.state !== 'pending' && record.state !== 'quota') || record.handlingStuck || !record.jobName) continue;
      const policy = this.experiments.get(record.experimentId)?.template?.pending ?? DEFAULT_TEMPLATE_POLICY;
      // A trial waiting for quota is not timed: its clock starts when its pod exists.
      if (record.state === 'pending' && record.pendingSince !== undefined && now - record.pendingSince > policy.timeoutSeconds * 1000) void this.handleStuck(record, policy);
      else if (!record.activePod && !record.readingEvents) void this.readJobEvents(record);
    }
  }

  /** A trial pending past its limit: report why (status and events), then retry or fail it. */
  private async handleStuck(record: TrialRecord, policy: TrialTemplate['pending']): Promise<void> {
    record.handlingStuck = true;
    const jobName = record.jobName!;
    try {
      // Without a pod that has not finished, the Job's events say why (FailedCreate); else the pod's.
      const podless = !record.activePod || !record.podName;
      const events = await (podless ? this.api.eventsFor('Job', jobName) : this.api.eventsFor('Pod', record.podName!)).catch(() => []);
      if (record.state !== 'pending' || record.jobName !== jobName) return;
      if (podless) {
        // A quota refusal seen only now: the trial waits instead (a configuration error fails it).
        this.noteFailedCreate(record, jobName, events);
        this.refresh(record);
        if (record.state !== 'pending' || record.jobName !== jobName) return;
      }
      record.events = eventLines(events);
      const waited = Math.round((this.now() - record.pendingSince!) / 1000);
      const reason = `PendingTimeout: not running after ${waited}s (limit ${policy.timeoutSeconds}s): ${record.reason ?? 'unknown'}`;
      this.deletedByUs.add(jobName);
      await this.api.deleteJob(jobName);
      if (record.state !== 'pending' || record.jobName !== jobName) return;
      record.jobName = undefined;
      record.podName = undefined;
      if (policy.action === 'retry' && record.attempt <= policy.maxRetries) {
        record.attempt++;
        record.notBefore = 0;
        this.setState(record, 'queued', { reason: `${reason}; retrying as attempt ${record.attempt}` });
      } else {
        this.setState(record, 'failed', { reason });
      }
      this.log?.warn({ trial: record.trialId, attempt: record.attempt, events: record.events }, reason);
      this.pump();
    } catch (error) {
      this.log?.error({ trial: record.trialId, error: String(error) }, 'could not clean up a stuck trial; will try again');
    } finally {
      record.handlingStuck = false;
    }
  }

  private restartWatch(name: string, informer: WatchedCache<V1Job> | WatchedCache<V1Pod>, error: unknown): void {
    if (!this.running) return;
    this.watchRestarts++;
    this.log?.warn({ watch: name, error: String(error) }, 'watch failed; resuming from its last resourceVersion');
    const timer = setTimeout(() => {
      if (this.running) void informer.start().catch(() => undefined);
    }, this.options.watchRestartMs ?? 1_000);
    timer.unref();
  }
}

