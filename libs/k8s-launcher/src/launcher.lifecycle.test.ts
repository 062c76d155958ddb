import { afterEach, describe, expect, it } from 'vitest';
import { KubeClusterApi, connectToServer } from './kube-api';
import { buildTrialJob } from './job-builder';
import { parseTrialTemplate } from './trial-template';
import type { TrialLauncher } from './launcher';
import { behaviourByTrial, KubeApiStandin, type StandinOptions, TEST_NAMESPACE } from '@dcl-enas/k8s-testing';
import { PATIENT_MS, launcherFor, phases, testTemplate, waitFor } from '../test-support/harness';

const open: { standins: KubeApiStandin[]; launchers: TrialLauncher[] } = { standins: [], launchers: [] };

async function standin(options: StandinOptions = {}): Promise<KubeApiStandin> {
  const server = await KubeApiStandin.start(options);
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

const trialJobs = (server: KubeApiStandin) => server.jobs(TEST_NAMESPACE).filter((job) => !job.spec?.suspend);
const allIn = (l: TrialLauncher, experimentId: string, phase: string, count: number) => () =>
  l.status(experimentId).filter((s) => s.phase === phase).length === count;

describe('trial launcher against the stand-in Kubernetes API server', () => {
  it('runs trials to success: one validated Job each, owned by the experiment anchor', async () => {
    const server = await standin();
    const l = launcher(server);
    await l.start();
    await l.registerExperiment('exp-a', testTemplate());
    for (const trialId of ['t1', 't2', 't3']) l.submit({ experimentId: 'exp-a', trialId, env: { ENAS_EXTRA: 'x' } });
    await waitFor('3 trials to succeed', allIn(l, 'exp-a', 'Succeeded', 3), PATIENT_MS, () => l.status());

    const jobs = trialJobs(server);
    const anchor = server.jobs(TEST_NAMESPACE).find((job) => job.spec?.suspend)!;
    expect(jobs).toHaveLength(3);
    expect(server.stats.invalid).toBe(0);
    for (const job of jobs) {
      expect(job.metadata!.ownerReferences).toEqual([expect.objectContaining({ kind: 'Job', uid: anchor.metadata!.uid })]);
      expect(job.spec!.template.spec!.containers[0]!.resources!.limits!['nvidia.com/gpu']).toBe('1');
    }
    // Submitting a finished trial again changes nothing.
    expect(l.submit({ experimentId: 'exp-a', trialId: 't1' }).phase).toBe('Succeeded');
    expect(server.stats.creates).toBe(4);
  });

  it('a failing trial is retried by the Job (backoffLimit) and fails with the termination message and exit code', async () => {
    const server = await standin({
      podBehaviour: behaviourByTrial({ bad: { kind: 'fail', exitCode: 1, message: 'CUDA error: out of memory', runMs: 10 } }, { kind: 'succeed', runMs: 10 }),
      podRetryDelayMs: 10, // the real controller's 10 s, doubling, is the default
    });
    const l = launcher(server);
    await l.start();
    await l.registerExperiment('exp-f', testTemplate({ backoffLimit: 2 }));
    l.submit({ experimentId: 'exp-f', trialId: 'bad' });
    await waitFor('the trial to fail', allIn(l, 'exp-f', 'Failed', 1), PATIENT_MS, () => l.status());
    const status = l.trialStatus('exp-f', 'bad')!;
    expect(status.reason).toMatch(/^BackoffLimitExceeded/);
    expect(status.message).toBe('CUDA error: out of memory');
    expect(status.exitCode).toBe(1);
    expect(server.stats.podsCreated).toBe(3);
  });

  it('a pod ended by the OOM killer is named OOMKilled beside its exit code, not exit 137 alone', async () => {
    const server = await standin({
      podBehaviour: behaviourByTrial({ big: { kind: 'fail', exitCode: 137, reason: 'OOMKilled', message: 'loading the dataset', runMs: 10 } }, { kind: 'succeed', runMs: 10 }),
    });
    const l = launcher(server);
    await l.start();
    await l.registerExperiment('exp-oom', testTemplate({ backoffLimit: 0 }));
    l.submit({ experimentId: 'exp-oom', trialId: 'big' });
    await waitFor('the trial to fail', allIn(l, 'exp-oom', 'Failed', 1), PATIENT_MS, () => l.status());
    const status = l.trialStatus('exp-oom', 'big')!;
    expect(status.reason).toMatch(/^BackoffLimitExceeded: .*; last pod \S+: OOMKilled \(exit 137\)$/);
    expect(status.exitCode).toBe(137);
  });

  it('a non-retryable exit code fails the Job at once through its podFailurePolicy', async () => {
    const server = await standin({
      podBehaviour: behaviourByTrial({ input: { kind: 'fail', exitCode: 2, message: 'unknown architecture string "x"' } }, { kind: 'succeed' }),
    });
    const l = launcher(server);
    await l.start();
    await l.registerExperiment('exp-p', testTemplate({ backoffLimit: 5 }));
    l.submit({ experimentId: 'exp-p', trialId: 'input' });
    await waitFor('the trial to fail', allIn(l, 'exp-p', 'Failed', 1), PATIENT_MS, () => l.status());
    const status = l.trialStatus('exp-p', 'input')!;
    expect(status.reason).toMatch(/^PodFailurePolicy: .*exit code 2/);
    expect(status.message).toBe('unknown architecture string "x"');
    expect(server.stats.podsCreated).toBe(1);
  });

  it('a pod Pending past the limit shows its reason and events, is retried by policy, then failed', async () => {
    const server = await standin({ podBehaviour: behaviourByTrial({ stuck: { kind: 'unschedulable' } }, { kind: 'succeed' }) });
    const l = launcher(server);
    await l.start();
    await l.registerExperiment('exp-s', testTemplate({ pending: { timeoutSeconds: 1, action: 'retry', maxRetries: 1 } }));
    l.submit({ experimentId: 'exp-s', trialId: 'stuck' });
    await waitFor('the live reason', () => /^Unschedulable: 0\/3 nodes/.test(l.trialStatus('exp-s', 'stuck')?.reason ?? ''), PATIENT_MS);
    expect(l.trialStatus('exp-s', 'stuck')!.phase).toBe('Pending');

    await waitFor('the second attempt', () => l.trialStatus('exp-s', 'stuck')!.attempt === 2, PATIENT_MS, () => l.status());
    await waitFor('the trial to fail', allIn(l, 'exp-s', 'Failed', 1), PATIENT_MS, () => l.status());
    const status = l.trialStatus('exp-s', 'stuck')!;
    expect(status.attempt).toBe(2);
    expect(status.reason).toMatch(/^PendingTimeout: not running after \d+s \(limit 1s\): Unschedulable: 0\/3 nodes are available: 3 Insufficient nvidia.com\/gpu/);
    expect(status.events.some((line) => /^Warning FailedScheduling: 0\/3 nodes/.test(line))).toBe(true);
    // Both attempts' Jobs were deleted together with their pods.
    await waitFor('cleanup', () => trialJobs(server).length === 0 && server.pods(TEST_NAMESPACE).length === 0, PATIENT_MS);
    expect(server.stats.creates).toBe(3);
  });

  it('an image that cannot be pulled is reported as ImagePullBackOff and failed when the policy says fail', async () => {
    const server = await standin({ podBehaviour: () => ({ kind: 'image-pull-error' }) });
    const l = launcher(server);
    await l.start();
    await l.registerExperiment('exp-i', testTemplate({ image: 'registry.example/typo:1', pending: { timeoutSeconds: 1, action: 'fail' } }));
    l.submit({ experimentId: 'exp-i', trialId: 'pull' });
    await waitFor('the pull error', () => /^ImagePullBackOff: Back-off pulling image/.test(l.trialStatus('exp-i', 'pull')?.reason ?? ''), PATIENT_MS, () => l.status());
    await waitFor('the trial to fail', allIn(l, 'exp-i', 'Failed', 1), PATIENT_MS, () => l.status());
    const status = l.trialStatus('exp-i', 'pull')!;
    expect(status.attempt).toBe(1);
    expect(status.reason).toMatch(/PendingTimeout: .*ImagePullBackOff/);
    expect(status.events).toEqual(expect.arrayContaining([expect.stringMatching(/^Warning Failed: Failed to pull image "registry.example\/typo:1"/)]));
  });

  // Pods run long enough that the limits are reached even on a loaded machine (the exact maxima are asserted).
  // A finished Job holds no slot; the stand-in's TTL controller deletes it apart from the launcher, as
  // Kubernetes does, so one may still exist for a moment beside 4 unfinished ones.
  it('with a limit of 4 and 20 trials, never more than 4 unfinished trial Jobs exist', async () => {
    const server = await standin({ podBehaviour: () => ({ kind: 'succeed', runMs: 500 }) });
    const l = launcher(server, { maxConcurrentJobs: 4 });
    let maxSeen = 0;
    l.onStatus(() => (maxSeen = Math.max(maxSeen, l.summary().active)));
    await l.start();
    await l.registerExperiment('exp-c', testTemplate({ ttlSecondsAfterFinished: 0 }));
    for (let i = 0; i < 20; i++) l.submit({ experimentId: 'exp-c', trialId: `t${i}` });
    await waitFor('20 trials to succeed', allIn(l, 'exp-c', 'Succeeded', 20), PATIENT_MS, () => l.summary());
    expect(server.stats.creates).toBe(21);
    expect(server.stats.maxLiveTrialJobs).toBe(4);
    expect(maxSeen).toBe(4);
  });

  it('the per-experiment limit holds beside the global one', async () => {
    const server = await standin({ podBehaviour: () => ({ kind: 'succeed', runMs: 600 }) });
    const l = launcher(server, { maxConcurrentJobs: 10 });
    await l.start();
    await l.registerExperiment('small', testTemplate({ maxConcurrentTrials: 2 }));
    await l.registerExperiment('large', testTemplate({ maxConcurrentTrials: 6 }));
    for (let i = 0; i < 8; i++) {
      l.submit({ experimentId: 'small', trialId: `s${i}` });
      l.submit({ experimentId: 'large', trialId: `l${i}` });
    }
    await waitFor('all trials', () => l.summary().byPhase.Succeeded === 16, PATIENT_MS, () => l.summary());
    expect(server.stats.maxLiveTrialJobsByExperiment).toEqual({ small: 2, large: 6 });
  });

  it('a launcher restarted while 8 Jobs run adopts all 8 and creates none', async () => {
    const server = await standin({ podBehaviour: () => ({ kind: 'run-until-deleted' }) });
    const first = launcher(server);
    await first.start();
    await first.registerExperiment('exp-r', testTemplate());
    for (let i = 0; i < 8; i++) first.submit({ experimentId: 'exp-r', trialId: `trial-${i}` });
    await waitFor('8 running', allIn(first, 'exp-r', 'Running', 8), PATIENT_MS, () => first.status());
    await first.stop();
    const createsBefore = server.stats.creates;

    const second = launcher(server);
    await second.start();
    expect(second.status('exp-r')).toHaveLength(8);
    await second.registerExperiment('exp-r', testTemplate());
    for (let i = 0; i < 8; i++) expect(second.submit({ experimentId: 'exp-r', trialId: `trial-${i}` }).adopted).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(phases(second.status('exp-r'))).toEqual(Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`trial-${i}`, 'Running'])));
    expect(server.stats.creates).toBe(createsBefore);
    expect(server.stats.alreadyExists).toBe(0);
    expect(trialJobs(server)).toHaveLength(8);

    // Stopping the experiment deletes its Jobs and, through them, their pods.
    await second.stopExperiment('exp-r');
    await waitFor('all deleted', () => server.jobs(TEST_NAMESPACE).length === 0 && server.pods(TEST_NAMESPACE).length === 0, PATIENT_MS);
    expect(phases(second.status('exp-r'))).toEqual(Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`trial-${i}`, 'Stopped'])));
  });

  it('a create answered 409 AlreadyExists adopts the Job instead of failing or duplicating it', async () => {
    const server = await standin({ podBehaviour: () => ({ kind: 'run-until-deleted' }) });
    const l = launcher(server, { watchRestartMs: 60_000 });
    await l.start();
    await l.registerExperiment('exp-409', testTemplate());
    server.dropWatches(); // the launcher will not see the Job below before it tries to create it
    const { kubeConfig } = connectToServer(server.url, TEST_NAMESPACE);
    const other = new KubeClusterApi(kubeConfig, TEST_NAMESPACE);
    await other.createJob(buildTrialJob(parseTrialTemplate(testTemplate()), { experimentId: 'exp-409', trialId: 'dup', attempt: 1, namespace: TEST_NAMESPACE }));
    l.submit({ experimentId: 'exp-409', trialId: 'dup' });
    await waitFor('adoption', () => l.trialStatus('exp-409', 'dup')?.adopted === true, PATIENT_MS, () => l.status());
    expect(l.trialStatus('exp-409', 'dup')!.phase).not.toBe('Failed');
    expect(server.stats.alreadyExists).toBe(1);
    expect(trialJobs(server)).toHaveLength(1);
  });

  it('a 403 exceeded-quota refusal backs off and retries instead of failing the trial', async () => {
    const server = await standin({ podBehaviour: () => ({ kind: 'succeed', runMs: 500 }) });
    server.setJobQuota(3); // the anchor and 2 trial Jobs
    const l = launcher(server, { maxConcurrentJobs: 6 });
    const reasons = new Set<string>();
    l.onStatus((s) => s.reason && reasons.add(s.reason.split(':')[0]!));
    await l.start();
    await l.registerExperiment('exp-q', testTemplate({ ttlSecondsAfterFinished: 0 }));
    for (let i = 0; i < 6; i++) l.submit({ experimentId: 'exp-q', trialId: `q${i}` });
    await waitFor('all 6 to succeed', allIn(l, 'exp-q', 'Succeeded', 6), PATIENT_MS, () => l.status());
    expect(server.stats.quotaRefusals).toBeGreaterThan(0);
    expect(reasons.has('QuotaExceeded')).toBe(true);
    expect(server.stats.maxTrialJobs).toBeLessThanOrEqual(2);
  });

  it('server errors on create (503) are retried with back-off', async () => {
    const server = await standin();
    const l = launcher(server);
    await l.start();
    await l.registerExperiment('exp-5', testTemplate());
    server.failNextCreates(503, 500);
    const reasons: string[] = [];
    l.onStatus((s) => s.reason && reasons.push(s.reason));
    l.submit({ experimentId: 'exp-5', trialId: 'x' });
    await waitFor('success', allIn(l, 'exp-5', 'Succeeded', 1), PATIENT_MS, () => l.status());
    expect(reasons.filter((r) => r.startsWith('ApiUnavailable'))).toHaveLength(2);
    expect(server.stats.creates).toBe(2);
  });

  it('a watch that drops mid-stream resumes from its resourceVersion and misses nothing', async () => {
    const server = await standin({ podBehaviour: () => ({ kind: 'succeed', runMs: 400 }) });
    const l = launcher(server);
    await l.start();
    await l.registerExperiment('exp-w', testTemplate());
    for (let i = 0; i < 5; i++) l.submit({ experimentId: 'exp-w', trialId: `w${i}` });
    await waitFor('running', () => l.summary().byPhase.Running > 0, PATIENT_MS);
    const listsBefore = { ...server.stats.lists };
    const watchesBefore = server.stats.watches.length;
    server.dropWatches();
    await waitFor('5 to succeed', allIn(l, 'exp-w', 'Succeeded', 5), PATIENT_MS, () => l.status());
    const resumed = server.stats.watches.slice(watchesBefore);
    expect(resumed.map((w) => w.resource).sort()).toEqual(['jobs', 'pods']);
    expect(resumed.every((w) => Number(w.resourceVersion) > 0)).toBe(true);
    // No relist of what the informers watch (events of pod-less Jobs are listed apart from them).
    expect({ jobs: server.stats.lists.jobs, pods: server.stats.lists.pods }).toEqual({ jobs: listsBefore.jobs, pods: listsBefore.pods });
    expect(l.summary().watchRestarts).toBe(2);
  });

  it('a watch that ends cleanly (server timeout) is re-opened from its resourceVersion', async () => {
    const server = await standin({ podBehaviour: () => ({ kind: 'succeed', runMs: 400 }) });
    const l = launcher(server);
    await l.start();
    await l.registerExperiment('exp-e', testTemplate());
    for (let i = 0; i < 4; i++) l.submit({ experimentId: 'exp-e', trialId: `e${i}` });
    await waitFor('running', () => l.summary().byPhase.Running > 0, PATIENT_MS);
    const listsBefore = { ...server.stats.lists };
    const watchesBefore = server.stats.watches.length;
    server.endWatches();
    await waitFor('4 to succeed', allIn(l, 'exp-e', 'Succeeded', 4), PATIENT_MS, () => l.status());
    expect(server.stats.watches.slice(watchesBefore).every((w) => Number(w.resourceVersion) > 0)).toBe(true);
    // No relist of what the informers watch (events of pod-less Jobs are listed apart from them).
    expect({ jobs: server.stats.lists.jobs, pods: server.stats.lists.pods }).toEqual({ jobs: listsBefore.jobs, pods: listsBefore.pods });
    expect(l.summary().watchRestarts).toBe(0);
  });

  it('a watch resuming from a compacted resourceVersion gets 410 Expired, relists and misses nothing', async () => {
    const server = await standin({ podBehaviour: () => ({ kind: 'succeed', runMs: 800 }) });
    const l = launcher(server, { watchRestartMs: 150 });
    await l.start();
    await l.registerExperiment('exp-g', testTemplate());
    for (let i = 0; i < 2; i++) l.submit({ experimentId: 'exp-g', trialId: `g${i}` });
    await waitFor('running', () => l.summary().byPhase.Running === 2, PATIENT_MS);
    server.dropWatches();
    // While the launcher is not watching, two more Jobs are created and the history is compacted.
    for (let i = 2; i < 4; i++) l.submit({ experimentId: 'exp-g', trialId: `g${i}` });
    await waitFor('creates', () => server.stats.creates === 5, PATIENT_MS);
    server.compact();
    const listsBefore = { ...server.stats.lists };
    await waitFor('4 to succeed', allIn(l, 'exp-g', 'Succeeded', 4), PATIENT_MS, () => l.status());
    // The Jobs' relist alone can show the 4 finished; the pods' watch restarts on its own timer.
    await waitFor('both watches to relist', () => server.stats.expiredWatches === 2 && server.stats.lists.pods > listsBefore.pods, PATIENT_MS, () => server.stats);
    expect(server.stats.expiredWatches).toBe(2);
    expect(server.stats.lists.jobs).toBe(listsBefore.jobs + 1);
    expect(server.stats.lists.pods).toBe(listsBefore.pods + 1);
  });

  it('stopping one experiment deletes its Jobs and pods and leaves the others running', async () => {
    const server = await standin({ podBehaviour: () => ({ kind: 'run-until-deleted' }) });
    const l = launcher(server);
    await l.start();
    await l.registerExperiment('keep', testTemplate());
    await l.registerExperiment('drop', testTemplate({ maxConcurrentTrials: 2 }));
    for (let i = 0; i < 3; i++) {
      l.submit({ experimentId: 'keep', trialId: `k${i}` });
      l.submit({ experimentId: 'drop', trialId: `d${i}` });
    }
    await waitFor('running', () => allIn(l, 'keep', 'Running', 3)() && allIn(l, 'drop', 'Running', 2)(), PATIENT_MS, () => l.status());
    await l.stopExperiment('drop');
    await waitFor('drop gone', () => server.pods(TEST_NAMESPACE).length === 3 && server.jobs(TEST_NAMESPACE).length === 4, PATIENT_MS);
    expect(phases(l.status('drop'))).toEqual({ d0: 'Stopped', d1: 'Stopped', d2: 'Stopped' });
    expect(phases(l.status('keep'))).toEqual({ k0: 'Running', k1: 'Running', k2: 'Running' });
    expect(server.stats.creates).toBe(2 + 3 + 2);
  });

  it('a Job deleted by someone else fails its trial with that reason', async () => {
    const server = await standin({ podBehaviour: () => ({ kind: 'run-until-deleted' }) });
    const l = launcher(server);
    await l.start();
    await l.registerExperiment('exp-d', testTemplate());
    l.submit({ experimentId: 'exp-d', trialId: 'gone' });
    await waitFor('running', allIn(l, 'exp-d', 'Running', 1), PATIENT_MS);
    server.deleteJob(TEST_NAMESPACE, l.trialStatus('exp-d', 'gone')!.jobName!);
    await waitFor('failed', allIn(l, 'exp-d', 'Failed', 1), PATIENT_MS);
    expect(l.trialStatus('exp-d', 'gone')!.reason).toMatch(/^JobDeleted/);
  });
});

