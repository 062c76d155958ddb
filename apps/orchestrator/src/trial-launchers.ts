import { UserError } from '@dcl-enas/common';
import type { ExperimentSpec, LauncherView } from '@dcl-enas/contracts';
import type { EventLog, Logger, TrialQueue } from '@dcl-enas/cluster';
import type { TrialLauncher } from '@dcl-enas/search';
import {
  DEFAULT_TRIAL_POLICY,
  JobTrialDispatcher,
  classifyKubeError,
  clusterLauncher,
  launcherView,
  loadTrialTemplateFile,
  parseTrialTemplate,
  trialPolicyProblem,
  type DefaultTrialTemplate,
  type LauncherSettings,
  type TrialLauncher as KubernetesLauncher,
  type TrialTemplate,
  userTrialSpecProblem,
  userTrials,
} from '@dcl-enas/k8s-launcher';

/** What the launcher adds to experiments: a check at submission and the trial Jobs in GET /experiments/:id. */
export interface LauncherHooks {
  /** Throws a UserError (400) when the spec's trials cannot be launched. */
  checkSpec(spec: ExperimentSpec): void;
  status(experimentId: string): LauncherView | undefined;
}

export interface Trials {
  /** How the orchestrator hands out trials: the JetStream work queue, or one Kubernetes Job per trial. */
  readonly dispatcher: TrialLauncher;
  readonly hooks: LauncherHooks;
  close(): Promise<void>;
}

/**
 * An experiment's trial template: the fields of its spec's `trialTemplate` over those of the
 * default template (whole fields: a spec's `resources` replaces the default's `resources`).
 * Validated, naming the field at fault; undefined when there is neither.
 */
export function templateFor(spec: ExperimentSpec, fallback: TrialTemplate | undefined): TrialTemplate | undefined {
  if (spec.trialTemplate === undefined) return fallback;
  return parseTrialTemplate(fallback ? { ...fallback, ...spec.trialTemplate } : spec.trialTemplate, 'trialTemplate');
}

/**
 * The template of an experiment whose trials run as Kubernetes Jobs, checked against the
 * operator's trial policy (the default template file's `policy`; without that file, the
 * defaults): the fields the spec changes, the images it names (`trialTemplate.image`,
 * `trial.image`), the Secrets it names. A refusal is a UserError (HTTP 400) naming the field.
 */
export function experimentTemplate(spec: ExperimentSpec, defaults: DefaultTrialTemplate | undefined): TrialTemplate {
  const problem = userTrialSpecProblem(spec);
  if (problem) throw new UserError(problem);
  // A user's trial brings its image: the template then only places and sizes its pod.
  const userImage = spec.trial?.command ? spec.trial.image : undefined;
  const base = defaults?.template ?? (userImage ? parseTrialTemplate({ image: userImage }) : undefined);
  const template = templateFor(spec, base);
  if (!template) {
    throw new UserError(
      'this orchestrator runs trials as Kubernetes Jobs (ENAS_TRIAL_LAUNCHER=kubernetes) and has no default trial template: set ENAS_TRIAL_TEMPLATE_FILE on the orchestrator (docs/deploy.md, "The trial template"), or give the spec a trial command and its image (trial.command, trial.image)',
    );
  }
  const refused = trialPolicyProblem(defaults?.policy ?? DEFAULT_TRIAL_POLICY, { overrides: spec.trialTemplate, template, base, ...(spec.trial?.image === undefined ? {} : { userImage: spec.trial.image }) });
  if (refused) throw new UserError(refused);
  return template;
}

/** What a spec's trialTemplate is checked over in queue mode, which has no default template. */
export const QUEUE_MODE_STAND_IN = parseTrialTemplate({ image: 'unused-in-queue-mode' });

/**
 * Reads what the launcher mode needs before anything connects (the default template file and
 * its trial policy), so a bad setting ends start-up with one line and exit code 2.
 */
export function defaultTemplate(settings: LauncherSettings): DefaultTrialTemplate | undefined {
  return settings.mode === 'kubernetes' && settings.templateFile ? loadTrialTemplateFile(settings.templateFile) : undefined;
}

/**
 * ENAS_TRIAL_LAUNCHER=queue: trainer workers take trials from the queue. `kubernetes`: each
 * trial also gets a Job (libs/k8s-launcher), whose trainer in job mode reads it by id; the
 * launcher first lists and adopts the Jobs already there, so a restart creates none twice.
 */
export async function openTrials(
  settings: LauncherSettings,
  defaults: DefaultTrialTemplate | undefined,
  queue: TrialQueue,
  log: EventLog,
  logger: Logger,
  specOf: (experimentId: string) => Promise<ExperimentSpec>,
): Promise<Trials> {
  if (settings.mode === 'queue') {
    return {
      dispatcher: queue,
      // Trainer workers ignore a spec's trialTemplate; its fields are still checked, so that a
      // spec refused in kubernetes mode is not accepted here (the image may come from a default).
      hooks: { checkSpec: (spec) => void templateFor(spec, QUEUE_MODE_STAND_IN), status: () => undefined },
      close: async () => undefined,
    };
  }
  // At submission and again when the experiment's first trial is launched (after a restart, the policy then in force).
  const templateOf = (spec: ExperimentSpec): TrialTemplate => experimentTemplate(spec, defaults);
  const launcher: KubernetesLauncher = clusterLauncher(settings, logger.child({ component: 'k8s-launcher' }));
  try {
    await launcher.start();
  } catch (error) {
    await launcher.stop().catch(() => undefined);
    const problem = classifyKubeError(error);
    const fix =
      problem.kind === 'forbidden'
        ? "give the orchestrator's service account the launcher Role (docs/deploy.md, RBAC)"
        : 'check the API server address (in-cluster service account, else KUBECONFIG) and ENAS_K8S_NAMESPACE';
    throw new UserError(`ENAS_TRIAL_LAUNCHER=kubernetes: cannot list Jobs in namespace ${launcher.namespace} (${problem.message.split('\n')[0]}): ${fix}`, problem.kind === 'forbidden' ? 2 : 1);
  }
  logger.info({ namespace: launcher.namespace, maxConcurrentJobs: settings.maxConcurrentJobs, adopted: launcher.status().length }, 'trials run as Kubernetes Jobs');
  return {
    dispatcher: new JobTrialDispatcher(
      queue,
      log,
      launcher,
      async (experimentId) => templateOf(await specOf(experimentId)),
      (error, status) => logger.warn({ experiment: status.experimentId, trial: status.trialId, err: (error as Error).message }, 'result of a trial Job not stored; trying again'),
      userTrials,
    ),
    hooks: { checkSpec: (spec) => void templateOf(spec), status: (experimentId) => launcherView(launcher, experimentId) },
    close: () => launcher.stop(),
  };
}
