import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '@dcl-enas/cluster';
import { experimentSpecWithTrialTemplateJsonSchema } from './experiment-spec-schema';
import { behaviourByTrial, type PodBehaviour, KubeApiStandin, ShippedNats, OrchestratorProcess, REGISTER, REPO_ROOT as ROOT, baseEnv, enasCli, ProcessKubelet, TEST_NAMESPACE } from '@dcl-enas/k8s-testing';
import { testTemplate } from '../test-support/harness';
import type { TrialTemplateInput } from './trial-template';

/**
 * The orchestrator with ENAS_TRIAL_LAUNCHER=kubernetes, end to end: the real orchestrator process
 * (`enas serve orchestrator`), a real nats-server with JetStream, and the stand-in Kubernetes API
 * server (libs/k8s-testing) in place of a cluster. The test plays the kubelet: for
 * every pod the stand-in schedules, it runs the real trainer in job mode
 * (apps/trainer/src/job-mode/main.ts) with the environment of the pod's container, and reports
 * its exit code and termination message back to the stand-in. `enas status` and `enas stop` run
 * as the user runs them.
 */

let nats: ShippedNats;
const dir = mkdtempSync(join(tmpdir(), 'enas-k8s-e2e-'));
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

/** The orchestrator on the stand-in server and this test's nats-server; killed at the test's end. */
class Orchestrator {
  static async start(standin: KubeApiStandin, port: number, env: Record<string, string>): Promise<OrchestratorProcess> {
    const orchestrator = await OrchestratorProcess.start({
      standin,
      natsUrl: nats.url,
      port,
      dir,
      env: { ...nats.login('orchestrator'), ...env },
    });
    cleanups.push(() => orchestrator.kill());
    return orchestrator;
  }
}

/** An orchestrator that should not start: its exit code and stderr. */
async function failedStart(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [...REGISTER, 'apps/cli/src/main.ts', 'serve', 'orchestrator', '--nats', nats.url], {
    cwd: ROOT,
    env: { ...baseEnv(), ...nats.login('orchestrator'), ENAS_HTTP_PORT: '0', ENAS_TRIAL_LAUNCHER: 'kubernetes', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  cleanups.push(() => void child.kill('SIGKILL'));
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, stderr };
}

const enas = enasCli;

/** Plays the kubelet: runs the real trainer in job mode for every pod, with the pod's environment and the Secrets above. */
class Kubelet extends ProcessKubelet {
  constructor(standin: KubeApiStandin) {
    super(standin, TEST_NAMESPACE, { cwd: ROOT, baseEnv: baseEnv(), secrets: nats.secrets });
    cleanups.push(() => this.stop());
  }
}

async function standinServer(podBehaviour: PodBehaviour): Promise<KubeApiStandin> {
  const standin = await KubeApiStandin.start({ podBehaviour });
  cleanups.push(() => standin.close());
  return standin;
}

/** The default trial template file the orchestrator reads (ENAS_TRIAL_TEMPLATE_FILE). */
function templateFile(overrides: Partial<TrialTemplateInput> = {}): string {
  const file = join(dir, `template-${Math.random().toString(36).slice(2)}.json`);
  // The trainer runs from the repository checkout, so the command is `node` itself.
  const template = testTemplate({ nats: { url: nats.url, ...nats.trainerLogin }, command: [process.execPath, ...REGISTER, 'apps/trainer/src/job-mode/main.ts'], ...overrides });
  writeFileSync(file, JSON.stringify(template));
  return file;
}

const trialJobs = (standin: KubeApiStandin) => standin.jobs(TEST_NAMESPACE).filter((job) => job.metadata?.labels?.['dcl-enas.io/role'] === 'trial');

describe('the orchestrator runs trials as Kubernetes Jobs (real nats-server, stand-in Kubernetes API server)', () => {
  it('an orchestrator restarted while 8 Jobs run adopts the 8 Jobs, creates none, and the experiment completes', async () => {
    const standin = await standinServer(() => ({ kind: 'external' }));
    const kubelet = new Kubelet(standin);
    kubelet.held = true;
    const port = await freePort();
    const env = { ENAS_TRIAL_TEMPLATE_FILE: templateFile({ maxConcurrentTrials: 8 }), ENAS_K8S_MAX_CONCURRENT_JOBS: '8' };
    const first = await Orchestrator.start(standin, port, env);
    const id = await first.submit({ space: 'nb201', dataset: 'cifar10', strategy: 'rea', seed: 4, queries: 8, batchSize: 8 });
    const running = await first.waitFor(id, '8 running Jobs', (x) => x.launcher?.phases.Running === 8);
    expect(running.launcher).toMatchObject({ kind: 'kubernetes', namespace: TEST_NAMESPACE, maxConcurrentJobs: 8, maxConcurrentTrials: 8, adopted: 0 });
    expect(trialJobs(standin)).toHaveLength(8);
    const createsBefore = standin.stats.creates; // 8 trials and the experiment's anchor
    expect(createsBefore).toBe(9);

    await first.kill('SIGKILL');
    const second = await Orchestrator.start(standin, port, env);
    const adopted = await second.waitFor(id, '8 adopted Jobs', (x) => x.status === 'running' && x.launcher?.adopted === 8 && x.launcher.phases.Running === 8);
    expect(adopted.launcher!.trials.every((t) => t.adopted && t.phase === 'Running' && t.attempt === 1)).toBe(true);
    // The resumed experiment has dispatched its batch again: still no new Job, no 409 either.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(standin.stats.creates).toBe(createsBefore);
    expect(standin.stats.alreadyExists).toBe(0);
    expect(trialJobs(standin)).toHaveLength(8);

    kubelet.held = false;
    const done = await second.waitFor(id, 'completion', (x) => x.status !== 'running' && x.status !== 'queued');
    expect(done.status).toBe('completed');
    expect(done.queriesDone).toBe(8);
    // The results are in before the trainers' pods have ended and the watch has shown it.
    const finished = await second.waitFor(id, 'the Jobs to finish', (x) => x.launcher?.phases.Succeeded === 8);
    expect(finished.launcher?.phases).toEqual({ Queued: 0, Pending: 0, Running: 0, Succeeded: 8, Failed: 0, Stopped: 0 });
    expect(standin.stats.creates).toBe(createsBefore);
    expect(kubelet.started.size).toBe(8);
    // The completed experiment's anchor is gone; its finished trial Jobs stay (ttlSecondsAfterFinished).
    await expect.poll(() => standin.jobs(TEST_NAMESPACE).filter((job) => job.metadata?.labels?.['dcl-enas.io/role'] === 'experiment').length, { timeout: 30_000 }).toBe(0);
    expect(trialJobs(standin)).toHaveLength(8);
    expect(trialJobs(standin).every((job) => (job.metadata?.ownerReferences ?? []).length === 0)).toBe(true);

    const status = await enas(['status', id, '--api', second.api]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/trial Jobs {2}namespace enas-test: 0 running, 0 pending, 0 queued, 8 succeeded, 0 failed, 0 stopped \(at most 8 Jobs in all, 8 for this experiment\); 8 adopted after an orchestrator restart/);
  }, 300_000);

  // Finished Jobs hold no slot (the stand-in's TTL controller may not have deleted one yet).
  it('with a limit of 4 Jobs and 20 trials in flight, never more than 4 unfinished Jobs exist, and all 20 are trained', async () => {
    const standin = await standinServer(() => ({ kind: 'external' }));
    new Kubelet(standin);
    const orchestrator = await Orchestrator.start(standin, await freePort(), {
      ENAS_TRIAL_TEMPLATE_FILE: templateFile({ maxConcurrentTrials: 20, ttlSecondsAfterFinished: 0 }),
      ENAS_K8S_MAX_CONCURRENT_JOBS: '4',
    });
    const id = await orchestrator.submit({ space: 'nb201', dataset: 'cifar100', strategy: 'random', seed: 2, queries: 20, batchSize: 20 });
    const waiting = await orchestrator.waitFor(id, '16 queued trials', (x) => x.launcher?.phases.Queued === 16);
    expect(waiting.launcher!.phases.Pending + waiting.launcher!.phases.Running).toBe(4);
    const done = await orchestrator.waitFor(id, 'completion', (x) => x.status !== 'running' && x.status !== 'queued', 150_000);
    expect(done.status).toBe('completed');
    expect(done.queriesDone).toBe(20);
    expect(standin.stats.creates).toBe(21);
    expect(standin.stats.maxLiveTrialJobs).toBe(4);
  }, 240_000);

  it('a pod Pending past the limit shows its reason and events in `enas status`, and fails the experiment with that reason when no failure is tolerated', async () => {
    const standin = await standinServer(behaviourByTrial({ '2': { kind: 'unschedulable' } }, { kind: 'external' }));
    new Kubelet(standin);
    const orchestrator = await Orchestrator.start(standin, await freePort(), {
      ENAS_TRIAL_TEMPLATE_FILE: templateFile({ pending: { timeoutSeconds: 6, action: 'retry', maxRetries: 1 } }),
    });
    const id = await orchestrator.submit({ space: 'nb201', dataset: 'cifar10', strategy: 'random', seed: 1, queries: 4, batchSize: 4, trial: { maxFailedTrials: 0 } });
    await orchestrator.waitFor(id, 'trial 2 Pending', (x) => x.launcher?.trials.some((t) => t.trialId === '2' && t.phase === 'Pending' && /^Unschedulable/.test(t.reason ?? '')) ?? false);
    const whilePending = await enas(['status', id, '--api', orchestrator.api]);
    expect(whilePending.code).toBe(0);
    expect(whilePending.stdout).toMatch(/^ {2}trial 2 {2}(Pending \d+s|Queued) {2}.*Unschedulable: 0\/3 nodes are available: 3 Insufficient nvidia.com\/gpu/m);

    const failed = await orchestrator.waitFor(id, 'the experiment to fail', (x) => x.status === 'failed');
    expect(failed.reason).toMatch(/^trial 2 \(.+\) failed: PendingTimeout: not running after \d+s \(limit 6s\): Unschedulable: 0\/3 nodes are available/);
    expect(standin.stats.creates).toBe(1 + 4 + 1); // the anchor, 4 trials, trial 2's second attempt
    const status = await enas(['status', id, '--api', orchestrator.api]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/failed \(trial 2 .* failed: PendingTimeout/);
    expect(status.stdout).toMatch(/trial Jobs {2}namespace enas-test: 0 running, 0 pending, 0 queued, 3 succeeded, 1 failed/);
    expect(status.stdout).toMatch(/^ {2}trial 2 {2}Failed {2}PendingTimeout: not running after \d+s \(limit 6s\): Unschedulable: 0\/3 nodes are available.* \(attempt 2\)$/m);
    expect(status.stdout).toMatch(/^ {6}Warning FailedScheduling: 0\/3 nodes are available: 3 Insufficient nvidia.com\/gpu/m);
  }, 180_000);

  it('`enas stop` deletes the experiment\'s Jobs and their pods; a spec with a bad trial template is refused at submission', async () => {
    const standin = await standinServer(() => ({ kind: 'external' }));
    const kubelet = new Kubelet(standin);
    kubelet.held = true;
    const orchestrator = await Orchestrator.start(standin, await freePort(), { ENAS_TRIAL_TEMPLATE_FILE: templateFile() });
    // The spec's own template fields replace the default's.
    const id = await orchestrator.submit({ space: 'nb201', dataset: 'cifar10', strategy: 'random', queries: 3, batchSize: 3, trialTemplate: { gpus: 2, maxConcurrentTrials: 2 } });
    const running = await orchestrator.waitFor(id, '2 running Jobs', (x) => x.launcher?.phases.Running === 2 && x.launcher.phases.Queued === 1);
    expect(running.launcher!.maxConcurrentTrials).toBe(2);
    expect(trialJobs(standin).map((job) => job.spec!.template.spec!.containers[0]!.resources!.limits!['nvidia.com/gpu'])).toEqual(['2', '2']);

    const stopped = await enas(['stop', id, '--api', orchestrator.api]);
    expect(stopped.code).toBe(0);
    await orchestrator.waitFor(id, 'stopped', (x) => x.status === 'stopped' && x.launcher?.phases.Stopped === 3);
    await expect.poll(() => standin.jobs(TEST_NAMESPACE).length + standin.pods(TEST_NAMESPACE).length, { timeout: 30_000 }).toBe(0);

    const bad = await fetch(`${orchestrator.api}/experiments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'enas/v1', kind: 'Experiment', space: 'nb201', dataset: 'cifar10', strategy: 'random', queries: 3, trialTemplate: { gpus: -1 } }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/^trialTemplate\.gpus: .*>=\s*0/);
    // The spec's JSON Schema as served includes the trial template's.
    expect(await (await fetch(`${orchestrator.api}/schema/experiment`)).json()).toEqual(experimentSpecWithTrialTemplateJsonSchema());
  }, 120_000);

  it('a bad default template or an unreachable API server stops the orchestrator at start-up with one line', async () => {
    const badTemplate = join(dir, 'bad-template.yaml');
    writeFileSync(badTemplate, 'image: trainer:1\ngpus: many\n');
    const bad = await failedStart({ ENAS_TRIAL_TEMPLATE_FILE: badTemplate });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^enas( orchestrator)?: .*bad-template\.yaml\.gpus: .*number.*; fix that field of the trial template/);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);

    const kubeconfig = join(dir, 'kubeconfig-closed.json');
    const closed = await freePort(); // nothing listens there
    writeFileSync(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'none', cluster: { server: `http://127.0.0.1:${closed}`, 'insecure-skip-tls-verify': true } }],
        users: [{ name: 'anonymous', user: {} }],
        contexts: [{ name: 'none', context: { cluster: 'none', user: 'anonymous', namespace: TEST_NAMESPACE } }],
        'current-context': 'none',
      }),
    );
    const unreachable = await failedStart({ KUBECONFIG: kubeconfig, ENAS_TRIAL_TEMPLATE_FILE: templateFile() });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/^enas( orchestrator)?: ENAS_TRIAL_LAUNCHER=kubernetes: cannot list Jobs in namespace enas-test \(.*ECONNREFUSED.*\): check the API server address/);
    expect(unreachable.stderr.trim().split('\n')).toHaveLength(1);
  }, 60_000);
});
