import { KubeClusterApi, connectToServer } from '../src/kube-api';
import { TrialLauncher, type LauncherOptions } from '../src/launcher';
import type { TrialTemplateInput } from '../src/trial-template';
import type { TrialPhase, TrialStatus } from '../src/trial-status';
import { TEST_NAMESPACE, type KubeApiStandin } from '@dcl-enas/k8s-testing';

/** A template with the fast settings the lifecycle tests and the benchmark use. */
export function testTemplate(overrides: Partial<TrialTemplateInput> = {}): TrialTemplateInput {
  return {
    image: 'registry.example/dcl-enas-trainer:test',
    gpus: 1,
    resources: { requests: { cpu: '1', memory: '2Gi' }, limits: { memory: '4Gi' } },
    nodeSelector: {},
    backoffLimit: 1,
    ttlSecondsAfterFinished: 3600,
    maxConcurrentTrials: 100,
    ...overrides,
  };
}

/** A launcher talking real HTTP to the stand-in API server. */
export function launcherFor(standin: KubeApiStandin, options: Partial<Omit<LauncherOptions, 'api'>> = {}): TrialLauncher {
  const { kubeConfig, namespace } = connectToServer(standin.url, TEST_NAMESPACE);
  return new TrialLauncher({
    api: new KubeClusterApi(kubeConfig, namespace),
    maxConcurrentJobs: 100,
    pendingCheckIntervalMs: 25,
    createBackoffMs: { initial: 20, max: 200 },
    watchRestartMs: 20,
    ...options,
  });
}

/**
 * How long a test waits for something the stand-in and the launcher will do. Generous on
 * purpose: it bounds waiting, it does not check speed, and CI machines run other jobs.
 */
export const PATIENT_MS = 30_000;

/** Resolves when `predicate` holds, polling; rejects with `what` and the last statuses after `timeoutMs`. */
export async function waitFor(what: string, predicate: () => boolean, timeoutMs = PATIENT_MS, describe?: () => unknown): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${describe ? `: ${JSON.stringify(describe(), null, 1)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export function phases(statuses: readonly TrialStatus[]): Record<string, TrialPhase> {
  return Object.fromEntries(statuses.map((status) => [status.trialId, status.phase]));
}
