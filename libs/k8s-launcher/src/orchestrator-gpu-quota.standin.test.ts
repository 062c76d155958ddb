import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '@dcl-enas/cluster';
import { KubeApiStandin, ShippedNats, OrchestratorProcess, REGISTER, REPO_ROOT as ROOT, baseEnv, enasCli, ProcessKubelet, TEST_NAMESPACE } from '@dcl-enas/k8s-testing';
import { testTemplate } from '../test-support/harness';
import type { TrialTemplateInput } from './trial-template';

/**
 * A ResourceQuota on GPUs, end to end: the real orchestrator process (`enas serve orchestrator`,
 * ENAS_TRIAL_LAUNCHER=kubernetes), a real nats-server with JetStream, and the stand-in Kubernetes
 * API server, whose pod admission refuses a trial pod beyond the quota (FailedCreate on its Job)
 * while its Job controller retries. The test plays the kubelet as orchestrator-jobs.standin.test.ts
 * does: the real trainer in job mode runs each pod's container.
 */

let nats: ShippedNats;
const dir = mkdtempSync(join(tmpdir(), 'enas-k8s-quota-'));
const cleanups: (() => Promise<void> | void)[] = [];

beforeEach(async () => {
  nats = await ShippedNats.start();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  const violations = nats?.violations() ?? [];
  await nats?.dispose();
  expect(violations).toEqual([]);
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function orchestrator(standin: KubeApiStandin, env: Record<string, string>): Promise<OrchestratorProcess> {
  const started = await OrchestratorProcess.start({
    standin,
    natsUrl: nats.url,
    port: await freePort(),
    dir,
    env: { ...nats.login('orchestrator'), ...env },
  });
  cleanups.push(() => started.kill());
  return started;
}

/** The default trial template file the orchestrator reads (ENAS_TRIAL_TEMPLATE_FILE); the trainer runs from the checkout. */
function templateFile(overrides: Partial<TrialTemplateInput>): string {
  const file = join(dir, `template-${Math.random().toString(36).slice(2)}.json`);
  const template = testTemplate({ nats: { url: nats.url, ...nats.trainerLogin }, command: [process.execPath, ...REGISTER, 'apps/trainer/src/job-mode/main.ts'], ...overrides });
  writeFileSync(file, JSON.stringify(template));
  return file;
}

const QUOTA_LINE =
  /^ {2}trial \d+ {2}Queued {2}QuotaExceeded: pods "[^"]+" is forbidden: exceeded quota: gpu-quota, requested: requests\.nvidia\.com\/gpu=1, used: requests\.nvidia\.com\/gpu=2, limited: requests\.nvidia\.com\/gpu=2 \(waiting for quota; the Job controller retries creating the pod\) {2}\(job [^)]+\)$/gm;

describe('the orchestrator under a GPU ResourceQuota (real nats-server, stand-in Kubernetes API server)', () => {
  it('a GPU quota of 2 with 6 trials: never more than 2 trial pods at once, the waiting trials show the quota in `enas status`, none fails, all 6 finish', async () => {
    const standin = await KubeApiStandin.start({
      podBehaviour: () => ({ kind: 'external' }),
      resourceQuotas: [{ namespace: TEST_NAMESPACE, name: 'gpu-quota', hard: { 'requests.nvidia.com/gpu': 2 } }],
      podCreateBackoffMs: { initial: 20, max: 200 },
    });
    cleanups.push(() => standin.close());
    const kubelet = new ProcessKubelet(standin, TEST_NAMESPACE, { cwd: ROOT, baseEnv: baseEnv(), secrets: nats.secrets });
    cleanups.push(() => kubelet.stop());
    kubelet.held = true; // the first 2 trainers wait, so the other 4 trials wait for quota long enough to look at
    const orch = await orchestrator(standin, {
      // A pending timeout far shorter than the wait for quota: it must not fail the waiting trials.
      ENAS_TRIAL_TEMPLATE_FILE: templateFile({ gpus: 1, maxConcurrentTrials: 6, pending: { timeoutSeconds: 3, action: 'fail' } }),
      ENAS_K8S_MAX_CONCURRENT_JOBS: '6',
    });
    const id = await orch.submit({ space: 'nb201', dataset: 'cifar10', strategy: 'random', seed: 3, queries: 6, batchSize: 6, trial: { maxFailedTrials: 0 } });

    const waiting = await orch.waitFor(id, '4 trials waiting for quota', (x) => x.launcher?.trials.filter((t) => t.phase === 'Queued' && /^QuotaExceeded: /.test(t.reason ?? '')).length === 4);
    expect(waiting.launcher!.phases).toEqual({ Queued: 4, Pending: 0, Running: 2, Succeeded: 0, Failed: 0, Stopped: 0 });
    const status = await enasCli(['status', id, '--api', orch.api]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/trial Jobs {2}namespace enas-test: 2 running, 0 pending, 4 queued, 0 succeeded, 0 failed, 0 stopped \(at most 6 Jobs in all, 6 for this experiment\)/);
    expect(status.stdout.match(QUOTA_LINE)).toHaveLength(4);

    // Well past the pending timeout, the 4 still wait: none is failed, no Job is made again.
    await new Promise((resolve) => setTimeout(resolve, 4_500));
    const later = await orch.detail(id);
    expect(later.launcher!.phases).toMatchObject({ Queued: 4, Running: 2, Failed: 0 });
    expect(later.status).toBe('running');

    kubelet.held = false;
    const done = await orch.waitFor(id, 'completion', (x) => x.status !== 'running' && x.status !== 'queued', 180_000);
    expect(done.status).toBe('completed');
    expect(done.queriesDone).toBe(6);
    expect(done.failedTrials ?? []).toEqual([]);
    const finished = await orch.waitFor(id, 'the Jobs to finish', (x) => x.launcher?.phases.Succeeded === 6);
    expect(finished.launcher!.phases).toEqual({ Queued: 0, Pending: 0, Running: 0, Succeeded: 6, Failed: 0, Stopped: 0 });
    expect(standin.stats.maxActivePods).toBe(2);
    expect(standin.stats.podCreateRefusals).toBeGreaterThan(0);
    expect(standin.stats.creates).toBe(1 + 6); // the anchor and one Job per trial
    expect(kubelet.started.size).toBe(6);
  }, 300_000);
});
