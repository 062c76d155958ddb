import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NatsServerProcess, freePort } from '@dcl-enas/cluster';
import { TEST_NAMESPACE, OrchestratorProcess, REPO_ROOT, baseEnv, enasCli, ProcessKubelet, KubeApiStandin } from '@dcl-enas/k8s-testing';

/**
 * A user's trial command as Kubernetes Jobs of the user's own image (ENAS_TRIAL_LAUNCHER=kubernetes,
 * docs/trials.md "Kubernetes Jobs"): the real orchestrator, a real nats-server, the stand-in API
 * server, and a kubelet played by the test that runs each pod's command as a local process with
 * the pod's volumes (arch.json from the Downward API, result.json as the termination message
 * file). The pod holds no NATS setting; the orchestrator reads the result back from the pod.
 */

let nats: NatsServerProcess;
const dir = mkdtempSync(join(tmpdir(), 'enas-user-image-'));
const cleanups: (() => Promise<void> | void)[] = [];
const IMAGE = 'registry.example/team/cell-trainer:1.4';

beforeEach(async () => {
  nats = await NatsServerProcess.start();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await nats?.dispose();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Reports half its results as result.json and half as a stdout line; fails cells with two pools, after a line on stderr. */
const script = join(dir, 'trial.sh');
writeFileSync(
  script,
  [
    '#!/usr/bin/env bash',
    'set -eu',
    'grep -q "\\"key\\"" "$ENAS_TRIAL_DIR/arch.json"',
    'convs=$(grep -o conv3 <<< "$ENAS_ARCH" | wc -l)',
    'pools=$(grep -o pool <<< "$ENAS_ARCH" | wc -l)',
    'echo "training $ENAS_ARCH for team $TEAM"',
    'if [ "$pools" -ge 2 ]; then echo "too many pools" >&2; exit 1; fi',
    'result="{\\"score\\": $((convs * 10 + pools)), \\"convs\\": $convs}"',
    'if [ $((convs % 2)) -eq 0 ]; then echo "$result" > "$ENAS_TRIAL_DIR/result.json"; else echo "enas-result $result"; fi',
  ].join('\n'),
);

const spec = {
  name: 'user-image',
  space: { type: 'cell', name: 'user-cell', nodes: 4, ops: ['none', 'skip', 'conv3', 'pool'] },
  dataset: 'synthetic',
  strategy: 'rea',
  seed: 2,
  queries: 26,
  batchSize: 1,
  trial: { command: ['bash', script], image: IMAGE, retries: 1, timeoutSeconds: 900, maxFailedTrials: 26, env: { TEAM: 'vision' } },
  objective: { metric: 'score', goal: 'maximize' },
};

async function cluster(): Promise<{ standin: KubeApiStandin; kubelet: ProcessKubelet; orchestrator: OrchestratorProcess }> {
  // Failed pods are replaced after 20 ms, not the real controller's 10 s and more.
  const standin = await KubeApiStandin.start({ podBehaviour: () => ({ kind: 'external' }), podRetryDelayMs: 20 });
  cleanups.push(() => standin.close());
  const kubelet = new ProcessKubelet(standin, TEST_NAMESPACE, { cwd: REPO_ROOT, baseEnv: baseEnv() });
  cleanups.push(() => kubelet.stop());
  // No default trial template: the spec's image is all a user's trial needs.
  const orchestrator = await OrchestratorProcess.start({ standin, natsUrl: nats.url, port: await freePort(), dir, env: {} });
  cleanups.push(() => orchestrator.kill());
  return { standin, kubelet, orchestrator };
}

describe("trial commands as Kubernetes Jobs of the user's image (stand-in API server, real nats-server)", () => {
  it('give the selected architecture and trajectory of `enas search --spec`; the pods hold the user image and command and no NATS setting', async () => {
    const specFile = join(dir, 'spec.json');
    writeFileSync(specFile, JSON.stringify({ apiVersion: 'enas/v1', kind: 'Experiment', ...spec }));
    const local = enasCli(['search', '--spec', specFile, '--out', join(dir, 'embedded'), '--json']);
    const { standin, kubelet, orchestrator } = await cluster();
    const id = await orchestrator.submit(spec);
    const done = await orchestrator.waitFor(id, 'completion', (x) => x.status !== 'running' && x.status !== 'queued', 240_000);
    expect(done.status).toBe('completed');
    const embeddedRun = await local;
    expect(embeddedRun.code).toBe(0);
    const embedded = JSON.parse(embeddedRun.stdout) as { best: { arch: string; key: string; valAcc: number }; trajectory: unknown[]; failedTrials: { index: number; arch: string; reason: string }[] };
    expect(done.best).toMatchObject({ arch: embedded.best.arch, key: embedded.best.key, valAcc: embedded.best.valAcc });
    expect(done.trajectory).toEqual(embedded.trajectory);

    // Failed trials: the same ones, each with the trial's own reason after its two attempts.
    expect(embedded.failedTrials.length).toBeGreaterThan(0);
    const failedTrials = done.failedTrials ?? [];
    expect(failedTrials.map((t) => [t.index, t.arch])).toEqual(embedded.failedTrials.map((t) => [t.index, t.arch]));
    for (const failed of failedTrials) expect(failed.reason).toMatch(/^exited with code 1: too many pools \(after 2 attempts\) \(BackoffLimitExceeded/);

    // Every pod ran the user's image and command, with the protocol's files and variables and no credentials.
    expect(kubelet.containers.size).toBe(26 + failedTrials.length);
    for (const container of kubelet.containers.values()) {
      expect(container.image).toBe(IMAGE);
      expect(container.command).toEqual(['bash', script]);
      const names = (container.env ?? []).map((e) => e.name);
      expect(names.filter((n) => n.startsWith('NATS_') || n === 'ENAS_TRIAL_REQUEST')).toEqual([]);
      expect(names).toEqual(expect.arrayContaining(['ENAS_TRIAL_DIR', 'ENAS_TRIAL_ID', 'ENAS_EXPERIMENT_ID', 'ENAS_ARCH', 'TEAM']));
      expect((container.env ?? []).every((e) => e.value !== undefined)).toBe(true);
      expect(container.envFrom).toBeUndefined();
    }
    // Both ways of reporting were read back: result.json as the termination message, the stdout line from the log.
    const messages = standin.pods(TEST_NAMESPACE).map((pod) => pod.status?.containerStatuses?.[0]?.state?.terminated?.message ?? '');
    expect(messages.filter((m) => /^\{"score": \d+, "convs": \d+\}\n$/.test(m)).length).toBeGreaterThan(0);
    expect(standin.pods(TEST_NAMESPACE).some((pod) => pod.status?.phase === 'Succeeded' && !pod.status.containerStatuses![0]!.state!.terminated!.message)).toBe(true);
    const trialJobs = standin.jobs(TEST_NAMESPACE).filter((job) => job.metadata?.labels?.['dcl-enas.io/role'] === 'trial');
    for (const job of trialJobs) {
      const pod = job.spec!.template.spec!;
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(pod.volumes!.filter((v) => v.secret || v.projected)).toEqual([]);
      expect(job.spec).toMatchObject({ backoffLimit: 1, activeDeadlineSeconds: 900 });
    }
  }, 300_000);

  it('a spec the Jobs cannot run is refused at submission with one line', async () => {
    const { orchestrator } = await cluster();
    const noImage = await orchestrator.post({ ...spec, trial: { command: ['bash', script] } });
    expect(noImage.status).toBe(400);
    expect(((await noImage.json()) as { error: string }).error).toBe('trial.image: required for trials run as Kubernetes Jobs (ENAS_TRIAL_LAUNCHER=kubernetes): the image that holds trial.command');
    const early = await orchestrator.post({ ...spec, earlyStopping: { rule: 'median', minTrials: 3, startStep: 1 } });
    expect(early.status).toBe(400);
    expect(((await early.json()) as { error: string }).error).toMatch(/^earlyStopping: not available for trials run as Kubernetes Jobs .*: intermediate values are not read from a running pod/);
  }, 120_000);
});
