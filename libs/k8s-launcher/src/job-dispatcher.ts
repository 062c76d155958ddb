import type { ResultEvent, TrialOutcome, TrialRequest } from '@dcl-enas/contracts';
import type { TrialDispatcher } from '@dcl-enas/search';
import type { FinishedPod, TrialLauncher } from './launcher';
import type { UserTrial } from './user-trial-pod';
import type { TrialTemplate } from './trial-template';
import type { TrialStatus } from './trial-status';
import { TRAINER_ENV } from './trainer-env';

/** The queue side the dispatcher needs (libs/cluster's TrialQueue and EventLog provide it). */
export interface TrialQueuePort {
  dispatch(trials: readonly TrialRequest[], resumed: boolean): Promise<void>;
  withdraw(experimentId: string): Promise<number>;
  settle(experimentId: string, indices: readonly number[]): Promise<void>;
}
export interface ResultLookup {
  /** Whether the trial's genuine result (its key and token) is stored. */
  hasResult(trial: TrialRequest): Promise<boolean>;
  /** Stores an event in the experiment's log; the same result stored twice is kept once. */
  append(experimentId: string, event: ResultEvent): Promise<unknown>;
}

/**
 * Trials that run the user's image and command (a spec with trial.command): what their pod gets,
 * and their result from what the pod left. The orchestrator provides it (libs/experiments).
 */
export interface UserTrialPort {
  /** The pod's user container for a trial with a command; undefined for a trial the trainer runs. */
  userTrial(trial: TrialRequest): UserTrial | undefined;
  /** The trial's result from its finished pod: the outcome, or why it failed. */
  result(trial: TrialRequest, pod: FinishedPod): { outcome: TrialOutcome } | { error: string };
}

/** Longest failure reason written into a result event. */
const MAX_ERROR_CHARS = 2000;
/** Pause before storing a failed trial's result again after NATS refused it. */
const RETRY_MS = 2_000;

/**
 * Runs an experiment's trials as Kubernetes Jobs (ENAS_TRIAL_LAUNCHER=kubernetes): each trial is
 * still published to the JetStream queue, as the record of trials not yet answered, and a Job is
 * created that carries the trial request itself (ENAS_TRIAL_REQUEST, with the trial's token), so
 * the trainer in job mode (apps/trainer/src/job-mode) reads nothing from NATS. No trainer worker
 * consumes the queue in this mode. After an orchestrator restart (`resumed`),
 * trials with a stored result get no Job, and live Jobs are adopted by the launcher, not duplicated.
 * A trial whose Job fails for good (stuck Pending past its limit, backoff limit, deadline) gets a
 * failed result with the launcher's reason, so the experiment does not wait for it forever.
 */
export class JobTrialDispatcher implements TrialDispatcher {
  private readonly registered = new Set<string>();
  /** Trials handed to the launcher and not yet known to have a result: (experiment, trial id) to the request. */
  private readonly requests = new Map<string, TrialRequest>();
  /** Of those, the trials that run the user's image (their result is read from the pod). */
  private readonly userTrialKeys = new Set<string>();

  constructor(
    private readonly queue: TrialQueuePort,
    private readonly results: ResultLookup,
    private readonly launcher: TrialLauncher,
    /** The experiment's trial template: its spec's own, else the default file's. */
    private readonly templateFor: (experimentId: string) => TrialTemplate | Promise<TrialTemplate>,
    /** Told when a trial's result could not be stored (it is tried again after a pause). */
    private readonly onError: (error: unknown, status: TrialStatus) => void = () => undefined,
    private readonly userTrials?: UserTrialPort,
  ) {
    launcher.onStatus((status) => {
      if (status.phase === 'Failed' || (status.phase === 'Succeeded' && this.isUserTrial(status))) void this.recordResult(status);
      else if (status.phase === 'Succeeded' || status.phase === 'Stopped') this.forget(requestKey(status.experimentId, status.trialId));
    });
  }

  async dispatch(trials: readonly TrialRequest[], resumed: boolean): Promise<void> {
    await this.queue.dispatch(trials, resumed);
    for (const trial of trials) {
      if (!this.registered.has(trial.experimentId)) {
        await this.launcher.registerExperiment(trial.experimentId, await this.templateFor(trial.experimentId));
        this.registered.add(trial.experimentId);
      }
      if (resumed && (await this.results.hasResult(trial))) continue;
      const trialId = String(trial.index);
      this.requests.set(requestKey(trial.experimentId, trialId), trial);
      const userTrial = this.userTrials?.userTrial(trial);
      if (userTrial) this.userTrialKeys.add(requestKey(trial.experimentId, trialId));
      // A user's pod gets no trial request: its token, the right to store the result, stays here.
      const status = this.launcher.submit(
        userTrial ? { experimentId: trial.experimentId, trialId, userTrial } : { experimentId: trial.experimentId, trialId, env: { [TRAINER_ENV.trialRequest]: JSON.stringify(trial) } },
      );
      // Ended before this dispatch (an adopted Job, or a result that could not be stored then).
      if (status.phase === 'Failed' || (status.phase === 'Succeeded' && userTrial)) await this.recordResult(status);
    }
  }

  /** On stop: withdraws the queued trials and deletes the experiment's Jobs (and their pods). */
  async withdraw(experimentId: string): Promise<number> {
    const withdrawn = await this.queue.withdraw(experimentId);
    await this.launcher.stopExperiment(experimentId);
    this.registered.delete(experimentId);
    for (const key of [...this.requests.keys()]) if (key.startsWith(`${experimentId}\u0000`)) this.forget(key);
    return withdrawn;
  }

  settle(experimentId: string, indices: readonly number[]): Promise<void> {
    return this.queue.settle(experimentId, indices);
  }

  /** On completion: the experiment's anchor Job goes; its finished trial Jobs stay until their TTL. */
  async finished(experimentId: string): Promise<void> {
    this.registered.delete(experimentId);
    await this.queue.withdraw(experimentId);
    await this.launcher.finishExperiment(experimentId);
  }

  private forget(key: string): void {
    this.requests.delete(key);
    this.userTrialKeys.delete(key);
  }

  private isUserTrial(status: TrialStatus): boolean {
    return this.userTrialKeys.has(requestKey(status.experimentId, status.trialId));
  }

  /**
   * Stores the result of a trial whose Job ended: a failed Job's reason; for a user trial, what
   * its pod left (read back from the API server). The trainer stores its own results.
   */
  private async recordResult(status: TrialStatus): Promise<void> {
    const key = requestKey(status.experimentId, status.trialId);
    const trial = this.requests.get(key);
    if (!trial) return;
    try {
      if (!(await this.results.hasResult(trial))) {
        const result = this.isUserTrial(status) ? await this.userTrialResult(trial, status) : { error: jobFailure(status) };
        await this.results.append(trial.experimentId, {
          type: 'result',
          index: trial.index,
          key: trial.key,
          token: trial.token,
          outcome: 'outcome' in result ? result.outcome : null,
          ...('error' in result ? { error: result.error.slice(0, MAX_ERROR_CHARS) } : {}),
          trainer: `launcher:${status.jobName ?? 'none'}`,
          attempt: status.attempt,
          at: new Date().toISOString(),
        });
      }
      this.forget(key);
    } catch (error) {
      this.onError(error, status);
      setTimeout(() => void this.recordResult(status), RETRY_MS).unref();
    }
  }

  private async userTrialResult(trial: TrialRequest, status: TrialStatus): Promise<{ outcome: TrialOutcome } | { error: string }> {
    const pod = await this.launcher.finishedPod(status.experimentId, status.trialId);
    if (status.phase === 'Succeeded') {
      return pod ? this.userTrials!.result(trial, pod) : { error: `the Job ${status.jobName ?? ''} succeeded but its pod is gone: its result cannot be read` };
    }
    const fromPod = pod ? this.userTrials!.result(trial, pod) : undefined;
    // The pod's reason names the trial's own failure; the Job's message would repeat its log.
    const podReason = fromPod && 'error' in fromPod ? `${fromPod.error} (${status.reason ?? 'Failed'})` : undefined;
    return { error: podReason ?? jobFailure(status) };
  }
}

/** A failed Job's reason, its message and the events about it, as one line. */
function jobFailure(status: TrialStatus): string {
  const detail = status.message && status.message !== status.reason ? `${status.reason ?? 'Failed'} (${status.message})` : (status.reason ?? 'Failed');
  const events = status.events.length > 0 ? `; events: ${status.events.join(' | ')}` : '';
  return `${detail}${events}`;
}

function requestKey(experimentId: string, trialId: string): string {
  return `${experimentId}\u0000${trialId}`;
}
