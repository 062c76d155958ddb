import type { ResultEvent, TrialRequest } from '@dcl-enas/contracts';
import type { TrialDispatcher } from '@dcl-enas/search';
import type { TrialLauncher } from './launcher';
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

  constructor(
    private readonly queue: TrialQueuePort,
    private readonly results: ResultLookup,
    private readonly launcher: TrialLauncher,
    /** The experiment's trial template: its spec's own, else the default file's. */
    private readonly templateFor: (experimentId: string) => TrialTemplate | Promise<TrialTemplate>,
    /** Told when a failed trial's result could not be stored (it is tried again after a pause). */
    private readonly onError: (error: unknown, status: TrialStatus) => void = () => undefined,
  ) {
    launcher.onStatus((status) => {
      if (status.phase === 'Failed') void this.recordFailure(status);
      else if (status.phase === 'Succeeded' || status.phase === 'Stopped') this.requests.delete(requestKey(status.experimentId, status.trialId));
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
      const status = this.launcher.submit({ experimentId: trial.experimentId, trialId, env: { [TRAINER_ENV.trialRequest]: JSON.stringify(trial) } });
      // Failed before this dispatch (an adopted Job, or a result that could not be stored then).
      if (status.phase === 'Failed') await this.recordFailure(status);
    }
  }

  /** On stop: withdraws the queued trials and deletes the experiment's Jobs (and their pods). */
  async withdraw(experimentId: string): Promise<number> {
    const withdrawn = await this.queue.withdraw(experimentId);
    await this.launcher.stopExperiment(experimentId);
    this.registered.delete(experimentId);
    for (const key of [...this.requests.keys()]) if (key.startsWith(`${experimentId}\u0000`)) this.requests.delete(key);
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

  private async recordFailure(status: TrialStatus): Promise<void> {
    const key = requestKey(status.experimentId, status.trialId);
    const trial = this.requests.get(key);
    if (!trial) return;
    try {
      if (!(await this.results.hasResult(trial))) {
        const detail = status.message && status.message !== status.reason ? `${status.reason ?? 'Failed'} (${status.message})` : (status.reason ?? 'Failed');
        const events = status.events.length > 0 ? `; events: ${status.events.join(' | ')}` : '';
        await this.results.append(trial.experimentId, {
          type: 'result',
          index: trial.index,
          key: trial.key,
          token: trial.token,
          outcome: null,
          error: `${detail}${events}`.slice(0, MAX_ERROR_CHARS),
          trainer: `launcher:${status.jobName ?? 'none'}`,
          attempt: status.attempt,
          at: new Date().toISOString(),
        });
      }
      this.requests.delete(key);
    } catch (error) {
      this.onError(error, status);
      setTimeout(() => void this.recordFailure(status), RETRY_MS).unref();
    }
  }
}

function requestKey(experimentId: string, trialId: string): string {
  return `${experimentId}\u0000${trialId}`;
}
