import { TrialFailure, UserError } from '@dcl-enas/common';
import type { ExperimentSpec, TrialRequest } from '@dcl-enas/contracts';
import { remoteCommandOutcome, trialArchJson } from '@dcl-enas/experiments';
import type { UserTrialPort } from './job-dispatcher';
import { TRIAL_ENV } from '@dcl-enas/trials';

/**
 * Trials with a command, run as Kubernetes Jobs of the user's image (docs/trials.md,
 * "Kubernetes Jobs"): the pod gets arch.json and the protocol's variables; its result is read
 * back from the pod by the same rules as a local run.
 */
export const userTrials: UserTrialPort = {
  userTrial(trial: TrialRequest) {
    const settings = trial.trial;
    if (!settings?.command) return undefined;
    if (!settings.image) throw new UserError(`trial ${trial.index}: trial.image is required for trials run as Kubernetes Jobs`);
    const arch = trialArchJson(trial);
    return {
      image: settings.image,
      command: settings.command,
      env: { ...settings.env, [TRIAL_ENV.trialId]: arch.trialId, [TRIAL_ENV.experimentId]: arch.experimentId, [TRIAL_ENV.arch]: arch.arch },
      archJson: `${JSON.stringify(arch, null, 2)}\n`,
      retries: settings.retries ?? 0,
      ...(settings.timeoutSeconds === undefined ? {} : { timeoutSeconds: settings.timeoutSeconds }),
    };
  },
  result(trial, pod) {
    try {
      const resultFile = pod.terminationMessage.trim() === '' ? null : pod.terminationMessage;
      return { outcome: remoteCommandOutcome(trial, { exitCode: pod.exitCode, resultFile, log: pod.log, seconds: pod.seconds, attempts: pod.attempts, ...(pod.reason ? { exitReason: pod.reason } : {}) }) };
    } catch (error) {
      if (error instanceof TrialFailure) return { error: error.message };
      throw error;
    }
  },
};

/** Why a spec with a trial command cannot run as Kubernetes Jobs, or null when it can. */
export function userTrialSpecProblem(spec: ExperimentSpec): string | null {
  const trial = spec.trial;
  if (!trial?.command) return null;
  const jobs = 'trials run as Kubernetes Jobs (ENAS_TRIAL_LAUNCHER=kubernetes)';
  if (!trial.image) return `trial.image: required for ${jobs}: the image that holds trial.command`;
  if (spec.earlyStopping) return `earlyStopping: not available for ${jobs}: intermediate values are not read from a running pod; drop it, or run trials on trainer workers (ENAS_TRIAL_LAUNCHER=queue)`;
  if (trial.gpus) return `trial.gpus: GPU ids are for a local run; for ${jobs} set each trial's GPUs with trialTemplate.gpus`;
  return null;
}
