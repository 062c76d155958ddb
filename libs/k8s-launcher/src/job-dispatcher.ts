import type { TrialRequest } from '@dcl-enas/contracts';
import type { TrialDispatcher } from '@dcl-enas/experiments';
import type { TrialLauncher } from './launcher';
import type { TrialTemplate } from './trial-template';

/** The queue side the dispatcher needs (libs/cluster's TrialQueue and EventLog provide it). */
export interface TrialQueuePort {
  dispatch(trials: readonly TrialRequest[], resumed: boolean): Promise<void>;
  withdraw(experimentId: string): Promise<number>;
}
export interface ResultLookup {
  hasResult(experimentId: string, index: number): Promise<boolean>;
}

/**
 * Runs an experiment's trials as Kubernetes Jobs (ENAS_TRIAL_LAUNCHER=kubernetes): each trial is
 * still published to the JetStream queue (its payload: arch, key, space), and a Job is created
 * whose trainer, in job mode, reads exactly that trial by id (apps/trainer/src/job-mode). No
 * trainer worker consumes the queue in this mode. After an orchestrator restart (`resumed`),
 * trials with a stored result get no Job, and live Jobs are adopted by the launcher, not duplicated.
 */
export class JobTrialDispatcher implements TrialDispatcher {
  private readonly registered = new Set<string>();

  constructor(
    private readonly queue: TrialQueuePort,
    private readonly results: ResultLookup,
    private readonly launcher: TrialLauncher,
    /** The experiment's trial template: its spec's own, else the default file's. */
    private readonly templateFor: (experimentId: string) => TrialTemplate,
  ) {}

  async dispatch(trials: readonly TrialRequest[], resumed: boolean): Promise<void> {
    await this.queue.dispatch(trials, resumed);
    for (const trial of trials) {
      if (!this.registered.has(trial.experimentId)) {
        await this.launcher.registerExperiment(trial.experimentId, this.templateFor(trial.experimentId));
        this.registered.add(trial.experimentId);
      }
      if (resumed && (await this.results.hasResult(trial.experimentId, trial.index))) continue;
      this.launcher.submit({ experimentId: trial.experimentId, trialId: String(trial.index) });
    }
  }

  /** On stop: withdraws the queued trials and deletes the experiment's Jobs (and their pods). */
  async withdraw(experimentId: string): Promise<number> {
    const withdrawn = await this.queue.withdraw(experimentId);
    await this.launcher.stopExperiment(experimentId);
    this.registered.delete(experimentId);
    return withdrawn;
  }
}
