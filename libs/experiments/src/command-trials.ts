import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TrialFailure, UserError } from '@dcl-enas/common';
import type { ExperimentSpec, Objective, TrialOutcome, TrialRequest } from '@dcl-enas/contracts';
import type { SearchSpace } from '@dcl-enas/spaces';
import {
  curveOf,
  medianStopping,
  remoteRunOutcome,
  runTrialCommand,
  type RemoteTrialOutput,
  type Curve,
  type TrialRunOutcome,
} from '@dcl-enas/trials';

/** Where and how this process runs trial commands (docs/trials.md). */
export interface CommandTrialContext {
  /** Each trial's attempts get fresh directories under `<trialRoot>/trial-<index>/`. */
  readonly trialRoot: string;
  /** The command's working directory (default: this process's). */
  readonly cwd?: string;
  /** CUDA_VISIBLE_DEVICES for this trial. */
  readonly gpu?: string;
  /** The early-stopping rule's judge of one trial's intermediate values (earlyStoppingFor). */
  readonly intermediate?: (trialIndex: number) => (step: number, values: Readonly<Record<string, number>>) => 'continue' | 'stop';
  /** Told each finished attempt's intermediate values (the early-stopping rule learns from them). */
  readonly onFinished?: (trialIndex: number, outcome: TrialRunOutcome) => void;
  readonly signal?: AbortSignal;
}

/** The first attempt directory not used yet: a crashed run's directories are kept as they were. */
function freshAttemptDir(root: string, index: number): { dir: string; attempt: number } {
  for (let attempt = 1; ; attempt++) {
    const dir = join(root, `trial-${index}`, `attempt-${attempt}`);
    if (!existsSync(dir)) return { dir, attempt };
  }
}

/**
 * Trains one trial with the user's command (trial protocol v1): up to 1 + trial.retries
 * attempts, each in a fresh directory. The objective metric becomes the search signal valAcc
 * (negated for goal minimize, so that every strategy maximises); every reported metric is kept.
 * An early-stopped trial keeps its last intermediate value. A trial that fails every attempt
 * throws TrialFailure with the last attempt's reason: a failed result, and the search goes on.
 */
export async function runCommandTrial(request: TrialRequest, space: SearchSpace<unknown>, context: CommandTrialContext): Promise<TrialOutcome> {
  const settings = request.trial;
  const command = settings?.command;
  const objective = request.objective;
  if (!settings || !command) throw new UserError(`trial ${request.index}: no trial command in the request`);
  if (!objective) throw new UserError(`trial ${request.index}: a trial command needs an objective (objective.metric)`);
  const attempts = 1 + (settings.retries ?? 0);
  let last: TrialRunOutcome | null = null;
  for (let i = 0; i < attempts; i++) {
    const { dir } = freshAttemptDir(context.trialRoot, request.index);
    const outcome = await runTrialCommand(
      { trialId: String(request.index), experimentId: request.experimentId, arch: request.arch, params: settings.params },
      {
        space,
        dir,
        command,
        cwd: context.cwd,
        env: settings.env,
        gpu: context.gpu,
        timeoutMs: settings.timeoutSeconds === undefined ? undefined : settings.timeoutSeconds * 1000,
        objective: { metric: objective.metric },
        onIntermediate: context.intermediate?.(request.index),
        signal: context.signal,
      },
    );
    context.onFinished?.(request.index, outcome);
    if (outcome.status === 'succeeded' || outcome.status === 'early-stopped') return searchOutcome(outcome, objective);
    last = outcome;
  }
  throw trialFailure(last!, attempts);
}

/**
 * A succeeded or early-stopped run as the search sees it: the objective metric becomes valAcc
 * (negated for goal minimize, so that every strategy maximises); every reported metric is kept.
 */
function searchOutcome(outcome: TrialRunOutcome, objective: Objective): TrialOutcome {
  const value = outcome.metrics[objective.metric];
  if (value === undefined) throw new TrialFailure(`early-stopped before reporting ${objective.metric}`, outcome.logTail);
  return {
    valAcc: (objective.goal === 'minimize' ? -1 : 1) * value,
    testAcc: null,
    trainSeconds: outcome.seconds,
    metrics: { ...outcome.metrics },
    ...(outcome.status === 'early-stopped' ? { earlyStopped: true as const } : {}),
  };
}

function trialFailure(last: TrialRunOutcome, attempts: number): TrialFailure {
  const tries = attempts > 1 ? ` (after ${attempts} attempts)` : '';
  const reason = last.reason ?? 'no reason given';
  return new TrialFailure(`${last.status === 'failed' ? reason : `${last.status}: ${reason}`}${tries}`, last.logTail);
}

/**
 * The outcome of a trial whose command ran in a pod, from what the pod left: the same rules as
 * a local run (runTrialCommand), on the exit code, result.json and the log. Throws TrialFailure
 * for a failed trial, as runCommandTrial does.
 */
export function remoteCommandOutcome(request: TrialRequest, output: RemoteTrialOutput & { readonly attempts: number }): TrialOutcome {
  const objective = request.objective;
  if (!objective) throw new UserError(`trial ${request.index}: a trial command needs an objective (objective.metric)`);
  const run = remoteRunOutcome(output, objective.metric);
  if (run.status !== 'succeeded') throw trialFailure(run, output.attempts);
  return searchOutcome(run, objective);
}

/**
 * The spec's earlyStopping as the hooks of a CommandTrialContext: the median rule, judged
 * against the curves of this process's completed trials (after a resume, those completed since;
 * docs/trials.md). No earlyStopping: no hooks.
 */
export function earlyStoppingFor(spec: Pick<ExperimentSpec, 'earlyStopping' | 'objective'>): Pick<CommandTrialContext, 'intermediate' | 'onFinished'> {
  const settings = spec.earlyStopping;
  const objective = spec.objective;
  if (!settings || !objective) return {};
  const rule = medianStopping({ minTrials: settings.minTrials, startStep: settings.startStep, goal: objective.goal });
  const completed: Curve[] = [];
  return {
    intermediate: () => rule.onIntermediate(objective.metric, () => completed),
    onFinished: (_index, outcome) => {
      if (outcome.status === 'succeeded') completed.push(curveOf(outcome.intermediate, objective.metric));
    },
  };
}
