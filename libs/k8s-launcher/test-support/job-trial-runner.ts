import { cpSync, existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { ResultEvent, SpecSpace, TrialRequest } from '@dcl-enas/contracts';
import type { TrialRunner } from '@dcl-enas/trials';
import { JobTrialDispatcher } from '../src/job-dispatcher';
import type { TrialLauncher } from '../src/launcher';
import { parseTrialTemplate } from '../src/trial-template';
import { userTrials } from '../src/user-trials';
import type { ProcessKubelet } from '@dcl-enas/k8s-testing';

const EXPERIMENT = 'conformance';

/**
 * The Kubernetes Job runner as a TrialRunner for the protocol's conformance suite: each trial
 * goes through the orchestrator's JobTrialDispatcher and the launcher to a Job of the user's image
 * on the stand-in API server, runs in the ProcessKubelet, and its outcome is the result the
 * dispatcher stores, read back from the pod. The pod's trial directory is copied to the suite's
 * `dir` afterwards (the suite reads the files the trial wrote, as `kubectl cp` would).
 */
export function jobTrialRunner(launcher: TrialLauncher, kubelet: ProcessKubelet, spaces: Record<string, SpecSpace>): TrialRunner {
  const stored = new Map<number, ResultEvent>();
  const dispatcher = new JobTrialDispatcher(
    { dispatch: async () => undefined, withdraw: async () => 0, settle: async () => undefined },
    { hasResult: async (trial) => stored.has(trial.index), append: async (_id, event) => void (event.type === 'result' && stored.set(event.index, event)) },
    launcher,
    () => parseTrialTemplate({ image: 'registry.example/conformance:1', maxConcurrentTrials: 8 }),
    undefined,
    userTrials,
  );
  return async (input, options) => {
    const space = spaces[options.space.name];
    if (!space) throw new Error(`no spec definition for space ${options.space.name}`);
    const index = Number(input.trialId);
    const request: TrialRequest = {
      experimentId: EXPERIMENT,
      index,
      space,
      dataset: 'synthetic',
      arch: input.arch,
      key: options.space.key(options.space.parse(input.arch)),
      token: randomBytes(16).toString('hex'),
      trial: {
        command: [...options.command],
        image: 'registry.example/conformance:1',
        parallel: 1,
        retries: 0,
        ...(options.env ? { env: { ...options.env } } : {}),
        ...(options.timeoutMs === undefined ? {} : { timeoutSeconds: Math.ceil(options.timeoutMs / 1000) }),
        ...(input.params ? { params: input.params } : {}),
      },
      objective: { metric: options.objective.metric, goal: 'maximize' },
    };
    await dispatcher.dispatch([request], false);
    const deadline = Date.now() + 60_000;
    while (!stored.has(index)) {
      if (Date.now() > deadline) throw new Error(`trial ${index}: no result in 60 s: ${JSON.stringify(launcher.trialStatus(EXPERIMENT, String(index)))}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const event = stored.get(index)!;
    const podName = launcher.trialStatus(EXPERIMENT, String(index))?.podName;
    const trialDir = podName ? kubelet.volumeDir(podName, 'trial') : undefined;
    if (trialDir && existsSync(trialDir)) cpSync(trialDir, options.dir, { recursive: true });
    return {
      status: event.outcome ? 'succeeded' : 'failed',
      metrics: event.outcome?.metrics ?? {},
      intermediate: [],
      reason: event.error ?? null,
      logTail: [],
      seconds: event.outcome?.trainSeconds ?? 0,
    };
  };
}

