import { afterEach, describe, expect, it } from 'vitest';
import type { TrialLauncher } from './launcher';
import { launcherView } from './launcher-view';
import type { TrialStatus } from './trial-status';
import { behaviourByTrial, KubeApiStandin, type StandinOptions, TEST_NAMESPACE } from '@dcl-enas/k8s-testing';
import { PATIENT_MS, launcherFor, testTemplate, waitFor } from '../test-support/harness';

/**
 * The launcher when the Job controller cannot create a trial's pod (FailedCreate events on the
 * Job, no pod): a ResourceQuota refusal is a trial waiting for quota (Queued, QuotaExceeded, its
 * pending clock not running until a pod exists), never a failure; a pod naming a missing
 * ServiceAccount or PriorityClass, or lacking what a quota needs, is a configuration error that
 * fails the trial at once.
 */

const open: { standins: KubeApiStandin[]; launchers: TrialLauncher[] } = { standins: [], launchers: [] };

async function standin(options: StandinOptions = {}): Promise<KubeApiStandin> {
  const server = await KubeApiStandin.start({ podCreateBackoffMs: { initial: 10, max: 80 }, ...options });
  open.standins.push(server);
  return server;
}

function launcher(server: KubeApiStandin, options: Parameters<typeof launcherFor>[1] = {}): TrialLauncher {
  const created = launcherFor(server, options);
  open.launchers.push(created);
  return created;
}

afterEach(async () => {
  await Promise.all(open.launchers.splice(0).map((l) => l.stop()));
  await Promise.all(open.standins.splice(0).map((s) => s.close()));
});

const gpuQuota = (gpus: number) => [{ namespace: TEST_NAMESPACE, name: 'gpu-quota', hard: { 'requests.nvidia.com/gpu': gpus } }];
const trialJobs = (server: KubeApiStandin) => server.jobs(TEST_NAMESPACE).filter((job) => !job.spec?.suspend);
const allIn = (l: TrialLauncher, experimentId: string, phase: string, count: number) => () =>
  l.status(experimentId).filter((s) => s.phase === phase).length === count;
const waitingForQuota = (status: TrialStatus | undefined) => status?.phase === 'Queued' && /^QuotaExceeded: pods "/.test(status.reason ?? '');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const QUOTA_REASON =
  /^QuotaExceeded: pods ".+-[a-z0-9]{5}" is forbidden: exceeded quota: gpu-quota, requested: requests\.nvidia\.com\/gpu=1, used: requests\.nvidia\.com\/gpu=2, limited: requests\.nvidia\.com\/gpu=2 \(waiting for quota; the Job controller retries creating the pod\)$/;

describe('trials whose pods admission refuses (stand-in Kubernetes API server)', () => {
  it('with a GPU quota of 2 and 6 trials: never more than 2 pods, the others Queued with the quota message past their pending timeout, none failed, all 6 succeed', async () => {
    const server = await standin({ podBehaviour: () => ({ kind: 'succeed', runMs: 1_500 }), resourceQuotas: gpuQuota(2) });
    const l = launcher(server, { maxConcurrentJobs: 6 });
    const seen: TrialStatus[] = [];
    l.onStatus((status) => seen.push(status));
    await l.start();
    // A pending timeout shorter than the wait for quota: it must not fail the waiting trials.
    await l.registerExperiment('exp-gq', testTemplate({ pending: { timeoutSeconds: 1, action: 'fail' } }));
    for (let i = 0; i < 6; i++) l.submit({ experimentId: 'exp-gq', trialId: `g${i}` });

    await waitFor('trials waiting for quota', () => l.status('exp-gq').filter(waitingForQuota).length === 4, PATIENT_MS, () => l.status('exp-gq'));
    const waiting = l.status('exp-gq').find(waitingForQuota)!;
    expect(waiting.reason).toMatch(QUOTA_REASON);
    expect(waiting.jobName).toBeDefined();
    expect(waiting.pendingSeconds).toBeUndefined();
    // What GET /experiments/:id (and `enas status`) shows: the waiting trials with their reason; their Jobs hold slots.
    const view = launcherView(l, 'exp-gq')!;
    expect(view.phases).toMatchObject({ Queued: 4 });
    expect(view.trials.filter((t) => t.phase === 'Queued').every((t) => QUOTA_REASON.test(t.reason ?? ''))).toBe(true);
    expect(l.summary()).toMatchObject({ active: 6, queued: 0 });
    expect(trialJobs(server)).toHaveLength(6);

    await waitFor('all 6 to succeed', allIn(l, 'exp-gq', 'Succeeded', 6), PATIENT_MS, () => l.status('exp-gq'));
    expect(seen.filter((s) => s.phase === 'Failed')).toEqual([]);
    expect(server.stats.maxActivePods).toBe(2);
    expect(server.stats.podCreateRefusals).toBeGreaterThan(0);
    expect(server.stats.creates).toBe(1 + 6); // the anchor and one Job per trial: no Job was deleted and made again
  });

  it('the pending timeout counts from the pod\'s creation, not from the wait for quota', async () => {
    const server = await standin({
      podBehaviour: behaviourByTrial({ first: { kind: 'external' }, second: { kind: 'unschedulable' } }, { kind: 'succeed' }),
      resourceQuotas: gpuQuota(1),
    });
    const l = launcher(server);
    let pendingAt = 0;
    l.onStatus((s) => {
      if (s.trialId === 'second' && s.phase === 'Pending' && pendingAt === 0 && s.podName) pendingAt = Date.now();
    });
    await l.start();
    await l.registerExperiment('exp-pt', testTemplate({ pending: { timeoutSeconds: 1, action: 'fail' } }));
    l.submit({ experimentId: 'exp-pt', trialId: 'first' });
    await waitFor('the first trial running', () => l.trialStatus('exp-pt', 'first')?.phase === 'Running', PATIENT_MS);
    l.submit({ experimentId: 'exp-pt', trialId: 'second' });
    await waitFor('the second waiting for quota', () => waitingForQuota(l.trialStatus('exp-pt', 'second')), PATIENT_MS, () => l.status());
    await sleep(2_500);
    expect(l.trialStatus('exp-pt', 'second')).toMatchObject({ phase: 'Queued', reason: expect.stringMatching(/^QuotaExceeded: /) });

    const pod = server.pods(TEST_NAMESPACE).find((p) => p.status?.phase === 'Running')!;
    server.endPod(TEST_NAMESPACE, pod.metadata!.name!, 0);
    await waitFor('the second trial to fail', allIn(l, 'exp-pt', 'Failed', 1), PATIENT_MS, () => l.status());
    const status = l.trialStatus('exp-pt', 'second')!;
    expect(status.reason).toMatch(/^PendingTimeout: not running after [12]s \(limit 1s\): Unschedulable: 0\/3 nodes are available/);
    expect(pendingAt).toBeGreaterThan(0);
    expect(Date.now() - pendingAt).toBeGreaterThanOrEqual(1_000);
    expect(l.trialStatus('exp-pt', 'first')!.phase).toBe('Succeeded');
  });

  it('a pod naming a ServiceAccount or PriorityClass that does not exist fails the trial at once with the API server\'s message; its Job is deleted', async () => {
    const server = await standin();
    const l = launcher(server);
    await l.start();
    await l.registerExperiment('exp-sa', testTemplate({ serviceAccountName: 'trial-runner' }));
    await l.registerExperiment('exp-pc', testTemplate({ priorityClassName: 'dcl-enas-trials' }));
    l.submit({ experimentId: 'exp-sa', trialId: 'x' });
    l.submit({ experimentId: 'exp-pc', trialId: 'y' });
    // Long before the default pending timeout (600 s).
    await waitFor('both to fail', () => allIn(l, 'exp-sa', 'Failed', 1)() && allIn(l, 'exp-pc', 'Failed', 1)(), PATIENT_MS, () => l.status());
    const sa = l.trialStatus('exp-sa', 'x')!;
    expect(sa.reason).toMatch(
      /^FailedCreate: pods ".+-" is forbidden: error looking up service account enas-test\/trial-runner: serviceaccount "trial-runner" not found; create the ServiceAccount, or set the trial template's serviceAccountName to one that exists$/,
    );
    expect(sa.events).toEqual(expect.arrayContaining([expect.stringMatching(/^Warning FailedCreate( \(x\d+\))?: Error creating: pods ".+" is forbidden: error looking up service account/)]));
    const pc = l.trialStatus('exp-pc', 'y')!;
    expect(pc.reason).toMatch(/^FailedCreate: pods ".+-" is forbidden: no PriorityClass with name dcl-enas-trials was found; create the PriorityClass, or set the trial template's priorityClassName to one that exists$/);
    await waitFor('their Jobs deleted', () => trialJobs(server).length === 0, PATIENT_MS);
    expect(server.stats.podsCreated).toBe(0);
  });

  it('a quota on cpu or memory that the trial template does not set ("must specify") fails the trial at once', async () => {
    const server = await standin({ resourceQuotas: [{ namespace: TEST_NAMESPACE, name: 'compute', hard: { 'limits.cpu': '16' } }] });
    const l = launcher(server);
    await l.start();
    await l.registerExperiment('exp-ms', testTemplate());
    l.submit({ experimentId: 'exp-ms', trialId: 'z' });
    await waitFor('the trial to fail', allIn(l, 'exp-ms', 'Failed', 1), PATIENT_MS, () => l.status());
    expect(l.trialStatus('exp-ms', 'z')!.reason).toMatch(
      /^FailedCreate: pods ".+-[a-z0-9]{5}" is forbidden: failed quota: compute: must specify limits\.cpu; a ResourceQuota in the namespace needs these requests or limits: set them in the trial template's resources$/,
    );
  });

  it('a pod that asks for more than the quota allows in all waits with that said, and is not failed', async () => {
    const server = await standin({ resourceQuotas: gpuQuota(1) });
    const l = launcher(server);
    await l.start();
    await l.registerExperiment('exp-big', testTemplate({ gpus: 2, pending: { timeoutSeconds: 1, action: 'fail' } }));
    l.submit({ experimentId: 'exp-big', trialId: 'b' });
    await waitFor('the reason', () => waitingForQuota(l.trialStatus('exp-big', 'b')), PATIENT_MS, () => l.status());
    expect(l.trialStatus('exp-big', 'b')!.reason).toMatch(
      /^QuotaExceeded: pods ".+" is forbidden: exceeded quota: gpu-quota, requested: requests\.nvidia\.com\/gpu=2, used: requests\.nvidia\.com\/gpu=0, limited: requests\.nvidia\.com\/gpu=1 \(one pod asks for more requests\.nvidia\.com\/gpu than the quota allows in all: it cannot start until the ResourceQuota is raised or the trial template asks for less\)$/,
    );
    await sleep(1_800);
    expect(l.trialStatus('exp-big', 'b')!.phase).toBe('Queued');
    // Raising the quota lets the Job controller's next try create the pod.
    server.setResourceQuota(TEST_NAMESPACE, 'gpu-quota', { 'requests.nvidia.com/gpu': 2 });
    await waitFor('success', allIn(l, 'exp-big', 'Succeeded', 1), PATIENT_MS, () => l.status());
  });

  it('a launcher restarted while a trial waits for quota adopts its Job as waiting, and does not fail it by the Job\'s age', async () => {
    const server = await standin({ podBehaviour: behaviourByTrial({ hold: { kind: 'external' } }, { kind: 'succeed' }), resourceQuotas: gpuQuota(1) });
    const template = testTemplate({ pending: { timeoutSeconds: 1, action: 'fail' } });
    const first = launcher(server);
    await first.start();
    await first.registerExperiment('exp-ad', template);
    first.submit({ experimentId: 'exp-ad', trialId: 'hold' });
    await waitFor('running', () => first.trialStatus('exp-ad', 'hold')?.phase === 'Running', PATIENT_MS);
    first.submit({ experimentId: 'exp-ad', trialId: 'later' });
    await waitFor('waiting', () => waitingForQuota(first.trialStatus('exp-ad', 'later')), PATIENT_MS, () => first.status());
    await first.stop();
    await sleep(1_500); // the waiting Job is now older than the pending timeout

    const second = launcher(server);
    await second.start();
    await second.registerExperiment('exp-ad', template);
    await waitFor('adopted as waiting', () => waitingForQuota(second.trialStatus('exp-ad', 'later')), PATIENT_MS, () => second.status());
    await sleep(1_500);
    expect(second.trialStatus('exp-ad', 'later')).toMatchObject({ phase: 'Queued', adopted: true });
    const pod = server.pods(TEST_NAMESPACE).find((p) => p.status?.phase === 'Running')!;
    server.endPod(TEST_NAMESPACE, pod.metadata!.name!, 0);
    await waitFor('both to succeed', allIn(second, 'exp-ad', 'Succeeded', 2), PATIENT_MS, () => second.status());
    expect(server.stats.creates).toBe(3);
  });
});
